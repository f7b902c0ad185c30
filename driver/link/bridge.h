#pragma once
// A network's bridge as the realizer asks for it: create it with its link
// attributes, give it addresses and routes, bring it up, delete it. Netlink
// is the interface; RealNetlink (bridge_netlink.h) talks to the kernel
// through libnl-3 (never by running `ip` or `brctl`), FakeNetlink
// (tests/support/fake_netlink.h) records calls for unit tests.
//
// Errors are SYSTEM_ERROR with the kernel's errno text, worded as libvirt's:
// "error creating bridge interface virbrx9: File exists".

#include <memory>
#include <optional>
#include <string>

#include "common/ip_address.h"
#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct BridgeSpec {
  std::string name;
  std::optional<xml::MacAddress> mac;  // absent: the kernel picks one
  unsigned mtu = 0;                    // 0: kernel default
  bool stp = true;
  unsigned long delay_seconds = 0;  // forward delay; the kernel raises it to 2 s with STP
};

struct InterfaceAddress {
  IpAddress address;
  unsigned prefix = 0;
  bool operator==(const InterfaceAddress&) const = default;
};

struct StaticRoute {
  IpAddress destination;  // network address
  unsigned prefix = 0;
  IpAddress gateway;
  unsigned metric = 1;  // libvirt's default when <route metric> is absent
};

class Netlink {
 public:
  virtual ~Netlink() = default;

  // Creates the bridge down, with all of `spec` in place: either every
  // attribute is set or no bridge is left behind.
  virtual Status CreateBridge(const BridgeSpec& spec) = 0;
  // IPv4 addresses get the broadcast address of their subnet.
  virtual Status AddAddress(const std::string& ifname, const InterfaceAddress& address) = 0;
  virtual Status SetLinkUp(const std::string& ifname, bool up) = 0;
  virtual Status AddRoute(const std::string& ifname, const StaticRoute& route) = 0;
  // Deleting a link also drops its addresses and routes.
  virtual Status DeleteLink(const std::string& ifname) = 0;
};

}  // namespace virtnat::driver
