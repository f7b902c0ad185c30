// <dns>: forwarders, <host>, <srv>, <txt> (libvirt's virNetworkDNSDefParseXML).
#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

// Characters of /etc/services and /etc/protocols names, minus '.', which is
// the field separator of an SRV record name.
constexpr const char* kProtocolChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+/";
constexpr const char* kServiceChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+/*";

// virXPathUInt on one SRV number attribute, with libvirt's three messages.
Status ParseSrvNumber(std::string_view net, const xmlNode* node, const DnsSrv& srv, bool has_target,
                      const char* attr, const std::string& invalid_prefix, unsigned min,
                      unsigned& out) {
  XPathNumber n = XPathUInt(node, attr);
  std::string tail = " for service " + Q(srv.service) + " in network " + Q(net);
  if (n.state == NumberState::kOk && !has_target) {
    return XmlDetail(std::string("DNS SRV ") + attr + " attribute not permitted without target" +
                     tail);
  }
  if (n.state == NumberState::kInvalid ||
      (n.state == NumberState::kOk && (n.value < min || n.value > 65535))) {
    return XmlDetail(invalid_prefix + " DNS SRV " + attr + " attribute" + tail);
  }
  if (n.state == NumberState::kOk) out = static_cast<unsigned>(n.value);
  return Status::Ok();
}

}  // namespace

Result<DnsHost> ParseDnsHost(std::string_view net, const xmlNode* node, bool partial) {
  DnsHost host;
  auto hostnames = PlainChildren(node, "hostname");
  for (const xmlNode* h : hostnames) {
    std::string name = Content(h);
    if (name.empty()) {
      return XmlDetail("Missing hostname in network " + Q(net) + " DNS HOST record");
    }
    host.hostnames.push_back(std::move(name));
  }
  if (hostnames.empty() && !partial) {
    return XmlDetail("Missing hostname in network " + Q(net) + " DNS HOST record");
  }
  auto ip = Prop(node, "ip");
  if (ip) {
    auto addr = IpAddress::Parse(*ip);
    if (!addr) {
      return XmlDetail("Invalid IP address in network " + Q(net) + " DNS HOST record");
    }
    host.ip = *addr;
  } else {
    if (!partial) {
      return XmlDetail("Missing IP address in network " + Q(net) + " DNS HOST record");
    }
    if (hostnames.empty()) {
      return XmlDetail("Missing ip and hostname in network " + Q(net) + " DNS HOST record");
    }
  }
  for (const auto& name : host.hostnames) {
    RETURN_IF_ERROR(CheckHostnameSafe(name, "DNS host name", net));
  }
  return host;
}

Result<DnsSrv> ParseDnsSrv(std::string_view net, const xmlNode* node, bool partial) {
  DnsSrv srv;
  // An empty service or protocol counts as missing: the record could not be
  // printed back (and dnsmasq would get an empty SRV name).
  auto service = Prop(node, "service");
  if (service && service->empty()) service.reset();
  if (!service && !partial) {
    return XmlDetail("missing required service attribute in DNS SRV record of network " + Q(net));
  }
  if (service) {
    // 9.0 has no length limit on the service (newer libvirt does).
    if (service->find_first_not_of(kServiceChars) != std::string::npos) {
      return XmlDetail("invalid character in service attribute " + Q(*service) +
                       " in DNS SRV record of network " + Q(net));
    }
    srv.service = *service;
  }
  auto protocol = Prop(node, "protocol");
  if (protocol && protocol->empty()) protocol.reset();
  if (!protocol && !partial) {
    // libvirt prints the service through "%s" (NULL shows as "(null)").
    return XmlDetail("missing required protocol attribute in DNS SRV record " +
                     Q(service ? *service : "(null)") + " of network " + Q(net));
  }
  if (protocol) {
    if (protocol->find_first_not_of(kProtocolChars) != std::string::npos) {
      return XmlDetail("invalid character in protocol attribute " + Q(*protocol) +
                       " in DNS SRV record of network " + Q(net));
    }
    srv.protocol = *protocol;
  }
  auto domain = Prop(node, "domain");
  auto target = Prop(node, "target");
  srv.domain = domain.value_or("");
  srv.target = target.value_or("");
  RETURN_IF_ERROR(CheckDnsmasqSafe(srv.domain, "DNS SRV domain", net));
  RETURN_IF_ERROR(CheckDnsmasqSafe(srv.target, "DNS SRV target", net));
  // An empty target is no target: it would not survive a format round trip.
  bool has_target = target.has_value() && !target->empty();
  RETURN_IF_ERROR(ParseSrvNumber(net, node, srv, has_target, "port", "invalid", 1, srv.port));
  RETURN_IF_ERROR(
      ParseSrvNumber(net, node, srv, has_target, "priority", "Invalid", 0, srv.priority));
  RETURN_IF_ERROR(ParseSrvNumber(net, node, srv, has_target, "weight", "invalid", 0, srv.weight));
  return srv;
}

Result<DnsTxt> ParseDnsTxt(std::string_view net, const xmlNode* node, bool partial) {
  DnsTxt txt;
  auto name = Prop(node, "name");
  if (!name) {
    return XmlDetail("missing required name attribute in DNS TXT record of network " +
                     std::string(net));
  }
  if (name->find_first_of(" ,") != std::string::npos) {
    return XmlDetail("prohibited character in DNS TXT record name " + Q(*name) + " of network " +
                     std::string(net));
  }
  auto value = Prop(node, "value");
  if (!value && !partial) {
    return XmlDetail("missing required value attribute in DNS TXT record named " + Q(*name) +
                     " of network " + std::string(net));
  }
  txt.name = *name;
  txt.value = value.value_or("");
  RETURN_IF_ERROR(CheckDnsmasqSafe(txt.name, "DNS TXT name", net));
  RETURN_IF_ERROR(CheckDnsmasqSafe(txt.value, "DNS TXT value", net));
  return txt;
}

Status ParseDns(std::string_view net, const xmlNode* node, DnsDef& dns) {
  ASSIGN_OR_RETURN(dns.enable, PropTriState(node, "enable"));
  ASSIGN_OR_RETURN(dns.forward_plain_names, PropTriState(node, "forwardPlainNames"));

  auto forwarders = PlainChildren(node, "forwarder");
  for (const xmlNode* f : forwarders) {
    DnsForwarder fwd;
    auto addr = Prop(f, "addr");
    if (addr) {
      auto parsed = IpAddress::Parse(*addr);
      if (!parsed) {
        return XmlError("Invalid forwarder IP address " + Q(*addr) + " in network " + Q(net));
      }
      fwd.addr = *parsed;
    }
    auto domain = Prop(f, "domain");
    if (!addr && !domain) {
      return XmlError("Invalid forwarder element, must contain at least one of addr or domain");
    }
    fwd.domain = domain.value_or("");
    RETURN_IF_ERROR(CheckDnsmasqSafe(fwd.domain, "DNS forwarder domain", net));
    dns.forwarders.push_back(std::move(fwd));
  }
  auto hosts = PlainChildren(node, "host");
  for (const xmlNode* h : hosts) {
    ASSIGN_OR_RETURN(DnsHost host, ParseDnsHost(net, h, false));
    dns.hosts.push_back(std::move(host));
  }
  auto srvs = PlainChildren(node, "srv");
  for (const xmlNode* s : srvs) {
    ASSIGN_OR_RETURN(DnsSrv srv, ParseDnsSrv(net, s, false));
    dns.srvs.push_back(std::move(srv));
  }
  auto txts = PlainChildren(node, "txt");
  for (const xmlNode* t : txts) {
    ASSIGN_OR_RETURN(DnsTxt txt, ParseDnsTxt(net, t, false));
    dns.txts.push_back(std::move(txt));
  }
  if (dns.enable == TriState::kNo &&
      (!forwarders.empty() || !hosts.empty() || !srvs.empty() || !txts.empty())) {
    return XmlError("Extra data in disabled network " + Q(net));
  }
  return Status::Ok();
}

}  // namespace virtnat::xml::internal
