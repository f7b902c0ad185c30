#include "driver/objects/network_port.h"

#include <libvirt/libvirt.h>

#include "xml/format_writer.h"
#include "xml/network_parse.h"
#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/schema.h"
#include "xml/xml_document.h"
#include "xml/xml_node.h"

namespace virtnat::driver {
namespace {

// Port XML is a client's text: at most as large as a network definition.
constexpr size_t kMaxPortXmlSize = xml::kMaxNetworkXmlSize;

constexpr PlugType kPlugTypes[] = {PlugType::kNone, PlugType::kNetwork, PlugType::kBridge,
                                   PlugType::kDirect, PlugType::kHostdevPci};
// virNetDevMacVLanMode, as the forward modes of the same names.
constexpr xml::ForwardMode kMacvlanModes[] = {xml::ForwardMode::kVepa, xml::ForwardMode::kPrivate,
                                              xml::ForwardMode::kBridge,
                                              xml::ForwardMode::kPassthrough};
// virNetworkForwardDriverName; "default" (0) is refused in a port.
constexpr const char* kDriverNames[] = {"kvm", "vfio", "xen"};

template <size_t N>
bool OneOf(const std::string& value, const char* const (&names)[N]) {
  for (const char* name : names) {
    if (value == name) return true;
  }
  return false;
}

// libvirt's virPCIDeviceAddressParseXML: hex or decimal numbers within the
// PCI limits.
Result<xml::PciAddress> ParsePciAddress(const xmlNode* node) {
  xml::PciAddress a;
  struct Field {
    const char* name;
    unsigned* out;
    unsigned max;
  };
  for (const Field& f : {Field{"domain", &a.domain, 0xffff}, Field{"bus", &a.bus, 0xff},
                         Field{"slot", &a.slot, 0x1f}, Field{"function", &a.function, 7}}) {
    std::optional<std::string> text = xml::Prop(node, f.name);
    if (!text) continue;
    std::optional<unsigned> value = xml::StrToUIntP(*text, 0);
    if (!value) {
      return InternalError(std::string("Cannot parse <address> '") + f.name + "' attribute");
    }
    if (*value > f.max) {
      return XmlError(std::string("Invalid PCI address ") + f.name + "='" + *text + "'");
    }
    *f.out = *value;
  }
  return a;
}

Status ParsePlug(const xmlNode* node, PortPlug& plug) {
  if (!node) return Status::Ok();
  std::optional<std::string> type = xml::Prop(node, "type");
  if (!type) return Status::Ok();
  bool known = false;
  for (PlugType t : kPlugTypes) {
    if (*type == PlugTypeName(t)) {
      plug.type = t;
      known = true;
    }
  }
  if (!known) return xml::InvalidAttrValue(node, "type", *type);
  switch (plug.type) {
    case PlugType::kNone:
      return Status::Ok();
    case PlugType::kNetwork:
    case PlugType::kBridge: {
      std::optional<std::string> bridge = xml::Prop(node, "bridge");
      if (!bridge) return XmlError("Missing network port bridge name");
      plug.bridge = *bridge;
      if (std::optional<std::string> mgr = xml::Prop(node, "macTableManager")) {
        std::optional<xml::MacTableManager> parsed = xml::ParseMacTableManager(*mgr);
        if (!parsed || *parsed == xml::MacTableManager::kDefault) {
          return XmlError("Invalid macTableManager setting '" + *mgr + "' in network port");
        }
        plug.mac_table_manager = *parsed;
      }
      return Status::Ok();
    }
    case PlugType::kDirect: {
      std::optional<std::string> dev = xml::Prop(node, "dev");
      if (!dev) return XmlError("Missing network port link device name");
      plug.dev = *dev;
      plug.direct_mode = xml::ForwardMode::kVepa;
      if (std::optional<std::string> mode = xml::Prop(node, "mode")) {
        bool valid = false;
        for (xml::ForwardMode m : kMacvlanModes) {
          if (*mode == xml::ForwardModeName(m)) {
            plug.direct_mode = m;
            valid = true;
          }
        }
        if (!valid) return XmlError("Invalid mode setting '" + *mode + "' in network port");
      }
      return Status::Ok();
    }
    case PlugType::kHostdevPci: {
      ASSIGN_OR_RETURN(plug.managed, xml::PropTriState(node, "managed"));
      if (const xmlNode* driver = xml::FirstNamedChild(node, "driver")) {
        if (std::optional<std::string> name = xml::Prop(driver, "name")) {
          if (!OneOf(*name, kDriverNames)) return XmlError("Missing network port driver name");
          plug.driver = *name;
        }
      }
      const xmlNode* address = xml::FirstNamedChild(node, "address");
      if (!address) return XmlError("Missing network port PCI address");
      ASSIGN_OR_RETURN(plug.pci, ParsePciAddress(address));
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void FormatPortBandwidth(xml::FormatWriter& w, const xml::Bandwidth& bandwidth, unsigned class_id) {
  xml::FormatWriter inner;
  xml::FormatBandwidth(inner, bandwidth);
  std::string text = inner.Take();
  if (text.empty()) return;
  // virNetDevBandwidthFormat: the class id, when there is one, on <bandwidth>.
  if (class_id) text.replace(0, 11, "<bandwidth classID='" + std::to_string(class_id) + "'>");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    w.Line(std::string_view(text).substr(start, end - start));
    start = end + 1;
  }
}

Result<Uuid> RequiredUuid(const xmlNode* node, const char* missing) {
  if (!node) return InternalError(missing);
  std::string text = xml::Content(node);
  std::optional<Uuid> uuid = xml::ParseUuid(text);
  if (!uuid) return InternalError("Unable to parse UUID '" + text + "'");
  return *uuid;
}

TypedParam Uint(const char* field, unsigned long long v) {
  TypedParam p;
  p.field = field;
  p.type = VIR_TYPED_PARAM_UINT;
  p.u = v;
  return p;
}

}  // namespace

Result<PortDef> ParsePortXml(std::string_view text, bool validate) {
  ASSIGN_OR_RETURN(xml::XmlDocPtr doc,
                   xml::ParseXmlDocument(text, "(networkport_definition)", kMaxPortXmlSize,
                                         xml::XmlErrorStyle::kBrief));
  if (validate) RETURN_IF_ERROR(xml::ValidateNetworkPortSchema(text));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!xml::HasName(root, "networkport")) {
    return XmlError("expecting root element of 'networkport'", VIR_FROM_XML);
  }
  PortDef port;
  ASSIGN_OR_RETURN(port.uuid,
                   RequiredUuid(xml::FirstNamedChild(root, "uuid"), "network port has no uuid"));
  const xmlNode* owner = xml::FirstNamedChild(root, "owner");
  const xmlNode* owner_name = owner ? xml::FirstNamedChild(owner, "name") : nullptr;
  if (!owner_name) return InternalError("network port has no owner name");
  port.owner_name = xml::Content(owner_name);
  ASSIGN_OR_RETURN(port.owner_uuid, RequiredUuid(xml::FirstNamedChild(owner, "uuid"),
                                                 "network port has no owner UUID"));
  if (const xmlNode* group = xml::FirstNamedChild(root, "group")) {
    port.group = xml::Content(group);
  }
  if (const xmlNode* vp = xml::FirstNamedChild(root, "virtualport")) {
    ASSIGN_OR_RETURN(port.virtualport, xml::internal::ParseVirtualPort(vp, false));
  }
  const xmlNode* mac = xml::FirstNamedChild(root, "mac");
  std::optional<std::string> mac_text = mac ? xml::Prop(mac, "address") : std::nullopt;
  if (!mac_text) return InternalError("network port has no mac");
  std::optional<xml::MacAddress> parsed_mac = xml::ParseMac(*mac_text);
  if (!parsed_mac) return InternalError("Unable to parse MAC '" + *mac_text + "'");
  port.mac = *parsed_mac;
  if (const xmlNode* bw = xml::FirstNamedChild(root, "bandwidth")) {
    // As libvirt: a floor is allowed here and checked when the port is used.
    ASSIGN_OR_RETURN(port.bandwidth, xml::internal::ParseBandwidth(bw, true, &port.class_id));
  }
  if (const xmlNode* vlan = xml::FirstNamedChild(root, "vlan")) {
    ASSIGN_OR_RETURN(xml::Vlan parsed, xml::internal::ParseVlan(vlan));
    port.vlan = std::move(parsed);
  }
  ASSIGN_OR_RETURN(port.isolated,
                   xml::PropTriState(xml::FirstNamedChild(root, "port"), "isolated"));
  ASSIGN_OR_RETURN(port.trust_guest_rx_filters,
                   xml::PropTriState(xml::FirstNamedChild(root, "rxfilters"), "trustGuest"));
  RETURN_IF_ERROR(ParsePlug(xml::FirstNamedChild(root, "plug"), port.plug));
  return port;
}

std::string FormatPortXml(const PortDef& port) {
  xml::FormatWriter w;
  w.Line("<networkport>");
  w.Indent();
  w.Line("<uuid>" + xml::FormatUuid(port.uuid) + "</uuid>");
  w.Line("<owner>");
  w.Indent();
  w.Line("<name>" + xml::EscapeXml(port.owner_name) + "</name>");
  w.Line("<uuid>" + xml::FormatUuid(port.owner_uuid) + "</uuid>");
  w.Outdent();
  w.Line("</owner>");
  if (!port.group.empty()) w.Line("<group>" + xml::EscapeXml(port.group) + "</group>");
  w.Line("<mac address='" + xml::FormatMac(port.mac) + "'/>");
  if (port.virtualport) xml::FormatVirtualPort(w, *port.virtualport);
  if (port.bandwidth) FormatPortBandwidth(w, *port.bandwidth, port.class_id);
  if (port.vlan) xml::FormatVlan(w, *port.vlan);
  if (port.isolated != xml::TriState::kAbsent) {
    w.Line("<port" + xml::TriAttr("isolated", port.isolated) + "/>");
  }
  if (port.trust_guest_rx_filters != xml::TriState::kAbsent) {
    w.Line("<rxfilters" + xml::TriAttr("trustGuest", port.trust_guest_rx_filters) + "/>");
  }
  FormatPlug(w, port.plug);
  w.Outdent();
  w.Line("</networkport>");
  return w.Take();
}

std::vector<TypedParam> PortParameters(const PortDef& port) {
  std::vector<TypedParam> out;
  if (!port.bandwidth) return out;
  if (const auto& in = port.bandwidth->inbound) {
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_IN_AVERAGE, in->average));
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_IN_PEAK, in->peak));
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_IN_FLOOR, in->floor));
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_IN_BURST, in->burst));
  }
  if (const auto& outb = port.bandwidth->outbound) {
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_OUT_AVERAGE, outb->average));
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_OUT_PEAK, outb->peak));
    out.push_back(Uint(VIR_NETWORK_PORT_BANDWIDTH_OUT_BURST, outb->burst));
  }
  return out;
}

Status SetPortParameters(PortDef& port, const std::vector<TypedParam>& params) {
  xml::Bandwidth bw;
  for (const TypedParam& p : params) {
    if (p.type != VIR_TYPED_PARAM_UINT) {
      return MakeError(VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
                       "invalid type for parameter '" + p.field + "'");
    }
    std::string_view f = p.field;
    bool inbound = f.starts_with("inbound.");
    bool outbound = f.starts_with("outbound.");
    if (!inbound && !outbound) {
      return MakeError(VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
                       "parameter '" + p.field + "' not supported");
    }
    auto& rate = inbound ? bw.inbound : bw.outbound;
    if (!rate) rate = xml::BandwidthRate{};
    std::string_view key = f.substr(f.find('.') + 1);
    if (key == "average") {
      rate->average = p.u;
    } else if (key == "peak") {
      rate->peak = p.u;
    } else if (key == "burst") {
      rate->burst = p.u;
    } else if (key == "floor" && inbound) {
      rate->floor = p.u;
    } else {
      return MakeError(VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
                       "parameter '" + p.field + "' not supported");
    }
  }
  // As libvirt: a direction without its mandatory average (or, inbound, a
  // floor) is no limit at all.
  if (bw.inbound && !bw.inbound->average && !bw.inbound->floor) bw.inbound.reset();
  if (bw.outbound && !bw.outbound->average) bw.outbound.reset();
  if (bw.inbound || bw.outbound) {
    port.bandwidth = bw;
  } else {
    port.bandwidth.reset();
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
