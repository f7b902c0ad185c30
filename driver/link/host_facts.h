#pragma once
// What the host already has, read before a network starts: interface names
// (for bridge name assignment and "name taken" checks), the IPv4 routes of
// the main table (libvirt's "Network is already in use" check) and the
// kernel features a network needs.

#include <memory>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/status.h"

namespace virtnat::driver {

struct HostRoute {
  IpAddress destination;  // network address; 0.0.0.0 for the default route
  unsigned prefix = 0;
  std::string interface;  // "*" when the route has no device
};

class HostFacts {
 public:
  virtual ~HostFacts() = default;

  virtual Result<bool> InterfaceExists(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> InterfaceNames() = 0;
  // IPv4 routes of the main table (what /proc/net/route lists).
  virtual Result<std::vector<HostRoute>> Ipv4Routes() = 0;
  // Kernel features, asked of the kernel itself (which also autoloads the
  // modules), so built-in, modular and missing features are told apart
  // without guessing from /sys or /lib/modules.
  virtual Status CheckBridgeSupport() = 0;
  virtual Status CheckNftablesSupport() = 0;
};

// libvirt's start-time check for an IPv4 <ip>: fails with INTERNAL_ERROR
// "Network is already in use by interface IFACE" if a route has exactly this
// subnet (same network address and prefix). Partial overlaps pass, as in libvirt.
Status CheckSubnetNotRouted(const std::vector<HostRoute>& routes, const IpAddress& address,
                            unsigned prefix);
// The same check for an IPv4 static <route address=...>; the message quotes
// `address_text` as written in the definition: "Route address 'A' conflicts
// with IP address for 'IFACE'".
Status CheckRouteNotRouted(const std::vector<HostRoute>& routes, const IpAddress& address,
                           unsigned prefix, const std::string& address_text);

}  // namespace virtnat::driver
