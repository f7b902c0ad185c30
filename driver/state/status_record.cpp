#include "driver/state/status_record.h"

#include <charconv>
#include <utility>

#include "xml/xml_document.h"
#include "xml/xml_escape.h"
#include "xml/xml_node.h"

namespace virtnat::driver {
namespace {

constexpr std::string_view kRoot = "virtnat-status";
constexpr std::string_view kVersion = "1";
// A definition is at most 1 MiB; escaping can grow it a few times.
constexpr size_t kMaxStatusSize = 16 << 20;
constexpr char kPhaseKey[] = "phase";
constexpr char kPhaseStarting[] = "starting";

// A record must give back exactly what was written (a dnsmasq command line
// is compared byte for byte at re-adoption), so a control character that
// XML cannot carry is refused rather than dropped as EscapeXml would.
Status Escape(std::string_view in, std::string& out) {
  for (char c : in) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return InternalError("status record value contains control character " +
                           std::to_string(static_cast<int>(c)));
    }
  }
  out += xml::EscapeXml(in);
  return Status::Ok();
}

Status ValueElement(std::string& out, std::string_view indent, std::string_view element,
                    std::string_view value) {
  out.append(indent).append("<").append(element).append(" value='");
  RETURN_IF_ERROR(Escape(value, out));
  out += "'/>\n";
  return Status::Ok();
}

Error Malformed(const std::string& label, const std::string& what) {
  return InternalError("malformed status record '" + label + "': " + what);
}

Result<std::string> RequiredValue(const xmlNode* parent, const char* element,
                                  const std::string& label) {
  std::optional<std::string> value = xml::Prop(xml::FirstPlainChild(parent, element), "value");
  if (!value) return Malformed(label, std::string("missing <") + element + " value=.../>");
  return *value;
}

std::vector<std::string> Values(const xmlNode* parent, const char* element) {
  std::vector<std::string> out;
  for (xmlNode* node : xml::PlainChildren(parent, element)) {
    out.push_back(xml::Prop(node, "value").value_or(""));
  }
  return out;
}

template <typename Int>
bool ParseInt(const std::optional<std::string>& text, Int& out) {
  if (!text || text->empty()) return false;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), out);
  return ec == std::errc() && end == text->data() + text->size();
}

Result<InterfaceAddress> ParseAddress(const std::string& text, const std::string& label) {
  const size_t slash = text.find('/');
  std::optional<IpAddress> ip = IpAddress::Parse(text.substr(0, slash));
  InterfaceAddress address;
  if (!ip || slash == std::string::npos ||
      !ParseInt(std::optional<std::string>(text.substr(slash + 1)), address.prefix) ||
      address.prefix > FamilyBits(ip->family())) {
    return Malformed(label, "invalid address '" + text + "'");
  }
  address.address = *ip;
  return address;
}

Result<DnsmasqStatus> ParseDnsmasq(const xmlNode* node, const std::string& label) {
  DnsmasqStatus d;
  if (!ParseInt(xml::Prop(node, "pid"), d.pid) || d.pid <= 0) {
    return Malformed(label, "invalid dnsmasq pid");
  }
  if (!ParseInt(xml::Prop(node, "starttime"), d.start_time)) {
    return Malformed(label, "invalid dnsmasq starttime");
  }
  d.cmdline = Values(node, "arg");
  if (d.cmdline.empty()) return Malformed(label, "dnsmasq without a command line");
  return d;
}

}  // namespace

Result<std::string> FormatStatusRecord(const StatusRecord& r) {
  if (r.name.empty() || r.live_xml.empty()) {
    return InternalError("status record without a network name or live definition");
  }
  std::string out = "<" + std::string(kRoot) + " version='" + std::string(kVersion) + "'>\n";
  RETURN_IF_ERROR(ValueElement(out, "  ", "name", r.name));
  RETURN_IF_ERROR(ValueElement(out, "  ", "bridge", r.bridge));
  for (const InterfaceAddress& a : r.addresses) {
    if (!a.address.valid()) {
      return InternalError("status record of '" + r.name + "' has an invalid address");
    }
    RETURN_IF_ERROR(ValueElement(out, "  ", "address", AddressText(a)));
  }
  RETURN_IF_ERROR(ValueElement(out, "  ", "firewall", r.firewall));
  if (r.dnsmasq) {
    if (r.dnsmasq->pid <= 0 || r.dnsmasq->cmdline.empty()) {
      return InternalError("status record of '" + r.name + "' has an invalid dnsmasq entry");
    }
    out += "  <dnsmasq pid='" + std::to_string(r.dnsmasq->pid) + "' starttime='" +
           std::to_string(r.dnsmasq->start_time) + "'>\n";
    for (const std::string& a : r.dnsmasq->cmdline) {
      RETURN_IF_ERROR(ValueElement(out, "    ", "arg", a));
    }
    out += "  </dnsmasq>\n";
  }
  for (const std::string& f : r.files) RETURN_IF_ERROR(ValueElement(out, "  ", "file", f));
  for (const auto& [key, value] : r.extra) {
    out += "  <extra key='";
    RETURN_IF_ERROR(Escape(key, out));
    out += "' value='";
    RETURN_IF_ERROR(Escape(value, out));
    out += "'/>\n";
  }
  for (const std::string& port : r.ports) {
    if (port.empty()) return InternalError("status record of '" + r.name + "' has an empty port");
    out += "  <port>";
    RETURN_IF_ERROR(Escape(port, out));
    out += "</port>\n";
  }
  out += "  <definition>";
  RETURN_IF_ERROR(Escape(r.live_xml, out));
  out += "</definition>\n</" + std::string(kRoot) + ">\n";
  return out;
}

Result<StatusRecord> ParseStatusRecord(std::string_view text, const std::string& label) {
  Result<xml::XmlDocPtr> doc = xml::ParseXmlDocument(text, label, kMaxStatusSize);
  if (!doc.ok()) {
    // libxml2's first line says what and where; the rest quotes the file.
    const std::string message = doc.status().message();
    return Malformed(label, message.substr(0, message.find('\n')));
  }
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!xml::IsPlainElement(root, std::string(kRoot).c_str())) {
    return Malformed(label, "root element is <" + xml::NodeName(root) + ">");
  }
  if (xml::Prop(root, "version") != std::string(kVersion)) {
    return Malformed(label, "unsupported version");
  }
  StatusRecord r;
  ASSIGN_OR_RETURN(r.name, RequiredValue(root, "name", label));
  ASSIGN_OR_RETURN(r.bridge, RequiredValue(root, "bridge", label));
  ASSIGN_OR_RETURN(r.firewall, RequiredValue(root, "firewall", label));
  for (const std::string& text : Values(root, "address")) {
    ASSIGN_OR_RETURN(InterfaceAddress address, ParseAddress(text, label));
    r.addresses.push_back(address);
  }
  if (const xmlNode* d = xml::FirstPlainChild(root, "dnsmasq")) {
    ASSIGN_OR_RETURN(r.dnsmasq, ParseDnsmasq(d, label));
  }
  r.files = Values(root, "file");
  for (xmlNode* node : xml::PlainChildren(root, "extra")) {
    std::optional<std::string> key = xml::Prop(node, "key");
    if (!key) return Malformed(label, "<extra> without a key");
    r.extra[*key] = xml::Prop(node, "value").value_or("");
  }
  for (xmlNode* node : xml::PlainChildren(root, "port")) {
    r.ports.push_back(xml::Content(node));
    if (r.ports.back().empty()) return Malformed(label, "empty <port>");
  }
  const xmlNode* def = xml::FirstPlainChild(root, "definition");
  if (def == nullptr) return Malformed(label, "missing <definition>");
  r.live_xml = xml::Content(def);
  if (r.live_xml.empty()) return Malformed(label, "empty <definition>");
  return r;
}

std::string AddressText(const InterfaceAddress& a) {
  return a.address.ToString() + "/" + std::to_string(a.prefix);
}

StatusRecord StartIntentRecord(const std::string& name, const std::string& live_xml,
                               const std::string& bridge, const std::string& firewall) {
  StatusRecord record;
  record.name = name;
  record.live_xml = live_xml;
  record.bridge = bridge;
  record.firewall = firewall;
  record.extra[kPhaseKey] = kPhaseStarting;
  return record;
}

bool IsStartIntent(const StatusRecord& record) {
  auto it = record.extra.find(kPhaseKey);
  return it != record.extra.end() && it->second == kPhaseStarting;
}

}  // namespace virtnat::driver
