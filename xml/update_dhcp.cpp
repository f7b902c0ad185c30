// Sections ip-dhcp-host and ip-dhcp-range (libvirt's
// virNetworkDefUpdateIPDHCPHost / ...IPDHCPRange).
#include <strings.h>

#include "xml/network_parse_internal.h"
#include "xml/update_internal.h"

namespace virtnat::xml::internal {
namespace {

constexpr unsigned kModify = static_cast<unsigned>(UpdateCommand::kModify);
constexpr unsigned kDelete = static_cast<unsigned>(UpdateCommand::kDelete);
constexpr unsigned kAddFirst = static_cast<unsigned>(UpdateCommand::kAddFirst);

// virNetworkIPDefByIndex: the n-th <ip>, or for -1 the first <ip> that has
// dhcp content, else the first IPv4, else the first IPv6 one.
Result<IpDef*> IpByIndex(NetworkDef& def, int parent_index) {
  if (parent_index >= 0) {
    if (static_cast<size_t>(parent_index) < def.ips.size()) return &def.ips[parent_index];
    return OperationInvalid("couldn't update dhcp host entry - no <ip> element found at index " +
                            std::to_string(parent_index) + " in network '" + def.name + "'");
  }
  for (IpDef& ip : def.ips) {
    if (ip.has_dhcp()) return &ip;
  }
  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    for (IpDef& ip : def.ips) {
      if (ip.family() == family) return &ip;
    }
  }
  return OperationInvalid("couldn't update dhcp host entry - no <ip> element found in network '" +
                          def.name + "'");
}

// virNetworkDefUpdateCheckMultiDHCP: no other <ip> of the family has dhcp.
Status CheckMultiDhcp(const NetworkDef& def, const IpDef* target) {
  for (const IpDef& ip : def.ips) {
    if (&ip != target && ip.family() == target->family() && ip.has_dhcp()) {
      return OperationInvalid(std::string("dhcp is supported only for a single ") +
                              (target->address.is_v4() ? "IPv4" : "IPv6") +
                              " address on each network");
    }
  }
  return Status::Ok();
}

// virMacAddrCompare: the same MAC whatever the case and leading zeros.
bool SameMac(const std::string& a, const std::string& b) {
  auto pa = ParseMac(a);
  auto pb = ParseMac(b);
  if (pa && pb) return *pa == *pb;
  return a.size() == b.size() && strcasecmp(a.c_str(), b.c_str()) == 0;
}

// How libvirt prints the fragment's fields in its messages.
std::string MacOr(const DhcpHost& h) { return h.mac.empty() ? "unknown" : h.mac; }
std::string NameOr(const DhcpHost& h) { return h.name.empty() ? "(null)" : h.name; }
std::string IpOr(const DhcpHost& h) { return h.ip.valid() ? h.ip.ToString() : "unknown"; }

}  // namespace

Status UpdateDhcpHost(NetworkDef& def, unsigned command, int parent_index, const xmlNode* node) {
  bool partial = command == kDelete;
  RETURN_IF_ERROR(CheckElementName(def, node, "host"));
  ASSIGN_OR_RETURN(IpDef * ip, IpByIndex(def, parent_index));
  ASSIGN_OR_RETURN(DhcpHost host, ParseDhcpHost(def.name, *ip, node, partial));
  if (!partial && ip->family() != host.ip.family()) {
    return OperationInvalid(
        "the address family of a host entry IP must match the address family of the dhcp "
        "element's parent");
  }
  auto& hosts = ip->hosts;
  if (command == kModify) {
    for (DhcpHost& existing : hosts) {
      if ((!host.mac.empty() && !existing.mac.empty() && SameMac(host.mac, existing.mac)) ||
          (host.ip.valid() && host.ip == existing.ip) ||
          (!host.name.empty() && host.name == existing.name)) {
        existing = std::move(host);
        return Status::Ok();
      }
    }
    return OperationInvalid("couldn't locate an existing dhcp host entry with \"mac='" +
                            MacOr(host) + "'\" \"name='" + NameOr(host) + "'\" \"ip='" +
                            IpOr(host) + "'\" in network '" + def.name + "'");
  }
  if (IsAdd(command)) {
    RETURN_IF_ERROR(CheckMultiDhcp(def, ip));
    for (const DhcpHost& existing : hosts) {
      if ((!host.mac.empty() && !existing.mac.empty() && SameMac(host.mac, existing.mac)) ||
          (!host.name.empty() && host.name == existing.name) ||
          (host.ip.valid() && host.ip == existing.ip)) {
        return OperationInvalid("there is an existing dhcp host entry in network '" + def.name +
                                "' that matches \"<host mac='" + MacOr(host) + "' name='" +
                                NameOr(host) + "' ip='" + IpOr(host) + "'/>\"");
      }
    }
    hosts.insert(command == kAddFirst ? hosts.begin() : hosts.end(), std::move(host));
    return Status::Ok();
  }
  if (command == kDelete) {
    for (auto it = hosts.begin(); it != hosts.end(); ++it) {
      if ((host.mac.empty() || it->mac.empty() || SameMac(host.mac, it->mac)) &&
          (host.name.empty() || host.name == it->name) && (!host.ip.valid() || host.ip == it->ip)) {
        hosts.erase(it);
        return Status::Ok();
      }
    }
    return OperationInvalid("couldn't locate a matching dhcp host entry in network '" + def.name +
                            "'");
  }
  return UnknownCommand(command);
}

Status UpdateDhcpRange(NetworkDef& def, unsigned command, int parent_index, const xmlNode* node) {
  RETURN_IF_ERROR(CheckElementName(def, node, "range"));
  ASSIGN_OR_RETURN(IpDef * ip, IpByIndex(def, parent_index));
  if (command == kModify) {
    return OperationUnsupported("dhcp ranges cannot be modified, only added or deleted");
  }
  ASSIGN_OR_RETURN(DhcpRange range, ParseDhcpRange(def.name, *ip, node));
  auto& ranges = ip->ranges;
  auto found = ranges.begin();
  for (; found != ranges.end(); ++found) {
    if (found->start == range.start && found->end == range.end) break;
  }
  if (IsAdd(command)) {
    RETURN_IF_ERROR(CheckMultiDhcp(def, ip));
    if (found != ranges.end()) {
      return OperationInvalid("there is an existing dhcp range entry in network '" + def.name +
                              "' that matches \"<range start='" + range.start.ToString() +
                              "' end='" + range.end.ToString() + "'/>\"");
    }
    ranges.insert(command == kAddFirst ? ranges.begin() : ranges.end(), std::move(range));
    return Status::Ok();
  }
  if (command == kDelete) {
    if (found == ranges.end()) {
      return OperationInvalid("couldn't locate a matching dhcp range entry in network '" +
                              def.name + "'");
    }
    ranges.erase(found);
    return Status::Ok();
  }
  return UnknownCommand(command);
}

}  // namespace virtnat::xml::internal
