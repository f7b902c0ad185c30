#pragma once
// The DHCP leases of a running network as libvirt's net-dhcp-leases reports
// them (host-effects.md §5), read from dnsmasq's lease file (format and
// parsing: dnsmasq_leases.h) into the driver's DhcpLease (network_driver.h):
// the bridge as interface, the prefix of the network's first <ip> of the
// lease's family, leases without a MAC left out (libvirt requires one), and
// leases that expired before `now` dropped (expiry 0 never expires). The MAC
// filter of virNetworkGetDHCPLeases is the driver's.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "driver/dnsmasq_leases.h"
#include "driver/network_driver.h"

namespace virtnat::driver {

struct LeasePrefixes {
  unsigned v4 = 0;
  unsigned v6 = 0;
};

std::vector<DhcpLease> NetworkLeases(std::string_view lease_file_text, const std::string& bridge,
                                     const LeasePrefixes& prefixes, int64_t now);

// Reads the lease file at `path`; a missing file means no leases (dnsmasq
// has not written one yet).
Result<std::vector<DhcpLease>> ReadNetworkLeases(const std::string& path, const std::string& bridge,
                                                 const LeasePrefixes& prefixes, int64_t now);

}  // namespace virtnat::driver
