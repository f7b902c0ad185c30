#pragma once
// The DHCP part of a network's dnsmasq configuration (host-effects.md §4.2
// rows 18-22): which <ip> elements are served, the dhcp-range lines, lease
// times and the dhcp-lease-max count. Pure functions of the definition.

#include <string>
#include <vector>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

// The <ip> elements dnsmasq serves DHCP on: the IPv4 and the IPv6 <ip> with
// <range>s or <host>s. Pointers into the definition; null when absent.
struct DhcpBlocks {
  const xml::IpDef* v4 = nullptr;
  const xml::IpDef* v6 = nullptr;
};

// Fails (VIR_ERR_CONFIG_UNSUPPORTED) if two <ip> of one family have DHCP, as
// libvirt does when it writes the configuration.
Result<DhcpBlocks> FindDhcpBlocks(const xml::NetworkDef& def);

// dnsmasq's lease time: "infinite" for expiry 0, else the number and the
// unit's first letter ("300s", "20m", "2h").
std::string DnsmasqLeaseTime(const xml::Lease& lease);

// Addresses in start..end, with libvirt's checks: both inside
// network/prefix, IPv4 start not the network address and end not the
// broadcast address, start <= end, at most 65536 addresses (libvirt's
// limit: all but the last two bytes equal). Errors are VIR_ERR_INTERNAL_ERROR.
Result<unsigned> DhcpRangeSize(const xml::DhcpRange& range, const IpAddress& network,
                               unsigned prefix);

// Appends the lines for one served <ip>: its dhcp-range lines (or the
// "static" range when it has hosts only), then for IPv4 dhcp-no-override,
// dhcp-authoritative and dhcp-boot. Adds the range sizes to *lease_count.
Status AppendDhcpLines(const xml::IpDef& ip, const std::string& bridge,
                       std::vector<std::string>* lines, unsigned* lease_count);

}  // namespace virtnat::driver
