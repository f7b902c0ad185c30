#pragma once
// virtnat-port's host side: the tap on the kernel, through netlink (libnl-3)
// in the caller's network namespace. The bridge side is the network's.

#include <string>

#include "common/status.h"
#include "tools/port_helper/port_request.h"

namespace virtnat::port_helper {

// The tap's MAC address (lowercase, colons). Fails naming the tap when there
// is no such interface.
Result<std::string> TapMac(const std::string& tap);

// Plugs `tap` as libvirt plugs a guest's tap into a network's bridge: the
// MTU (the network's, else the bridge's), enslaved to the bridge, bridge
// port isolation when asked (IFLA_BRPORT_ISOLATED), the bandwidth on the
// tap (egress: to the guest; ingress through an ifb: from the guest), then
// up. On failure, what was done is undone (the tap leaves the bridge).
Status PlugTap(const std::string& network, const std::string& tap, const TapSettings& settings);

// Undoes PlugTap where the tap still exists (QEMU deletes it after its
// downscript): removes the bandwidth and its ifb, takes the tap off the
// bridge. Best effort: every step runs, the first error is returned.
Status UnplugTap(const std::string& network, const std::string& tap, const TapSettings& settings);

}  // namespace virtnat::port_helper
