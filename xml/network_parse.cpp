// ParseNetworkXml: the <network> root and its simple children, in the order
// libvirt's virNetworkDefParseXML reads them (the first error wins, so the
// order decides which message a user sees).
#include "xml/network_parse.h"

#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_document.h"
#include "xml/xml_node.h"

namespace virtnat::xml {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

Status ParseIdentity(const xmlNode* root, NetworkDef& def) {
  auto name = ChildText(root, "name");
  if (!name) return MakeError(VIR_ERR_NO_NAME, VIR_FROM_NETWORK, "missing name information");
  if (name->find('/') != std::string::npos) {
    return XmlDetail("invalid char in name: /", VIR_FROM_XML);
  }
  def.name = *name;
  if (auto uuid = ChildText(root, "uuid")) {
    auto parsed = ParseUuid(*uuid);
    if (!parsed) return InternalError("malformed uuid element");
    def.uuid = *parsed;
    def.uuid_given = true;
  }
  def.title = ChildText(root, "title").value_or("");
  if (def.title.find('\n') != std::string::npos) {
    return XmlError("Network title can't contain newlines");
  }
  def.description = ChildText(root, "description").value_or("");
  if (auto ipv6 = XPathProp(root, "ipv6")) {
    auto value = ParseYesNo(*ipv6);
    if (!value) return XmlError("Invalid ipv6 setting " + Q(*ipv6) + " in network " + Q(def.name));
    def.ipv6 = *value == TriState::kYes;
  }
  ASSIGN_OR_RETURN(def.trust_guest_rx_filters, PropTriState(root, "trustGuestRxFilters"));
  return Status::Ok();
}

Status ParseDomainBandwidthVlanPort(const xmlNode* root, NetworkDef& def) {
  const xmlNode* domain = FirstPlainChild(root, "domain");
  if (auto name = Prop(domain, "name")) {
    RETURN_IF_ERROR(CheckDnsmasqSafe(*name, "domain name", def.name));
    def.domain.name = *name;
  }
  ASSIGN_OR_RETURN(def.domain.local_only, PropTriState(domain, "localOnly"));
  if (const xmlNode* bw = FirstPlainChild(root, "bandwidth")) {
    ASSIGN_OR_RETURN(def.bandwidth, internal::ParseBandwidth(bw, false));
  }
  if (const xmlNode* vlan = FirstPlainChild(root, "vlan")) {
    ASSIGN_OR_RETURN(def.vlan, internal::ParseVlan(vlan));
  }
  ASSIGN_OR_RETURN(def.port_isolated, PropTriState(FirstPlainChild(root, "port"), "isolated"));
  return Status::Ok();
}

// <bridge>, <mac>, <mtu>. Returns through `stp_given` whether a stp
// attribute was present (other modes reject it).
Status ParseBridgeMacMtu(const xmlNode* root, NetworkDef& def, bool& stp_given) {
  const xmlNode* bridge = FirstPlainChild(root, "bridge");
  def.has_bridge_element = bridge != nullptr;
  def.bridge.name = XPathProp(bridge, "name").value_or("");
  def.bridge.zone = XPathProp(bridge, "zone").value_or("");
  RETURN_IF_ERROR(CheckDnsmasqSafe(def.bridge.name, "bridge name", def.name));
  RETURN_IF_ERROR(CheckDnsmasqSafe(def.bridge.zone, "bridge zone", def.name));
  auto stp = XPathProp(bridge, "stp");
  stp_given = stp.has_value();
  def.bridge.stp = !(stp && *stp == "off");
  if (auto delay = XPathProp(bridge, "delay")) {
    auto value = StrToULL(*delay, 10, false);
    if (!value) return XmlError("Invalid delay value in network " + Q(def.name));
    def.bridge.delay = static_cast<unsigned long>(*value);
  }
  if (auto mtm = XPathProp(bridge, "macTableManager")) {
    auto value = ParseMacTableManager(*mtm);
    if (!value) {
      return XmlError("Invalid macTableManager setting " + Q(*mtm) + " in network " + Q(def.name));
    }
    def.bridge.mac_table_manager = *value;
  }
  if (auto mac = XPathProp(FirstPlainChild(root, "mac"), "address")) {
    auto value = ParseMac(*mac);
    if (!value) {
      return XmlError("Invalid bridge mac address " + Q(*mac) + " in network " + Q(def.name));
    }
    if ((*value)[0] & 1) {
      return XmlError("Invalid multicast bridge mac address " + Q(*mac) + " in network " +
                      Q(def.name));
    }
    def.mac = *value;
  }
  if (auto mtu = XPathProp(FirstPlainChild(root, "mtu"), "size")) {
    auto value = StrToUInt(*mtu, 10);
    if (!value) return XmlError("Invalid mtu size " + Q(*mtu) + " in network " + Q(def.name));
    def.mtu = *value;
  }
  return Status::Ok();
}

Status ParseLists(const xmlNode* root, NetworkDef& def) {
  if (const xmlNode* dns = FirstPlainChild(root, "dns")) {
    RETURN_IF_ERROR(internal::ParseDns(def.name, dns, def.dns));
  }
  if (const xmlNode* vp = FirstPlainChild(root, "virtualport")) {
    ASSIGN_OR_RETURN(def.virtualport, internal::ParseVirtualPort(vp, true));
  }
  for (const xmlNode* pg : PlainChildren(root, "portgroup")) {
    ASSIGN_OR_RETURN(PortGroup group, internal::ParsePortGroup(pg));
    def.portgroups.push_back(std::move(group));
  }
  for (const xmlNode* ip : PlainChildren(root, "ip")) {
    IpDef ipdef;
    RETURN_IF_ERROR(internal::ParseIp(def.name, ip, ipdef));
    def.ips.push_back(std::move(ipdef));
  }
  for (const xmlNode* route : PlainChildren(root, "route")) {
    ASSIGN_OR_RETURN(RouteDef r, internal::ParseRoute(def.name, route));
    def.routes.push_back(std::move(r));
  }
  return internal::CheckRouteGateways(def);
}

Status ParseNamespaced(const xmlNode* root, NetworkDef& def) {
  if (const xmlNode* metadata = FirstPlainChild(root, "metadata")) {
    ASSIGN_OR_RETURN(def.metadata, internal::SerializeMetadata(metadata));
  }
  ASSIGN_OR_RETURN(def.dnsmasq_options, internal::ParseDnsmasqOptions(root));
  for (const auto& option : def.dnsmasq_options) {
    RETURN_IF_ERROR(CheckDnsmasqSafe(option, "dnsmasq option", def.name));
  }
  for (const xmlNode* pf : NsChildren(root, "portForward", kVirtnatNamespace)) {
    ASSIGN_OR_RETURN(PortForward forward, internal::ParsePortForward(def.name, pf));
    def.port_forwards.push_back(std::move(forward));
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

Status CheckRouteGateways(const NetworkDef& def) {
  for (const RouteDef& route : def.routes) {
    bool reachable = false;
    for (const IpDef& ip : def.ips) {
      if (ip.family() != route.gateway.family()) continue;
      int prefix = LibvirtPrefix(ip);
      if (prefix < 0 || static_cast<unsigned>(prefix) > FamilyBits(ip.family())) continue;
      if (ip.address.SameSubnet(route.gateway, static_cast<unsigned>(prefix))) {
        reachable = true;
        break;
      }
    }
    if (!reachable) {
      return ConfigUnsupported("unreachable static route gateway " + Q(route.gateway.ToString()) +
                               " specified for network " + Q(def.name));
    }
  }
  return Status::Ok();
}

Status CheckForwardRules(const NetworkDef& def, bool stp_given) {
  const ForwardDef& fwd = def.forward;
  std::string mode = ForwardModeName(fwd.mode);
  size_t pool = fwd.interfaces.size() + fwd.pci_addresses.size();
  switch (fwd.mode) {
    case ForwardMode::kNone:
      break;
    case ForwardMode::kNat:
    case ForwardMode::kRoute:
    case ForwardMode::kOpen:
      if (def.ips.empty()) {
        return XmlError(mode + " forwarding requested, but no IP address provided for network " +
                        Q(def.name));
      }
      if (pool > 1) {
        return XmlError("multiple forwarding interfaces specified for network " + Q(def.name) +
                        ", only one is supported");
      }
      if (fwd.mode == ForwardMode::kOpen && pool > 0) {
        return XmlError("forward dev not allowed for network " + Q(def.name) +
                        " with forward mode=" + Q(mode));
      }
      break;
    case ForwardMode::kPrivate:
    case ForwardMode::kVepa:
    case ForwardMode::kPassthrough:
    case ForwardMode::kHostdev:
      if (!def.bridge.name.empty()) {
        return XmlError("bridge name not allowed in " + mode + " mode (network " + Q(def.name) +
                        ")");
      }
      if (!def.bridge.zone.empty()) {
        return XmlError("bridge zone not allowed in " + mode + " mode (network " + Q(def.name) +
                        ")");
      }
      if (def.bridge.mac_table_manager != MacTableManager::kDefault) {
        return XmlError("bridge macTableManager setting not allowed in " + mode +
                        " mode (network " + Q(def.name) + ")");
      }
      [[fallthrough]];
    case ForwardMode::kBridge:
      if (def.bridge.delay != 0 || stp_given || !def.bridge.zone.empty()) {
        return XmlError(
            "bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in " +
            mode + " (network " + Q(def.name) + ")");
      }
      if (!def.bridge.name.empty() && (pool > 0 || !fwd.pf_devs.empty())) {
        return XmlError("A network with forward mode=" + Q(mode) +
                        " can specify a bridge name or a forward dev, but not both (network " +
                        Q(def.name) + ")");
      }
      break;
  }
  if (def.mtu != 0 && !HasManagedBridge(fwd.mode)) {
    return XmlError("mtu size only allowed in open, route, nat, and isolated mode, not in " + mode +
                    " (network " + Q(def.name) + ")");
  }
  return Status::Ok();
}

}  // namespace internal

Result<NetworkDef> ParseNetworkXml(std::string_view text) {
  ASSIGN_OR_RETURN(XmlDocPtr doc,
                   ParseXmlDocument(text, "(network_definition)", kMaxNetworkXmlSize));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!HasName(root, "network")) {
    return XmlError("expecting root element of 'network', not " + Q(NodeName(root)), VIR_FROM_XML);
  }
  NetworkDef def;
  bool stp_given = false;
  RETURN_IF_ERROR(ParseIdentity(root, def));
  RETURN_IF_ERROR(ParseDomainBandwidthVlanPort(root, def));
  RETURN_IF_ERROR(ParseBridgeMacMtu(root, def, stp_given));
  RETURN_IF_ERROR(ParseLists(root, def));
  if (const xmlNode* forward = FirstPlainChild(root, "forward")) {
    RETURN_IF_ERROR(internal::ParseForward(def.name, forward, def.forward));
  }
  RETURN_IF_ERROR(internal::CheckForwardRules(def, stp_given));
  RETURN_IF_ERROR(ParseNamespaced(root, def));
  return def;
}

}  // namespace virtnat::xml
