#pragma once
// The DHCP leases of a network as libvirt's net-dhcp-leases reports them,
// from dnsmasq's lease file (format and parsing: dnsmasq_leases.h): the
// network's prefix per family attached, leases without a MAC left out (libvirt
// records none either), and libvirt's MAC filter and expiry rule.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "driver/dnsmasq/dnsmasq_leases.h"

namespace virtnat::driver {

struct NetworkLease : DnsmasqLease {
  unsigned prefix = 0;  // of the network's first <ip> of the same family
};

struct LeasePrefixes {
  unsigned v4 = 0;
  unsigned v6 = 0;
};

std::vector<NetworkLease> ParseNetworkLeases(std::string_view text, const LeasePrefixes& prefixes);

// Reads the lease file at `path`; a missing file means no leases (dnsmasq
// has not written one yet).
Result<std::vector<NetworkLease>> ReadNetworkLeases(const std::string& path,
                                                    const LeasePrefixes& prefixes);

// libvirt's selection: with `mac`, only leases of that MAC (any case);
// leases that expired before `now` (epoch seconds) are dropped, 0 never expires.
// REQUIRES: `mac`, if given, is a valid MAC address (the caller reports
// VIR_ERR_INVALID_MAC otherwise).
std::vector<NetworkLease> SelectLeases(const std::vector<NetworkLease>& leases,
                                       const std::optional<std::string>& mac, int64_t now);

}  // namespace virtnat::driver
