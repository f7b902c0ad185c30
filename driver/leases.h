#pragma once
// The DHCP leases of a network, read from dnsmasq's own lease file
// (--dhcp-leasefile), reported as libvirt's net-dhcp-leases reports them.
//
// File format, one lease per line (dnsmasq writes it, lowercase hex):
//   EXPIRY MAC IP HOSTNAME|* CLIENT-ID|*         DHCPv4
//   duid SERVER-DUID                             once, before the IPv6 leases
//   EXPIRY IAID IP HOSTNAME|* CLIENT-DUID|*      DHCPv6 (IAID "T<n>" for temporary)
// EXPIRY is in epoch seconds, 0 for a lease that never expires.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/status.h"

namespace virtnat::driver {

struct DhcpLease {
  int64_t expiry = 0;
  std::string mac;  // for DHCPv6, taken from a link-layer client DUID
  IpAddress ip;
  unsigned prefix = 0;    // of the network's first <ip> of the same family
  std::string hostname;   // empty when the client gave none
  std::string client_id;  // DHCPv4 client identifier, or the DHCPv6 client DUID
  std::string iaid;       // DHCPv6 only
  std::string server_duid;
};

struct LeasePrefixes {
  unsigned v4 = 0;
  unsigned v6 = 0;
};

// Parses a lease file. Lines that are not leases are skipped, as are DHCPv6
// leases whose DUID carries no Ethernet address (libvirt reports no lease
// without a MAC either).
std::vector<DhcpLease> ParseDnsmasqLeases(std::string_view text, const LeasePrefixes& prefixes);

// Reads `path`; a missing file means no leases (dnsmasq has not written one yet).
Result<std::vector<DhcpLease>> ReadDnsmasqLeases(const std::string& path,
                                                 const LeasePrefixes& prefixes);

// libvirt's selection: with `mac`, only leases of that MAC (any case);
// leases that expired before `now` are dropped (0 never expires).
// REQUIRES: `mac`, if given, is a valid MAC address.
std::vector<DhcpLease> SelectLeases(const std::vector<DhcpLease>& leases,
                                    const std::optional<std::string>& mac, int64_t now);

// The Ethernet address inside a DUID-LLT or DUID-LL ("00:01:00:01:..."),
// empty if the DUID has none.
std::string MacFromDuid(std::string_view duid);

}  // namespace virtnat::driver
