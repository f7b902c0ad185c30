#include "driver/objects/network_port.h"

#include <libvirt/libvirt.h>

#include <cstdlib>

#include "xml/network_parse.h"
#include "xml/xml_document.h"
#include "xml/xml_escape.h"
#include "xml/xml_node.h"

namespace virtnat::driver {
namespace {

// Port XML is a client's text: at most as large as a network definition.
constexpr size_t kMaxPortXmlSize = xml::kMaxNetworkXmlSize;

// virXMLPropString: "" when absent.
std::string Attribute(const xmlNode* node, const char* name) {
  return xml::Prop(node, name).value_or("");
}

std::optional<xml::BandwidthRate> ParseRate(const xmlNode* node) {
  if (!node) return std::nullopt;
  xml::BandwidthRate rate;
  auto num = [&](const char* attr) {
    return std::strtoull(Attribute(node, attr).c_str(), nullptr, 10);
  };
  rate.average = num("average");
  rate.peak = num("peak");
  rate.floor = num("floor");
  rate.burst = num("burst");
  return rate;
}

void FormatRate(std::string& out, const char* element, const xml::BandwidthRate& r) {
  out += "    <" + std::string(element);
  if (r.average) out += " average='" + std::to_string(r.average) + "'";
  if (r.peak) out += " peak='" + std::to_string(r.peak) + "'";
  if (r.floor) out += " floor='" + std::to_string(r.floor) + "'";
  if (r.burst) out += " burst='" + std::to_string(r.burst) + "'";
  out += "/>\n";
}

TypedParam Uint(const char* field, unsigned long long v) {
  TypedParam p;
  p.field = field;
  p.type = VIR_TYPED_PARAM_UINT;
  p.u = v;
  return p;
}

}  // namespace

Result<PortDef> ParsePortXml(std::string_view text) {
  ASSIGN_OR_RETURN(xml::XmlDocPtr doc,
                   xml::ParseXmlDocument(text, "(networkport_definition)", kMaxPortXmlSize,
                                         xml::XmlErrorStyle::kBrief));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!xml::HasName(root, "networkport")) {
    return XmlError("expecting root element of 'networkport'", VIR_FROM_XML);
  }
  PortDef port;
  const xmlNode* uuid = xml::FirstNamedChild(root, "uuid");
  if (!uuid) return InternalError("network port has no uuid");
  std::optional<Uuid> parsed = xml::ParseUuid(xml::Content(uuid));
  if (!parsed) return InternalError("Unable to parse UUID '" + xml::Content(uuid) + "'");
  port.uuid = *parsed;
  if (const xmlNode* owner = xml::FirstNamedChild(root, "owner")) {
    if (const xmlNode* n = xml::FirstNamedChild(owner, "name")) port.owner_name = xml::Content(n);
    if (const xmlNode* u = xml::FirstNamedChild(owner, "uuid")) {
      port.owner_uuid = xml::ParseUuid(xml::Content(u));
    }
  }
  if (const xmlNode* mac = xml::FirstNamedChild(root, "mac")) port.mac = Attribute(mac, "address");
  if (const xmlNode* group = xml::FirstNamedChild(root, "group")) {
    port.group = xml::Content(group);
  }
  if (const xmlNode* bw = xml::FirstNamedChild(root, "bandwidth")) {
    xml::Bandwidth b;
    b.inbound = ParseRate(xml::FirstNamedChild(bw, "inbound"));
    b.outbound = ParseRate(xml::FirstNamedChild(bw, "outbound"));
    if (b.inbound || b.outbound) port.bandwidth = b;
  }
  return port;
}

std::string FormatPortXml(const PortDef& port) {
  std::string out = "<networkport>\n";
  out += "  <uuid>" + xml::FormatUuid(port.uuid) + "</uuid>\n";
  if (!port.owner_name.empty() || port.owner_uuid) {
    out += "  <owner>\n";
    out += "    <name>" + xml::EscapeXml(port.owner_name) + "</name>\n";
    if (port.owner_uuid) out += "    <uuid>" + xml::FormatUuid(*port.owner_uuid) + "</uuid>\n";
    out += "  </owner>\n";
  }
  if (!port.group.empty()) out += "  <group>" + xml::EscapeXml(port.group) + "</group>\n";
  if (!port.mac.empty()) out += "  <mac address='" + xml::EscapeXml(port.mac) + "'/>\n";
  if (port.bandwidth) {
    out += "  <bandwidth>\n";
    if (port.bandwidth->inbound) FormatRate(out, "inbound", *port.bandwidth->inbound);
    if (port.bandwidth->outbound) FormatRate(out, "outbound", *port.bandwidth->outbound);
    out += "  </bandwidth>\n";
  }
  out += FormatPlug(port.plug);
  out += "</networkport>\n";
  return out;
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
  if (bw.inbound || bw.outbound) {
    port.bandwidth = bw;
  } else {
    port.bandwidth.reset();
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
