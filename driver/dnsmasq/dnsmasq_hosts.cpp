#include "driver/dnsmasq/dnsmasq_hosts.h"

#include <utility>
#include <vector>

#include "driver/dnsmasq/dnsmasq_dhcp.h"
#include "driver/dnsmasq/dnsmasq_safety.h"

namespace virtnat::driver {
namespace {

Result<std::string> HostLine(const xml::DhcpHost& host, bool v6) {
  RETURN_IF_ERROR(CheckDnsmasqValue("DHCP host name", host.name, DnsmasqValueKind::kToken));
  RETURN_IF_ERROR(CheckDnsmasqValue("DHCP host MAC", host.mac, DnsmasqValueKind::kToken));
  RETURN_IF_ERROR(CheckDnsmasqValue("DHCP host id", host.id, DnsmasqValueKind::kToken));
  const std::string ip = host.ip.ToString();
  std::string line;
  if (v6) {
    // DHCPv6 identifies clients by DUID; a <host mac> is not used here.
    if (host.id.empty() && host.name.empty()) {
      return ConfigUnsupported("DHCPv6 host " + ip + " has neither an id nor a name");
    }
    if (!host.id.empty()) line = "id:" + host.id;
    if (!host.name.empty()) line += (line.empty() ? "" : ",") + host.name;
    line += ",[" + ip + "]";
  } else if (!host.mac.empty() && !host.name.empty()) {
    line = host.mac + "," + ip + "," + host.name;
  } else if (!host.name.empty()) {
    line = host.name + "," + ip;
  } else if (!host.mac.empty()) {
    line = host.mac + "," + ip;
  } else {
    return ConfigUnsupported("DHCP host " + ip + " has neither a MAC address nor a name");
  }
  if (host.lease) line += "," + DnsmasqLeaseTime(*host.lease);
  return line;
}

Status AppendHosts(const xml::IpDef* ip, std::string* out) {
  if (!ip) return Status::Ok();
  for (const xml::DhcpHost& host : ip->hosts) {
    if (!host.ip.valid()) continue;
    ASSIGN_OR_RETURN(std::string line, HostLine(host, ip->address.is_v6()));
    *out += line;
    *out += '\n';
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> RenderDhcpHostsFile(const xml::NetworkDef& def) {
  ASSIGN_OR_RETURN(DhcpBlocks blocks, FindDhcpBlocks(def));
  std::string out;
  RETURN_IF_ERROR(AppendHosts(blocks.v4, &out));
  RETURN_IF_ERROR(AppendHosts(blocks.v6, &out));
  RETURN_IF_ERROR(CheckDnsmasqLines("dhcp-hostsfile", out));
  return out;
}

Result<std::string> RenderAddnHostsFile(const xml::NetworkDef& def) {
  // Few records per network: a linear search keeps first-seen order simply.
  std::vector<std::pair<std::string, std::vector<std::string>>> records;
  for (const xml::DnsHost& host : def.dns.hosts) {
    if (!host.ip.valid()) continue;
    std::string ip = host.ip.ToString();
    auto it = records.begin();
    while (it != records.end() && it->first != ip) ++it;
    if (it == records.end()) it = records.insert(records.end(), {ip, {}});
    for (const std::string& name : host.hostnames) {
      // addn-hosts is split at whitespace and '#' starts a comment there.
      RETURN_IF_ERROR(CheckDnsmasqValue("DNS host name", name, DnsmasqValueKind::kToken));
      if (name.empty()) return ConfigUnsupported("DNS host " + ip + " has an empty hostname");
      it->second.push_back(name);
    }
  }
  std::string out;
  for (const auto& [ip, names] : records) {
    out += ip + '\t';
    for (const std::string& name : names) out += name + '\t';
    out += '\n';
  }
  return out;
}

}  // namespace virtnat::driver
