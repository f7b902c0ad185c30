// Sections dns-host, dns-txt and dns-srv. Add and delete are libvirt 9.0's;
// modify is the newer libvirt behaviour (a superset: 9.0 refuses it), a
// deliberate difference.
#include <algorithm>

#include "xml/network_parse_internal.h"
#include "xml/update_internal.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

constexpr unsigned kModify = static_cast<unsigned>(UpdateCommand::kModify);
constexpr unsigned kDelete = static_cast<unsigned>(UpdateCommand::kDelete);
constexpr unsigned kAddFirst = static_cast<unsigned>(UpdateCommand::kAddFirst);

bool SharesHostname(const DnsHost& a, const DnsHost& b) {
  for (const auto& x : a.hostnames) {
    if (std::find(b.hostnames.begin(), b.hostnames.end(), x) != b.hostnames.end()) return true;
  }
  return false;
}

bool SrvMatches(const DnsSrv& query, const DnsSrv& record) {
  return (query.domain.empty() || query.domain == record.domain) &&
         (query.service.empty() || query.service == record.service) &&
         (query.protocol.empty() || query.protocol == record.protocol) &&
         (query.target.empty() || query.target == record.target);
}

}  // namespace

Status UpdateDnsHost(NetworkDef& def, unsigned command, const xmlNode* node) {
  bool is_add = IsAdd(command);
  RETURN_IF_ERROR(CheckElementName(def, node, "host"));
  ASSIGN_OR_RETURN(DnsHost host, ParseDnsHost(def.name, node, !is_add));
  auto& hosts = def.dns.hosts;
  std::vector<size_t> found;
  for (size_t i = 0; i < hosts.size(); ++i) {
    bool match = host.ip.valid() && host.ip == hosts[i].ip;
    // Adding only refuses a duplicate address: one name on several addresses
    // is a valid configuration. Modify matches by address when it has one.
    if (!match && command == kDelete) match = SharesHostname(host, hosts[i]);
    if (!match && command == kModify && !host.ip.valid()) match = SharesHostname(host, hosts[i]);
    if (match) found.push_back(i);
  }
  if (is_add) {
    if (!found.empty()) {
      return OperationInvalid(
          "there is already at least one DNS HOST record with a matching field in network " +
          def.name);
    }
    hosts.insert(command == kAddFirst ? hosts.begin() : hosts.end(), std::move(host));
    return Status::Ok();
  }
  if (command != kDelete && command != kModify) return UnknownCommand(command);
  if (found.empty()) {
    return OperationInvalid("couldn't locate a matching DNS HOST record in network " + def.name);
  }
  if (found.size() > 1) {
    return OperationInvalid("multiple matching DNS HOST records were found in network " + def.name);
  }
  if (command == kDelete) {
    hosts.erase(hosts.begin() + static_cast<long>(found[0]));
    return Status::Ok();
  }
  DnsHost& target = hosts[found[0]];
  if (host.ip.valid()) target.ip = host.ip;
  if (!host.hostnames.empty()) target.hostnames = std::move(host.hostnames);
  return Status::Ok();
}

Status UpdateDnsTxt(NetworkDef& def, unsigned command, const xmlNode* node) {
  bool is_add = IsAdd(command);
  RETURN_IF_ERROR(CheckElementName(def, node, "txt"));
  ASSIGN_OR_RETURN(DnsTxt txt, ParseDnsTxt(def.name, node, !is_add));
  auto& txts = def.dns.txts;
  auto found =
      std::find_if(txts.begin(), txts.end(), [&](const DnsTxt& t) { return t.name == txt.name; });
  if (is_add) {
    if (found != txts.end()) {
      return OperationInvalid("there is already a DNS TXT record with name '" + txt.name +
                              "' in network " + def.name);
    }
    txts.insert(command == kAddFirst ? txts.begin() : txts.end(), std::move(txt));
    return Status::Ok();
  }
  if (command != kDelete && command != kModify) return UnknownCommand(command);
  if (found == txts.end()) {
    return OperationInvalid("couldn't locate a matching DNS TXT record in network " + def.name);
  }
  if (command == kDelete) {
    txts.erase(found);
    return Status::Ok();
  }
  if (!Prop(node, "value")) {
    return XmlDetail("missing required value attribute in DNS TXT record named '" + txt.name +
                     "' of network " + def.name);
  }
  found->value = std::move(txt.value);
  return Status::Ok();
}

Status UpdateDnsSrv(NetworkDef& def, unsigned command, const xmlNode* node) {
  bool is_add = IsAdd(command);
  RETURN_IF_ERROR(CheckElementName(def, node, "srv"));
  ASSIGN_OR_RETURN(DnsSrv srv, ParseDnsSrv(def.name, node, !is_add));
  auto& srvs = def.dns.srvs;
  std::vector<size_t> found;
  for (size_t i = 0; i < srvs.size(); ++i) {
    if (SrvMatches(srv, srvs[i])) found.push_back(i);
  }
  if (is_add) {
    if (!found.empty()) {
      return OperationInvalid(
          "there is already at least one DNS SRV record matching all specified fields in "
          "network " +
          def.name);
    }
    srvs.insert(command == kAddFirst ? srvs.begin() : srvs.end(), std::move(srv));
    return Status::Ok();
  }
  if (command != kDelete && command != kModify) return UnknownCommand(command);
  if (found.empty()) {
    return OperationInvalid("couldn't locate a matching DNS SRV record in network " + def.name);
  }
  if (found.size() > 1) {
    return OperationInvalid(
        "multiple DNS SRV records matching all specified fields were found in network " + def.name);
  }
  if (command == kDelete) {
    srvs.erase(srvs.begin() + static_cast<long>(found[0]));
    return Status::Ok();
  }
  // The matched record takes the fragment's values; names the fragment
  // leaves out are kept, so the record stays complete.
  DnsSrv& target = srvs[found[0]];
  if (srv.service.empty()) srv.service = target.service;
  if (srv.protocol.empty()) srv.protocol = target.protocol;
  if (srv.domain.empty()) srv.domain = target.domain;
  if (srv.target.empty()) srv.target = target.target;
  target = std::move(srv);
  return Status::Ok();
}

}  // namespace virtnat::xml::internal
