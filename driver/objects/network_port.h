#pragma once
// A <networkport> document (libvirt's virNetworkPortDef): identity, owner,
// MAC, the settings the network merges into it (portgroup, virtualport,
// bandwidth and its class id, vlan, isolation, rx filters) and the plug the
// network fills in. Parsed and printed as libvirt 9.0 does (element order,
// errors); the plug (driver/ports/port_plug.h) holds every type libvirt
// knows, whoever allocated it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "driver/network_driver.h"
#include "driver/ports/port_plug.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct PortDef {
  Uuid uuid{};
  std::string owner_name;
  Uuid owner_uuid{};
  xml::MacAddress mac{};
  std::string group;  // <group> (portgroup name)
  std::optional<xml::VirtualPort> virtualport;
  std::optional<xml::Bandwidth> bandwidth;
  unsigned class_id = 0;  // <bandwidth classID>: the tc class of a floor; 0 none
  std::optional<xml::Vlan> vlan;
  xml::TriState isolated = xml::TriState::kAbsent;                // <port isolated>
  xml::TriState trust_guest_rx_filters = xml::TriState::kAbsent;  // <rxfilters trustGuest>
  PortPlug plug;  // set by the network at creation, or reclaimed
  bool operator==(const PortDef&) const = default;
};

// libvirt's errors: XML_DETAIL for malformed text, XML_ERROR "unknown root
// element for network port" for another root, INTERNAL_ERROR "network port
// has no uuid" / "no owner name" / "no owner UUID" / "no mac" and "Unable
// to parse UUID|MAC 'X'", XML_ERROR for a bad plug ("Missing network port
// bridge name", "Invalid macTableManager setting 'X' in network port", ...),
// and the bandwidth, vlan and virtualport parsers' own errors.
// `validate` (VIR_NETWORK_PORT_CREATE_VALIDATE): a well-formed document is
// first checked against schemas/networkport.rng (XML_INVALID_SCHEMA).
Result<PortDef> ParsePortXml(std::string_view text, bool validate = false);
std::string FormatPortXml(const PortDef& port);

// virNetworkPortGetParameters: the inbound.* values when there is inbound
// bandwidth, the outbound.* values when there is outbound bandwidth.
std::vector<TypedParam> PortParameters(const PortDef& port);
// virNetworkPortSetParameters replaces the whole bandwidth (as libvirtd does).
Status SetPortParameters(PortDef& port, const std::vector<TypedParam>& params);

}  // namespace virtnat::driver
