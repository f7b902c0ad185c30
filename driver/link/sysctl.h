#pragma once
// Kernel settings a network needs, written under /proc/sys of the network
// namespace of the calling thread (net sysctls follow the opening task).
// The roots are injectable so unit tests can run on a plain directory.

#include <string>

#include "common/status.h"

namespace virtnat::driver {

struct SysctlPaths {
  std::string proc_sys = "/proc/sys";
  // /proc/net follows the thread-group leader; thread-self follows the caller,
  // which matters when one thread has joined another namespace.
  std::string proc_net = "/proc/thread-self/net";
};

class Sysctl {
 public:
  explicit Sysctl(SysctlPaths paths = {}) : paths_(std::move(paths)) {}

  // net/ipv4/ip_forward = 1. Never written back to 0 (host-global; libvirt
  // leaves it on as well).
  Status EnableIpv4Forwarding();

  // Runs CheckAcceptRa(), then net/ipv6/conf/all/forwarding = 1.
  Status EnableIpv6Forwarding();

  // Enabling IPv6 forwarding makes the kernel flush routes learned from
  // router advertisements on interfaces whose effective accept_ra is 1.
  // Fails (INTERNAL_ERROR, libvirt 9.0's text) naming the first interface
  // with such a route (RTF_ADDRCONF in ipv6_route) unless its accept_ra is 2.
  Status CheckAcceptRa();

  // disable_ipv6 = !has_ipv6, accept_ra = 0, autoconf = 0 on the bridge.
  // Skipped without error when the kernel has no IPv6 for it (no such file).
  Status ConfigureBridgeIpv6(const std::string& bridge, bool has_ipv6);

 private:
  SysctlPaths paths_;
};

}  // namespace virtnat::driver
