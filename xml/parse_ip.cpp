// <ip>, <tftp>, <dhcp> with <range>, <host>, <lease>, <bootp>
// (libvirt's virNetworkIPDefParseXML and friends).
#include <cstring>

#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

// virSocketAddrParse's own error: getaddrinfo(AI_NUMERICHOST) fails with
// EAI_NONAME for anything that is not a numeric address.
Result<IpAddress> ParseSocketAddr(const std::string& text) {
  auto addr = IpAddress::Parse(text);
  if (!addr) {
    return SystemError("Cannot parse socket address '" + text + "': Name or service not known");
  }
  return *addr;
}

// virSocketAddrGetRange with a network: family, subnet, network and
// broadcast address, legacy size and order checks.
Status CheckRange(const IpAddress& start, const IpAddress& end, const IpDef& ip) {
  std::string s = start.ToString();
  std::string e = end.ToString();
  if (start.family() != end.family()) {
    return InternalError("mismatch of address family in range " + s + " - " + e, VIR_FROM_NONE);
  }
  std::string net = ip.address.ToString();
  if (start.family() != ip.address.family()) {
    return InternalError(
        "mismatch of address family in range " + s + " - " + e + " for network " + net,
        VIR_FROM_NONE);
  }
  int libvirt_prefix = LibvirtPrefix(ip);
  if (libvirt_prefix < 0 || static_cast<unsigned>(libvirt_prefix) > FamilyBits(ip.family())) {
    return InternalError("bad prefix " + std::to_string(libvirt_prefix) + " for network " + net +
                             " when checking range " + s + " - " + e,
                         VIR_FROM_NONE);
  }
  auto prefix = static_cast<unsigned>(libvirt_prefix);
  std::string where = net + "/" + std::to_string(prefix);
  if (!start.SameSubnet(ip.address, prefix) || !end.SameSubnet(ip.address, prefix)) {
    return InternalError("range " + s + " - " + e + " is not entirely within network " + where,
                         VIR_FROM_NONE);
  }
  if (start.is_v4()) {
    if (start == ip.address.NetworkAddress(prefix)) {
      return InternalError(
          "start of range " + s + " - " + e + " in network " + where + " is the network address",
          VIR_FROM_NONE);
    }
    if (end == ip.address.BroadcastAddress(prefix)) {
      return InternalError(
          "end of range " + s + " - " + e + " in network " + where + " is the broadcast address",
          VIR_FROM_NONE);
    }
    const auto& a = start.bytes();
    const auto& b = end.bytes();
    if (a[0] != b[0] || a[1] != b[1]) {
      return InternalError("range " + s + " - " + e + " is too large (> 65535)", VIR_FROM_NONE);
    }
    int size = (b[2] - a[2]) * 256 + (b[3] - a[3]);
    if (size < 0) {
      return InternalError("range " + s + " - " + e + " is reversed ", VIR_FROM_NONE);
    }
  } else {
    const auto& a = start.bytes();
    const auto& b = end.bytes();
    if (std::memcmp(a.data(), b.data(), 14) != 0) {
      return InternalError("range " + s + " - " + e + " is too large (> 65535)", VIR_FROM_NONE);
    }
    int size = (b[14] * 256 + b[15]) - (a[14] * 256 + a[15]);
    if (size < 0) {
      return InternalError("range " + s + " - " + e + " start larger than end", VIR_FROM_NONE);
    }
  }
  return Status::Ok();
}

// <lease expiry unit>; nullopt when there is no expiry attribute.
Result<std::optional<Lease>> ParseLease(const xmlNode* node) {
  ASSIGN_OR_RETURN(auto expiry, PropULongLong(node, "expiry", 0));
  if (!expiry) return std::optional<Lease>();
  Lease lease;
  lease.expiry = *expiry;
  if (auto unit_text = Prop(node, "unit")) {
    auto unit = ParseLeaseUnit(*unit_text);
    if (!unit) return InvalidAttrValue(node, "unit", *unit_text);
    lease.unit = *unit;
  }
  // dnsmasq's minimum lease time is two minutes; 0 means infinite.
  if (lease.expiry > 0 && ((lease.unit == LeaseUnit::kSeconds && lease.expiry < 120) ||
                           (lease.unit == LeaseUnit::kMinutes && lease.expiry < 2))) {
    return ConfigUnsupported("The minimum lease time should be greater than 2 minutes");
  }
  return std::optional<Lease>(lease);
}

// 9.0 walks the children in document order (newer libvirt takes all ranges
// first), which decides the message when several are wrong.
Status ParseDhcp(std::string_view net, const xmlNode* node, IpDef& ip) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (HasName(child, "range")) {
      ASSIGN_OR_RETURN(DhcpRange r, ParseDhcpRange(net, ip, child));
      ip.ranges.push_back(std::move(r));
    } else if (HasName(child, "host")) {
      ASSIGN_OR_RETURN(DhcpHost h, ParseDhcpHost(net, ip, child, false));
      ip.hosts.push_back(std::move(h));
    } else if (HasName(child, "bootp") && ip.address.is_v4()) {
      // 9.0 silently ignores a <bootp> without file (newer libvirt rejects
      // it); a later <bootp> replaces an earlier one.
      auto file = Prop(child, "file");
      if (!file) continue;
      Bootp b;
      b.file = *file;
      RETURN_IF_ERROR(CheckDnsmasqSafe(b.file, "bootp file", net));
      if (auto server = Prop(child, "server")) {
        ASSIGN_OR_RETURN(b.server, ParseSocketAddr(*server));
      }
      ip.bootp = std::move(b);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<DhcpRange> ParseDhcpRange(std::string_view net, const IpDef& ip, const xmlNode* node) {
  DhcpRange range;
  auto start = Prop(node, "start");
  if (!start) {
    return XmlError("Missing 'start' attribute in dhcp range for network " + Q(net));
  }
  ASSIGN_OR_RETURN(range.start, ParseSocketAddr(*start));
  auto end = Prop(node, "end");
  if (!end) return XmlError("Missing 'end' attribute in dhcp range for network " + Q(net));
  ASSIGN_OR_RETURN(range.end, ParseSocketAddr(*end));
  RETURN_IF_ERROR(CheckRange(range.start, range.end, ip));
  if (const xmlNode* lease = FirstNamedChild(node, "lease")) {
    ASSIGN_OR_RETURN(range.lease, ParseLease(lease));
  }
  return range;
}

Result<DhcpHost> ParseDhcpHost(std::string_view net, const IpDef& ip, const xmlNode* node,
                               bool partial) {
  DhcpHost host;
  auto mac = Prop(node, "mac");
  if (mac) {
    if (ip.address.is_v6()) {
      return XmlError("Invalid to specify MAC address " + Q(*mac) + " in network " + Q(net) +
                      " IPv6 static host definition");
    }
    auto parsed = ParseMac(*mac);
    if (!parsed) {
      return XmlError("Cannot parse MAC address " + Q(*mac) + " in network " + Q(net));
    }
    if ((*parsed)[0] & 1) {
      return XmlError("expected unicast mac address, found multicast " + Q(*mac) + " in network " +
                      Q(net));
    }
    host.mac = *mac;
  }
  auto id = Prop(node, "id");
  if (id) {
    size_t bad = id->find_first_not_of("0123456789abcdefABCDEF:");
    if (bad != std::string::npos) {
      return XmlError(std::string("Invalid character '") + (*id)[bad] + "' in id " + Q(*id) +
                      " of network " + Q(net));
    }
    host.id = *id;
  }
  auto name = Prop(node, "name");
  if (name) {
    char first = name->empty() ? '\0' : (*name)[0];
    bool alnum = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                 (first >= '0' && first <= '9');
    if (!alnum) {
      return XmlError("Cannot use host name " + Q(*name) + " in network " + Q(net));
    }
    RETURN_IF_ERROR(CheckHostnameSafe(*name, "DHCP host name", net));
    host.name = *name;
  }
  auto ip_text = Prop(node, "ip");
  if (ip_text) {
    auto addr = IpAddress::Parse(*ip_text);
    if (!addr) {
      return XmlError("Invalid IP address in static host definition for network " + Q(net));
    }
    host.ip = *addr;
  }
  if (partial) {
    if (!mac && !name && !ip_text) {
      return XmlError(
          "At least one of name, mac, or ip attribute must be specified for static host "
          "definition in network " +
          Q(net));
    }
  } else {
    if (ip.address.is_v6()) {
      if (!id && !name) {
        return XmlError("Static host definition in IPv6 network " + Q(net) +
                        " must have id or name attribute");
      }
    } else if (!mac && !name) {
      return XmlError("Static host definition in IPv4 network " + Q(net) +
                      " must have mac or name attribute");
    }
    if (!ip_text) {
      return XmlError("Missing IP address in static host definition for network " + Q(net));
    }
  }
  if (const xmlNode* lease = FirstNamedChild(node, "lease")) {
    ASSIGN_OR_RETURN(host.lease, ParseLease(lease));
  }
  return host;
}

Status ParseIp(std::string_view net, const xmlNode* node, IpDef& ip) {
  auto family = XPathProp(node, "family");
  ip.family_given = family.has_value();
  auto address = XPathProp(node, "address");
  if (!address) return XmlError("Missing required address attribute in network " + Q(net));
  auto addr = IpAddress::Parse(*address);
  if (!addr) return XmlError("Invalid address " + Q(*address) + " in network " + Q(net));
  ip.address = *addr;

  auto netmask = XPathProp(node, "netmask");
  if (netmask) {
    auto mask = IpAddress::Parse(*netmask);
    if (!mask) return XmlError("Invalid netmask " + Q(*netmask) + " in network " + Q(net));
    ip.netmask = *mask;
  }
  ASSIGN_OR_RETURN(auto prefix, PropUInt(node, "prefix", false));
  ip.prefix = prefix.value_or(0);
  ASSIGN_OR_RETURN(ip.local_ptr, PropTriState(node, "localPtr"));

  if (!family || *family == "ipv4") {
    if (!ip.address.is_v4()) {
      return ConfigUnsupported(std::string(family ? "ipv4" : "no") +
                               " family specified for non-IPv4 address " + Q(*address) +
                               " in network " + Q(net));
    }
    if (netmask) {
      if (!ip.netmask->is_v4()) {
        return ConfigUnsupported("Invalid netmask " + Q(*netmask) + " for address " + Q(*address) +
                                 " in network " + Q(net) + " (both must be IPv4)");
      }
      if (ip.prefix > 0) {
        return ConfigUnsupported("Network " + Q(net) +
                                 " IP address cannot have both a prefix and a netmask");
      }
    } else if (ip.prefix > 32) {
      return ConfigUnsupported("Invalid IPv4 prefix '" + std::to_string(ip.prefix) +
                               "' in network " + Q(net));
    }
  } else if (*family == "ipv6") {
    if (!ip.address.is_v6()) {
      return ConfigUnsupported("Family 'ipv6' specified for non-IPv6 address " + Q(*address) +
                               " in network " + Q(net));
    }
    if (netmask) {
      return ConfigUnsupported("netmask not allowed for IPv6 address " + Q(*address) +
                               " in network " + Q(net));
    }
    if (ip.prefix > 128) {
      return ConfigUnsupported("Invalid IPv6 prefix '" + std::to_string(ip.prefix) +
                               "' in network " + Q(net));
    }
  } else {
    return XmlError("Unrecognized family " + Q(*family) + " in network " + Q(net));
  }

  if (const xmlNode* dhcp = FirstPlainChild(node, "dhcp")) {
    RETURN_IF_ERROR(ParseDhcp(net, dhcp, ip));
  }
  if (const xmlNode* tftp = FirstPlainChild(node, "tftp")) {
    if (!ip.address.is_v4()) {
      return ConfigUnsupported("Unsupported <tftp> element in an IPv6 element in network " +
                               Q(net));
    }
    ip.tftp_root = XPathProp(tftp, "root").value_or("");
    RETURN_IF_ERROR(CheckDnsmasqSafe(ip.tftp_root, "tftp root", net));
  }
  return Status::Ok();
}

}  // namespace virtnat::xml::internal

namespace virtnat::xml::internal {

int LibvirtPrefix(const IpDef& ip) {
  if (ip.prefix > 0) return static_cast<int>(ip.prefix);
  if (ip.netmask) {
    auto bits = ip.netmask->PrefixOfNetmask();
    return bits ? static_cast<int>(*bits) : -1;
  }
  if (ip.address.is_v4()) {
    uint32_t a = ip.address.v4();
    if (a == 0) return 0;
    if ((a >> 31) == 0) return 8;
    if ((a >> 30) == 0b10) return 16;
    if ((a >> 29) == 0b110) return 24;
    return -1;
  }
  if (ip.address.is_v6()) return ip.address == IpAddress::ParseV6("::").value() ? 0 : 64;
  return -1;
}

}  // namespace virtnat::xml::internal
