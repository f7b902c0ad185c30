#pragma once
// A <networkport> document (virNetworkPortDef), as far as a bridge-backed
// network needs it: identity, owner, MAC, bandwidth and the plug the network
// fills in.

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
  std::optional<Uuid> owner_uuid;
  std::string mac;
  std::string group;  // <group> (portgroup name)
  std::optional<xml::Bandwidth> bandwidth;
  PortPlug plug;  // set by the network at creation (port_plug.h)
};

// Errors: XML_DETAIL for malformed text, INTERNAL_ERROR "network port has no
// uuid" when <uuid> is missing (libvirtd's text).
Result<PortDef> ParsePortXml(std::string_view text);
std::string FormatPortXml(const PortDef& port);

// virNetworkPortGetParameters: the inbound.* values when there is inbound
// bandwidth, the outbound.* values when there is outbound bandwidth.
std::vector<TypedParam> PortParameters(const PortDef& port);
// virNetworkPortSetParameters replaces the whole bandwidth (as libvirtd does).
Status SetPortParameters(PortDef& port, const std::vector<TypedParam>& params);

}  // namespace virtnat::driver
