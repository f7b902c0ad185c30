// <bandwidth>, <vlan>, <virtualport>, <portgroup> (libvirt's
// netdev_bandwidth_conf.c, netdev_vlan_conf.c, netdev_vport_profile_conf.c
// and virNetworkPortGroupParseXML).
#include <strings.h>

#include <cstring>

#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

bool EqualsIgnoreCase(std::string_view a, const char* b) {
  return a.size() == std::strlen(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

Result<BandwidthRate> ParseRate(const xmlNode* node) {
  BandwidthRate rate;
  auto average = Prop(node, "average");
  auto peak = Prop(node, "peak");
  auto burst = Prop(node, "burst");
  auto floor = Prop(node, "floor");
  auto convert = [](const std::string& text, const char* what, unsigned long long& out) -> Status {
    auto value = StrToULL(text, 10, false);
    if (!value) {
      return ConfigUnsupported(
          std::string("could not convert bandwidth ") + what + " value " + Q(text), VIR_FROM_NONE);
    }
    out = *value;
    return Status::Ok();
  };
  if (average) {
    RETURN_IF_ERROR(convert(*average, "average", rate.average));
  } else if (!floor) {
    return XmlDetail("Missing mandatory average or floor attributes", VIR_FROM_NONE);
  }
  if ((peak || burst) && !average) {
    return ConfigUnsupported("'peak' and 'burst' require 'average' attribute", VIR_FROM_NONE);
  }
  if (peak) RETURN_IF_ERROR(convert(*peak, "peak", rate.peak));
  if (burst) RETURN_IF_ERROR(convert(*burst, "burst", rate.burst));
  if (floor) RETURN_IF_ERROR(convert(*floor, "floor", rate.floor));
  return rate;
}

// Parameters libvirt rejects for each virtualport type
// (virNetDevVPortProfileCheckNoExtras).
Status CheckVirtualPortExtras(const VirtualPort& vp) {
  const char* extra = nullptr;
  if (vp.type == "802.1Qbg") {
    if (!vp.profile_id.empty())
      extra = "profileid";
    else if (!vp.interface_id.empty())
      extra = "interfaceid";
  } else if (vp.type == "802.1Qbh") {
    if (!vp.manager_id.empty())
      extra = "managerid";
    else if (!vp.type_id.empty())
      extra = "typeid";
    else if (!vp.type_id_version.empty())
      extra = "typeidversion";
    else if (!vp.instance_id.empty())
      extra = "instanceid";
    else if (!vp.interface_id.empty())
      extra = "interfaceid";
  } else if (vp.type == "openvswitch" || vp.type == "midonet") {
    if (!vp.manager_id.empty())
      extra = "managerid";
    else if (!vp.type_id.empty())
      extra = "typeid";
    else if (!vp.type_id_version.empty())
      extra = "typeidversion";
    else if (!vp.instance_id.empty())
      extra = "instanceid";
    else if (vp.type == "midonet" && !vp.profile_id.empty())
      extra = "profileid";
  }
  if (extra != nullptr) {
    return XmlError(
        std::string("extra ") + extra + " attribute in <virtualport type=" + Q(vp.type) + ">",
        VIR_FROM_NONE);
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<Bandwidth>> ParseBandwidth(const xmlNode* node, bool allow_floor,
                                                unsigned* class_id) {
  if (std::optional<std::string> id = Prop(node, "classID")) {
    if (!class_id) {
      return XmlDetail("classID attribute not supported on <bandwidth> in this usage context",
                       VIR_FROM_NONE);
    }
    std::optional<unsigned> parsed = StrToUInt(*id, 10);
    if (!parsed) return InternalError("Unable to parse class id '" + *id + "'", VIR_FROM_NONE);
    *class_id = *parsed;
  }
  const xmlNode* in = nullptr;
  const xmlNode* out = nullptr;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (HasName(child, "inbound")) {
      if (in) return XmlDetail("Only one child <inbound> element allowed", VIR_FROM_NONE);
      in = child;
    } else if (HasName(child, "outbound")) {
      if (out) return XmlDetail("Only one child <outbound> element allowed", VIR_FROM_NONE);
      out = child;
    }
  }
  Bandwidth bw;
  if (in) {
    ASSIGN_OR_RETURN(bw.inbound, ParseRate(in));
    if (bw.inbound->floor && !allow_floor) {
      return ConfigUnsupported("floor attribute is not supported for this config", VIR_FROM_NONE);
    }
  }
  if (out) {
    ASSIGN_OR_RETURN(bw.outbound, ParseRate(out));
    if (bw.outbound->floor) {
      return ConfigUnsupported("'floor' attribute allowed only in <inbound> element",
                               VIR_FROM_NONE);
    }
  }
  if (!bw.inbound && !bw.outbound) return std::optional<Bandwidth>();
  return std::optional<Bandwidth>(std::move(bw));
}

Result<Vlan> ParseVlan(const xmlNode* node) {
  Vlan vlan;
  auto tags = PlainChildren(node, "tag");
  if (tags.empty()) {
    return XmlError("missing tag id - each <vlan> must have at least one <tag id='n'/> subelement",
                    VIR_FROM_NONE);
  }
  bool native_seen = false;
  for (const xmlNode* tag : tags) {
    XPathNumber id = XPathULong(tag, "id");
    if (id.state != NumberState::kOk) {
      return XmlError("missing or invalid vlan tag id attribute", VIR_FROM_NONE);
    }
    if (id.value > 4095) {
      return XmlError("vlan tag id " + std::to_string(id.value) + " too large (maximum 4095)",
                      VIR_FROM_NONE);
    }
    VlanTag t;
    t.id = static_cast<unsigned>(id.value);
    if (auto mode = XPathProp(tag, "nativeMode")) {
      if (native_seen) return XmlError("duplicate native vlan setting", VIR_FROM_NONE);
      if (*mode != "tagged" && *mode != "untagged") {
        return ConfigUnsupported("Invalid \"nativeMode='" + *mode + "'\" in vlan <tag> element",
                                 VIR_FROM_NONE);
      }
      native_seen = true;
      t.native_mode = *mode;
    }
    vlan.tags.push_back(std::move(t));
  }
  if (tags.size() > 1) vlan.trunk = TriState::kYes;
  if (auto trunk = XPathProp(node, "trunk")) {
    if (EqualsIgnoreCase(*trunk, "yes")) {
      vlan.trunk = TriState::kYes;
    } else {
      if (tags.size() > 1) {
        return XmlError("invalid \"trunk='" + *trunk +
                            "'\" in <vlan> - trunk='yes' is required for more than one vlan tag",
                        VIR_FROM_NONE);
      }
      if (native_seen) {
        return XmlError(
            "invalid configuration in <vlan> - \"trunk='no'\" is not allowed with a native vlan "
            "id",
            VIR_FROM_NONE);
      }
      if (!EqualsIgnoreCase(*trunk, "no")) {
        return XmlError("invalid \"trunk='" + *trunk + "'\" in <vlan> - must be yes or no",
                        VIR_FROM_NONE);
      }
      vlan.trunk = TriState::kAbsent;  // "no" on a single tag is accepted and dropped
    }
  }
  return vlan;
}

Result<VirtualPort> ParseVirtualPort(const xmlNode* node, bool require_type) {
  VirtualPort vp;
  if (auto type = Prop(node, "type")) {
    if (*type != "802.1Qbg" && *type != "802.1Qbh" && *type != "openvswitch" &&
        *type != "midonet") {
      return ConfigUnsupported("unknown virtualport type " + *type, VIR_FROM_NONE);
    }
    vp.type = *type;
  }
  if (vp.type.empty() && require_type) {
    return XmlError("missing required virtualport type", VIR_FROM_NONE);
  }
  const xmlNode* params = FirstNamedChild(node, "parameters");
  auto number = [](const std::optional<std::string>& text, unsigned max, const char* name,
                   const char* range_msg, std::string& out) -> Status {
    if (!text) return Status::Ok();
    auto value = StrToUInt(*text, 0);
    if (!value) {
      return XmlError(std::string("cannot parse value of ") + name + " parameter", VIR_FROM_NONE);
    }
    if (*value > max) return XmlError(range_msg, VIR_FROM_NONE);
    out = std::to_string(*value);
    return Status::Ok();
  };
  auto uuid = [](const std::optional<std::string>& text, const char* name,
                 std::string& out) -> Status {
    if (!text) return Status::Ok();
    auto parsed = ParseUuid(*text);
    if (!parsed) {
      return XmlError(std::string("cannot parse ") + name + " parameter as a uuid", VIR_FROM_NONE);
    }
    out = FormatUuid(*parsed);
    return Status::Ok();
  };
  if (params != nullptr) {
    RETURN_IF_ERROR(number(Prop(params, "managerid"), 0xff, "managerid",
                           "value of managerid out of range", vp.manager_id));
    RETURN_IF_ERROR(number(Prop(params, "typeid"), 0xffffff, "typeid",
                           "value for typeid out of range", vp.type_id));
    RETURN_IF_ERROR(number(Prop(params, "typeidversion"), 0xff, "typeidversion",
                           "value of typeidversion out of range", vp.type_id_version));
    RETURN_IF_ERROR(uuid(Prop(params, "instanceid"), "instanceid", vp.instance_id));
    if (auto profile = Prop(params, "profileid")) {
      if (profile->size() >= 40) return XmlError("profileid parameter too long", VIR_FROM_NONE);
      vp.profile_id = *profile;
    }
    RETURN_IF_ERROR(uuid(Prop(params, "interfaceid"), "interfaceid", vp.interface_id));
  }
  RETURN_IF_ERROR(CheckVirtualPortExtras(vp));
  return vp;
}

Result<PortGroup> ParsePortGroup(const xmlNode* node) {
  PortGroup pg;
  auto name = XPathProp(node, "name");
  if (!name) return XmlError("Missing required name attribute in portgroup");
  pg.name = *name;
  if (auto is_default = XPathProp(node, "default")) {
    pg.is_default = EqualsIgnoreCase(*is_default, "yes");
  }
  ASSIGN_OR_RETURN(pg.trust_guest_rx_filters, PropTriState(node, "trustGuestRxFilters"));
  if (const xmlNode* vp = FirstPlainChild(node, "virtualport")) {
    ASSIGN_OR_RETURN(pg.virtualport, ParseVirtualPort(vp, false));
  }
  if (const xmlNode* bw = FirstPlainChild(node, "bandwidth")) {
    ASSIGN_OR_RETURN(pg.bandwidth, ParseBandwidth(bw, false));
  }
  if (const xmlNode* vlan = FirstPlainChild(node, "vlan")) {
    ASSIGN_OR_RETURN(pg.vlan, ParseVlan(vlan));
  }
  return pg;
}

}  // namespace virtnat::xml::internal
