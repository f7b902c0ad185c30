#pragma once
// Per-element parsers behind ParseNetworkXml, shared with the updater
// (network_update.cpp parses update fragments with the same rules).
// `net` is the network's name as it appears in libvirt's messages.
// Internal to xml/; not a public contract.

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml::internal {

// parse_ip.cpp
// virNetworkIPDefPrefix: the given prefix, else the netmask's (-1 if it is
// not contiguous), else the class default (-1 for class D/E, 0 for 0.0.0.0)
// or 64 for IPv6.
int LibvirtPrefix(const IpDef& ip);
Status ParseIp(std::string_view net, const xmlNode* node, IpDef& out);
// A <range> of `ip`'s <dhcp>: start/end required, same family, inside the
// subnet, not reversed; optional <lease>.
Result<DhcpRange> ParseDhcpRange(std::string_view net, const IpDef& ip, const xmlNode* node);
// A <host> of `ip`'s <dhcp>. `partial` (update delete): one of mac, name or
// ip is enough and ip may be missing (then `out.ip` is invalid).
Result<DhcpHost> ParseDhcpHost(std::string_view net, const IpDef& ip, const xmlNode* node,
                               bool partial);

// parse_dns.cpp
Status ParseDns(std::string_view net, const xmlNode* node, DnsDef& out);
// `partial`: ip or a hostname is enough (ip invalid / hostnames empty).
Result<DnsHost> ParseDnsHost(std::string_view net, const xmlNode* node, bool partial);
// `partial`: the value may be missing.
Result<DnsTxt> ParseDnsTxt(std::string_view net, const xmlNode* node, bool partial);
// `partial`: service and protocol may be missing.
Result<DnsSrv> ParseDnsSrv(std::string_view net, const xmlNode* node, bool partial);

// parse_forward.cpp
Status ParseForward(std::string_view net, const xmlNode* node, ForwardDef& out);

// parse_ports.cpp
// nullopt when neither <inbound> nor <outbound> is present. `class_id`
// (a network port's): where classID goes; without it classID is refused.
Result<std::optional<Bandwidth>> ParseBandwidth(const xmlNode* node, bool allow_floor,
                                                unsigned* class_id = nullptr);
Result<Vlan> ParseVlan(const xmlNode* node);
Result<VirtualPort> ParseVirtualPort(const xmlNode* node, bool require_type);
Result<PortGroup> ParsePortGroup(const xmlNode* node);

// parse_route.cpp
Result<RouteDef> ParseRoute(std::string_view net, const xmlNode* node);

// parse_extensions.cpp
// The text the formatter prints for <metadata>, re-serialised by libxml2
// ("  <metadata>\n ...\n  </metadata>\n" or "  <metadata/>\n").
Result<std::string> SerializeMetadata(const xmlNode* node);
// Every <option value> under <options> in the dnsmasq namespace.
Result<std::vector<std::string>> ParseDnsmasqOptions(const xmlNode* root);
// <portForward> in urn:virtnat:network:1. `partial` (update delete): the
// guest may be missing (then `guest` is invalid).
Result<PortForward> ParsePortForward(std::string_view net, const xmlNode* node,
                                     bool partial = false);

// network_parse.cpp: cross-element rules libvirt applies at parse time,
// re-run after an update (libvirt re-parses the formatted result).
// Every static route gateway lies in a subnet of an <ip> of its family.
Status CheckRouteGateways(const NetworkDef& def);
// nat/route/open need an <ip>, at most one forward interface, no dev for
// open, and the bridge/mtu restrictions of the other modes. `stp_given`:
// the input had a stp attribute (which the formatter drops for other modes).
Status CheckForwardRules(const NetworkDef& def, bool stp_given);

}  // namespace virtnat::xml::internal
