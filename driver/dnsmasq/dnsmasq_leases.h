#pragma once
// Reading dnsmasq's own lease database (the --dhcp-leasefile virtnat gives
// it; see dnsmasq_config.h for why virtnat uses it instead of libvirt's
// leases helper). Pure: the caller reads the file.
//
// dnsmasq rewrites the file in place on every change:
//   EXPIRY MAC IP HOSTNAME|* CLIENTID|*          one line per IPv4 lease
//   duid SERVER-DUID                              once, if there are IPv6 leases
//   EXPIRY [T]IAID IP HOSTNAME|* CLIENT-DUID|*    one line per IPv6 lease
// EXPIRY is in epoch seconds, 0 for an infinite lease; byte strings are hex
// pairs joined by ':'.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace virtnat::driver {

struct DnsmasqLease {
  uint64_t expiry = 0;  // epoch seconds; 0: never expires
  IpAddress ip;
  // IPv4: the hardware address as dnsmasq writes it. IPv6: taken from the
  // client DUID when it is a DUID-LLT or DUID-LL of an Ethernet address
  // (dnsmasq does not store a MAC for IPv6 leases); empty otherwise.
  std::string mac;
  std::string hostname;     // empty when dnsmasq wrote '*'
  std::string client_id;    // IPv4 client identifier or IPv6 client DUID; may be empty
  std::string iaid;         // IPv6 only (decimal, as dnsmasq writes it)
  std::string server_duid;  // IPv6 only: the "duid" line
};

// Parses the whole file. Lines that are not lease lines (for instance a
// partial last line read while dnsmasq rewrites the file) are skipped.
std::vector<DnsmasqLease> ParseDnsmasqLeases(std::string_view text);

// The Ethernet MAC inside a DUID-LLT (type 1) or DUID-LL (type 3) written as
// hex pairs joined by ':'; empty for other DUIDs.
std::string MacFromDuid(std::string_view duid);

}  // namespace virtnat::driver
