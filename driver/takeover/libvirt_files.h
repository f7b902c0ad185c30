#pragma once
// The files and firewall state libvirt's network driver (libvirtd 9.0 and
// virtnetworkd) leaves for a running network, read and written as values:
//  - the status file RUN/libvirt/network/NAME.xml: <networkstatus> around
//    the live <network>;
//  - the lease status file LIB/libvirt/dnsmasq/BRIDGE.status that
//    libvirt_leaseshelper keeps (a JSON array of objects), which virtnatd's
//    dnsmasq lease database (dnsmasq_leases.h) replaces;
//  - its iptables chains (LIBVIRT_INP, _OUT, _FWO, _FWI, _FWX, _PRT in the
//    filter, nat and mangle tables, libvirt < 10.4) and its nftables tables
//    (`table ip libvirt_network`, `table ip6 libvirt_network`, >= 10.4).
// Pure: the caller reads and writes the files and runs the commands.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "driver/dnsmasq/dnsmasq_leases.h"

namespace virtnat::driver {

// The <network> element inside libvirt's status document (a bare <network>
// document is returned as it is). VIR_ERR_XML_ERROR naming `path` if there
// is none.
Result<std::string> NetworkFromLibvirtStatus(std::string_view status, const std::string& path);

// libvirt's status document for a network handed back: `previous` (the
// status file taken over, empty if none) with its <network> replaced by
// `network_xml`, or a new one with no QoS classes in use.
std::string LibvirtStatusDocument(std::string_view previous, std::string_view network_xml);

// One entry of libvirt's lease status file.
struct LibvirtLease {
  std::string ip;
  std::string mac;          // may be empty (IPv6 without one)
  std::string hostname;     // may be empty
  std::string client_id;    // IPv4 client id or IPv6 client DUID; may be empty
  std::string iaid;         // IPv6 only
  std::string server_duid;  // IPv6 only
  int64_t expiry = 0;       // epoch seconds; 0: never
};

// VIR_ERR_INTERNAL_ERROR naming `path` for text that is not an array of
// flat objects, or an entry without ip-address.
Result<std::vector<LibvirtLease>> ParseLibvirtLeases(std::string_view json,
                                                     const std::string& path);
// libvirt's file for `leases` (what libvirt_leaseshelper writes).
std::string FormatLibvirtLeases(const std::vector<DnsmasqLease>& leases);
// dnsmasq's lease database holding `leases`, which dnsmasq reads on start.
std::string FormatDnsmasqLeases(const std::vector<LibvirtLease>& leases);

// What removing libvirt's iptables state takes, from one `iptables-save`
// (or ip6tables-save) dump.
struct IptablesRemoval {
  std::vector<std::string> chains;  // "TABLE/CHAIN" of every LIBVIRT_* chain
  // Input for `iptables-restore --noflush`: the jumps to those chains
  // deleted, then the chains flushed and deleted. Empty: nothing to remove.
  std::string restore;
};
IptablesRemoval LibvirtIptablesRemoval(std::string_view save);

// The tables of libvirt's nftables backend in `nft list tables` output,
// as "FAMILY NAME" ("ip libvirt_network").
std::vector<std::string> LibvirtNftTables(std::string_view list_tables);

}  // namespace virtnat::driver
