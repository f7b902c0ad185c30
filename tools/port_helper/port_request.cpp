#include "tools/port_helper/port_request.h"

#include <algorithm>
#include <cstring>

#include "xml/network_parse.h"
#include "xml/xml_document.h"
#include "xml/xml_escape.h"
#include "xml/xml_node.h"

namespace virtnat::port_helper {
namespace {

Error Usage(const std::string& text) {
  return MakeError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, text + "\n" + kUsage);
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::optional<std::string> NormalizedMac(const std::string& text) {
  std::optional<xml::MacAddress> mac = xml::ParseMac(text);
  if (!mac) return std::nullopt;
  return xml::FormatMac(*mac);
}

// "a=1,b=2" → the value of `key` ("" when absent); the first field is
// returned for key "" (the netdev type or device driver).
std::string OptionField(const std::string& value, const std::string& key) {
  size_t start = 0;
  bool first = true;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string field = value.substr(start, end - start);
    if (first && key.empty()) return field;
    first = false;
    if (field.rfind(key + "=", 0) == 0 && !key.empty()) return field.substr(key.size() + 1);
    start = end + 1;
  }
  return "";
}

}  // namespace

Result<PortRequest> ParsePortRequest(const std::vector<std::string>& args, const GetEnv& env) {
  PortRequest request;
  auto from_env = [&](const char* name) -> std::string {
    const char* value = env(name);
    return value ? value : "";
  };
  std::string program = args.empty() ? "virtnat-port" : Basename(args[0]);
  std::string name_network;
  bool have_action = false;
  for (const char* stem : {"virtnat-ifup", "virtnat-ifdown"}) {
    std::string s = stem;
    if (program == s || program.rfind(s + "@", 0) == 0) {
      request.action = s == "virtnat-ifup" ? PortAction::kUp : PortAction::kDown;
      have_action = true;
      if (program.size() > s.size()) name_network = program.substr(s.size() + 1);
    }
  }
  std::string network, mac, owner_uuid;
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& out) -> Status {
      if (i + 1 >= args.size()) return Usage("option " + arg + " needs a value");
      out = args[++i];
      return Status::Ok();
    };
    if (arg == "--network") {
      RETURN_IF_ERROR(value(network));
    } else if (arg == "--mac") {
      RETURN_IF_ERROR(value(mac));
    } else if (arg == "--owner-name") {
      RETURN_IF_ERROR(value(request.owner_name));
    } else if (arg == "--owner-uuid") {
      RETURN_IF_ERROR(value(owner_uuid));
    } else if (arg == "--connect") {
      RETURN_IF_ERROR(value(request.uri));
    } else if (arg.rfind("--", 0) == 0) {
      return Usage("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  if (!have_action) {
    if (positional.empty() || (positional[0] != "up" && positional[0] != "down")) {
      return Usage("say up or down (or call the program as virtnat-ifup / virtnat-ifdown)");
    }
    request.action = positional[0] == "up" ? PortAction::kUp : PortAction::kDown;
    positional.erase(positional.begin());
  }
  if (positional.empty()) return Usage("no tap device given");
  request.tap = positional[0];
  if (request.tap.empty() || request.tap.size() >= 16 ||
      request.tap.find('/') != std::string::npos) {
    return Usage("'" + request.tap + "' is not an interface name");
  }
  for (const std::string* candidate : {&network, &name_network}) {
    if (request.network.empty()) request.network = *candidate;
  }
  if (request.network.empty()) request.network = from_env("VIRTNAT_NETWORK");
  if (request.network.empty()) request.network = "default";
  if (mac.empty()) mac = from_env("VIRTNAT_MAC");
  if (!mac.empty()) {
    std::optional<std::string> normalized = NormalizedMac(mac);
    if (!normalized) return Usage("'" + mac + "' is not a MAC address (like 52:54:00:12:34:56)");
    request.mac = *normalized;
  }
  if (request.owner_name.empty()) request.owner_name = from_env("VIRTNAT_OWNER_NAME");
  if (owner_uuid.empty()) owner_uuid = from_env("VIRTNAT_OWNER_UUID");
  if (!owner_uuid.empty()) {
    std::optional<xml::Uuid> uuid = xml::ParseUuid(owner_uuid);
    if (!uuid) return Usage("'" + owner_uuid + "' is not a UUID");
    request.owner_uuid = xml::FormatUuid(*uuid);
  }
  if (request.uri.empty()) request.uri = from_env("VIRTNAT_CONNECT");
  if (request.uri.empty()) request.uri = "network:///system";
  return request;
}

GuestFacts GuestFromQemuCommandLine(const std::vector<std::string>& args, const std::string& tap) {
  GuestFacts facts;
  if (args.empty()) return facts;
  std::string program = Basename(args[0]);
  if (program.find("qemu") == std::string::npos && program.find("kvm") == std::string::npos) {
    return facts;
  }
  std::vector<std::string> named_ids, unnamed_ids;
  std::vector<std::pair<std::string, std::string>> devices;  // netdev id, mac
  std::string nic_named_mac, nic_unnamed_mac;
  int nic_unnamed = 0;
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    std::string option = args[i];
    if (option.rfind("--", 0) == 0) option = option.substr(1);
    const std::string& value = args[i + 1];
    if (option == "-name") {
      std::string name = OptionField(value, "guest");
      facts.name = name.empty() ? OptionField(value, "") : name;
      ++i;
    } else if (option == "-uuid") {
      if (std::optional<xml::Uuid> uuid = xml::ParseUuid(value))
        facts.uuid = xml::FormatUuid(*uuid);
      ++i;
    } else if (option == "-netdev" && OptionField(value, "") == "tap") {
      std::string ifname = OptionField(value, "ifname");
      if (ifname == tap) named_ids.push_back(OptionField(value, "id"));
      if (ifname.empty()) unnamed_ids.push_back(OptionField(value, "id"));
      ++i;
    } else if (option == "-device") {
      devices.emplace_back(OptionField(value, "netdev"), OptionField(value, "mac"));
      ++i;
    } else if (option == "-nic" && OptionField(value, "") == "tap") {
      std::string ifname = OptionField(value, "ifname");
      if (ifname == tap) nic_named_mac = OptionField(value, "mac");
      if (ifname.empty()) {
        ++nic_unnamed;
        nic_unnamed_mac = OptionField(value, "mac");
      }
      ++i;
    }
  }
  std::string id;
  if (named_ids.size() == 1) id = named_ids[0];
  if (named_ids.empty() && unnamed_ids.size() == 1 && nic_unnamed == 0) id = unnamed_ids[0];
  std::string mac;
  if (!id.empty()) {
    for (const auto& [netdev, device_mac] : devices) {
      if (netdev == id) mac = device_mac;
    }
  } else if (!nic_named_mac.empty()) {
    mac = nic_named_mac;
  } else if (named_ids.empty() && unnamed_ids.empty() && nic_unnamed == 1) {
    mac = nic_unnamed_mac;
  }
  if (std::optional<std::string> normalized = NormalizedMac(mac)) facts.mac = *normalized;
  return facts;
}

void CompleteRequest(PortRequest& request, const GuestFacts& guest, const std::string& tap_mac) {
  if (request.mac.empty()) request.mac = guest.mac;
  if (request.mac.empty()) request.mac = NormalizedMac(tap_mac).value_or("");
  if (request.owner_name.empty() && request.owner_uuid.empty()) {
    request.owner_name = guest.name;
    request.owner_uuid = guest.uuid;
  }
  if (request.owner_name.empty()) request.owner_name = request.tap;
}

std::string BuildPortXml(const PortRequest& request, const xml::Uuid& port_uuid,
                         const xml::Uuid& owner_uuid) {
  std::string out = "<networkport>\n";
  out += "  <uuid>" + xml::FormatUuid(port_uuid) + "</uuid>\n";
  out += "  <owner>\n";
  out += "    <name>" + xml::EscapeXml(request.owner_name) + "</name>\n";
  out += "    <uuid>" +
         (request.owner_uuid.empty() ? xml::FormatUuid(owner_uuid) : request.owner_uuid) +
         "</uuid>\n";
  out += "  </owner>\n";
  out += "  <mac address='" + xml::EscapeXml(request.mac) + "'/>\n";
  out += "</networkport>\n";
  return out;
}

Result<TapSettings> SettingsForTap(const xml::NetworkDef& net, std::string_view port_xml) {
  ASSIGN_OR_RETURN(xml::XmlDocPtr doc,
                   xml::ParseXmlDocument(port_xml, "(networkport_definition)",
                                         xml::kMaxNetworkXmlSize, xml::XmlErrorStyle::kBrief));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  TapSettings settings;
  if (const xmlNode* plug = xml::FirstNamedChild(root, "plug")) {
    settings.bridge = xml::Prop(plug, "bridge").value_or("");
  }
  bool bridged =
      xml::HasManagedBridge(net.forward.mode) || net.forward.mode == xml::ForwardMode::kBridge;
  if (settings.bridge.empty() && bridged) settings.bridge = net.bridge.name;
  if (!bridged || settings.bridge.empty()) {
    return ConfigUnsupported("network '" + net.name + "' (forward mode '" +
                             xml::ForwardModeName(net.forward.mode) +
                             "') has no bridge to plug a tap into; use a network in nat, route, "
                             "open or bridge mode, or no forward mode");
  }
  settings.mtu = net.mtu;
  xml::TriState isolated = net.port_isolated;
  if (const xmlNode* port = xml::FirstNamedChild(root, "port")) {
    std::optional<std::string> text = xml::Prop(port, "isolated");
    if (text) {
      std::optional<xml::TriState> parsed = xml::ParseYesNo(*text);
      if (!parsed) return XmlError("invalid port isolated value '" + *text + "'");
      isolated = *parsed;
    }
  }
  settings.isolated = isolated == xml::TriState::kYes;
  if (const xmlNode* bw = xml::FirstNamedChild(root, "bandwidth")) {
    xml::Bandwidth bandwidth;
    auto rate = [&](const char* element) -> std::optional<xml::BandwidthRate> {
      const xmlNode* node = xml::FirstNamedChild(bw, element);
      if (!node) return std::nullopt;
      xml::BandwidthRate r;
      auto num = [&](const char* attr) {
        return std::strtoull(xml::Prop(node, attr).value_or("0").c_str(), nullptr, 10);
      };
      r.average = num("average");
      r.peak = num("peak");
      r.burst = num("burst");
      // A floor is the network's to guarantee (a class on its bridge), not
      // the tap's: the tap gets average, peak and burst, as libvirt's qemu
      // driver applies them.
      if (r.average == 0) return std::nullopt;
      return r;
    };
    bandwidth.inbound = rate("inbound");
    bandwidth.outbound = rate("outbound");
    if (bandwidth.inbound || bandwidth.outbound) settings.bandwidth = bandwidth;
  }
  return settings;
}

namespace {

// The first <NAME> child of the root (or of its <PARENT>), or nullptr.
const xmlNode* PortElement(const xml::XmlDocPtr& doc, const char* parent, const char* name) {
  const xmlNode* node = xmlDocGetRootElement(doc.get());
  if (parent) node = xml::FirstNamedChild(node, parent);
  return node ? xml::FirstNamedChild(node, name) : nullptr;
}

Result<xml::XmlDocPtr> ParsePort(std::string_view port_xml) {
  return xml::ParseXmlDocument(port_xml, "(networkport_definition)", xml::kMaxNetworkXmlSize,
                               xml::XmlErrorStyle::kBrief);
}

}  // namespace

std::string PortMac(std::string_view port_xml) {
  Result<xml::XmlDocPtr> doc = ParsePort(port_xml);
  const xmlNode* mac = doc.ok() ? PortElement(*doc, nullptr, "mac") : nullptr;
  if (!mac) return "";
  return NormalizedMac(xml::Prop(mac, "address").value_or("")).value_or("");
}

std::string PortOwnerName(std::string_view port_xml) {
  Result<xml::XmlDocPtr> doc = ParsePort(port_xml);
  const xmlNode* name = doc.ok() ? PortElement(*doc, "owner", "name") : nullptr;
  return name ? xml::Content(name) : "";
}

bool PortMatches(const PortRequest& request, std::string_view port_xml) {
  if (!request.mac.empty()) return PortMac(port_xml) == request.mac;
  return PortOwnerName(port_xml) == request.tap;
}

}  // namespace virtnat::port_helper
