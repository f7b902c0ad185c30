#include "driver/dnsmasq/dnsmasq_config.h"

#include <utility>

#include "driver/dnsmasq/dnsmasq_dhcp.h"
#include "driver/dnsmasq/dnsmasq_hosts.h"
#include "driver/dnsmasq/dnsmasq_safety.h"

namespace virtnat::driver {
namespace {

using Lines = std::vector<std::string>;
using Kind = DnsmasqValueKind;

// Rows 1-2 of host-effects.md §4.2. The name is printed unescaped, as libvirt
// does; it only has to stay on its comment line.
Status AppendHeader(const xml::NetworkDef& def, Lines* lines) {
  RETURN_IF_ERROR(CheckDnsmasqValue("network name", def.name, Kind::kText));
  // dnsmasq's files are named after the network (MakeDnsmasqPaths).
  if (def.name.find('/') != std::string::npos) {
    return ConfigUnsupported("network name '" + def.name +
                             "' contains '/', which cannot be part of a file name");
  }
  lines->push_back("##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE");
  lines->push_back("##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:");
  lines->push_back("##    virsh net-edit " + def.name);
  lines->push_back("## or other application using the libvirt API.");
  lines->push_back("##");
  lines->push_back("## dnsmasq conf file created by libvirt");
  // Query upstream servers in the order given, as glibc does with resolv.conf.
  lines->push_back("strict-order");
  return Status::Ok();
}

// Rows 4-5: upstream servers. "no-resolv" only when some forwarder takes
// every domain; otherwise the host's resolv.conf is still needed.
Status AppendForwarders(const xml::DnsDef& dns, Lines* lines) {
  bool no_resolv = false;
  for (const xml::DnsForwarder& fwd : dns.forwarders) {
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS forwarder domain", fwd.domain, Kind::kDomain));
    std::string line = "server=";
    if (!fwd.domain.empty()) line += "/" + fwd.domain + "/";
    if (fwd.addr && fwd.addr->valid()) {
      line += fwd.addr->ToString();
      if (fwd.domain.empty()) no_resolv = true;
    } else {
      // libvirt's choice for a domain without addr; to dnsmasq '#' means
      // "the usual upstream servers", overriding a broader server=/D/ line.
      line += "#";
    }
    lines->push_back(std::move(line));
  }
  if (no_resolv) lines->push_back("no-resolv");
  return Status::Ok();
}

Status AppendLocalPtrs(const xml::NetworkDef& def, Lines* lines) {
  for (const xml::IpDef& ip : def.ips) {
    if (ip.local_ptr != xml::TriState::kYes) continue;
    ASSIGN_OR_RETURN(std::string zone, PtrDomain(ip.address, ip.EffectivePrefix()));
    lines->push_back("local=/" + zone + "/");
  }
  return Status::Ok();
}

Status AppendTxtAndSrv(const xml::NetworkDef& def, Lines* lines) {
  for (const xml::DnsTxt& txt : def.dns.txts) {
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS TXT record name", txt.name, Kind::kToken));
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS TXT record value", txt.value, Kind::kText));
    lines->push_back("txt-record=" + txt.name + "," + txt.value);
  }
  for (const xml::DnsSrv& srv : def.dns.srvs) {
    if (srv.service.empty() || srv.protocol.empty()) {
      // libvirt's text names 'service' for both attributes.
      return InternalError("Missing required 'service' attribute in SRV record of network '" +
                           def.name + "'");
    }
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS SRV service", srv.service, Kind::kToken));
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS SRV protocol", srv.protocol, Kind::kToken));
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS SRV domain", srv.domain, Kind::kToken));
    RETURN_IF_ERROR(CheckDnsmasqValue("DNS SRV target", srv.target, Kind::kToken));
    // RFC 2782 names: _service._proto[.domain].
    std::string line = "srv-host=_" + srv.service + "._" + srv.protocol;
    if (!srv.domain.empty()) line += "." + srv.domain;
    // No target or "." means "no such service": port, priority and weight
    // are then meaningless. Fields are positional, so a later field given
    // forces the earlier ones (dnsmasq's default port is 1).
    if (!srv.target.empty() && srv.target != ".") {
      line += "," + srv.target;
      if (srv.port || srv.priority || srv.weight) {
        line += "," + std::to_string(srv.port ? srv.port : 1);
      }
      if (srv.priority || srv.weight) line += "," + std::to_string(srv.priority);
      if (srv.weight) line += "," + std::to_string(srv.weight);
    }
    lines->push_back(std::move(line));
  }
  return Status::Ok();
}

// Row 17: every IPv4 <ip> with a TFTP root, before the DHCP lines.
Status AppendTftp(const xml::NetworkDef& def, Lines* lines) {
  bool enabled = false;
  for (const xml::IpDef& ip : def.ips) {
    if (!ip.address.is_v4() || ip.tftp_root.empty()) continue;
    RETURN_IF_ERROR(CheckDnsmasqValue("TFTP root", ip.tftp_root, Kind::kPath));
    if (!enabled) lines->push_back("enable-tftp");
    enabled = true;
    lines->push_back("tftp-root=" + ip.tftp_root);
  }
  return Status::Ok();
}

// Rows 25-26: RA. With DHCPv6 dnsmasq sends stateful RA for the whole link;
// without it, stateless RA per IPv6 address.
void AppendRouterAdvertisement(const xml::NetworkDef& def, const DhcpBlocks& dhcp, Lines* lines) {
  if (dhcp.v6) {
    lines->push_back("enable-ra");
    return;
  }
  for (const xml::IpDef& ip : def.ips) {
    if (ip.address.is_v6()) lines->push_back("dhcp-range=" + ip.address.ToString() + ",ra-only");
  }
}

Result<std::string> RenderConf(const xml::NetworkDef& def, const std::string& bridge,
                               const DnsmasqPaths& paths) {
  const xml::DnsDef& dns = def.dns;
  const bool want_dns = dns.enable != xml::TriState::kNo;
  Lines lines;
  RETURN_IF_ERROR(AppendHeader(def, &lines));
  if (!want_dns) lines.push_back("port=0");  // port 0: no DNS service at all
  if (want_dns) RETURN_IF_ERROR(AppendForwarders(dns, &lines));
  if (!def.domain.name.empty()) {
    RETURN_IF_ERROR(CheckDnsmasqValue("domain name", def.domain.name, Kind::kDomain));
    if (def.domain.local_only == xml::TriState::kYes) {
      lines.push_back("local=/" + def.domain.name + "/");
    }
    lines.push_back("domain=" + def.domain.name);
    lines.push_back("expand-hosts");
  }
  if (want_dns) RETURN_IF_ERROR(AppendLocalPtrs(def, &lines));
  if (want_dns && dns.forward_plain_names == xml::TriState::kNo) {
    lines.push_back("domain-needed");
    lines.push_back("local=//");  // answer single-label names locally
  }
  if (!paths.pid_file.empty()) {
    RETURN_IF_ERROR(CheckDnsmasqValue("pid file path", paths.pid_file, Kind::kPath));
    lines.push_back("pid-file=" + paths.pid_file);
  }
  // bind-dynamic with interface= and no listen-address: dnsmasq answers only
  // on the bridge, never on other interfaces (CVE-2012-3411), and follows
  // address changes on it.
  lines.push_back("except-interface=lo");
  lines.push_back("bind-dynamic");
  lines.push_back("interface=" + bridge);
  if (def.forward.mode == xml::ForwardMode::kNone) {
    // Isolated: no default route in DHCPv4 (option 3 empty), no upstream
    // DNS, and an RA router lifetime of 0 so IPv6 guests get no default route.
    lines.push_back("dhcp-option=3");
    lines.push_back("no-resolv");
    lines.push_back("ra-param=*,0,0");
  }
  if (want_dns) RETURN_IF_ERROR(AppendTxtAndSrv(def, &lines));
  RETURN_IF_ERROR(AppendTftp(def, &lines));

  ASSIGN_OR_RETURN(DhcpBlocks dhcp, FindDhcpBlocks(def));
  unsigned lease_count = 0;
  if (dhcp.v4) RETURN_IF_ERROR(AppendDhcpLines(*dhcp.v4, bridge, &lines, &lease_count));
  if (dhcp.v6) RETURN_IF_ERROR(AppendDhcpLines(*dhcp.v6, bridge, &lines, &lease_count));
  if (lease_count > 0) lines.push_back("dhcp-lease-max=" + std::to_string(lease_count));
  // Both files are named even when empty, so hosts added live need no restart.
  if (dhcp.v4 || dhcp.v6) {
    RETURN_IF_ERROR(CheckDnsmasqValue("hosts file path", paths.hosts_file, Kind::kPath));
    lines.push_back("dhcp-hostsfile=" + paths.hosts_file);
  }
  if (want_dns) {
    RETURN_IF_ERROR(CheckDnsmasqValue("addn-hosts path", paths.addn_hosts_file, Kind::kPath));
    lines.push_back("addn-hosts=" + paths.addn_hosts_file);
  }
  if (def.mtu > 0) lines.push_back("dhcp-option=option:mtu," + std::to_string(def.mtu));
  AppendRouterAdvertisement(def, dhcp, &lines);
  for (const std::string& option : def.dnsmasq_options) {
    RETURN_IF_ERROR(CheckDnsmasqValue("dnsmasq option", option, Kind::kText));
    lines.push_back(option);
  }

  std::string conf;
  for (const std::string& line : lines) conf += line + '\n';
  RETURN_IF_ERROR(CheckDnsmasqLines("configuration", conf));
  return conf;
}

std::vector<std::string> BuildArgv(const DnsmasqFacts& facts) {
  const DnsmasqPaths& paths = facts.paths;
  // No --keep-in-foreground: dnsmasq daemonizes so that its launcher's exit
  // status carries its startup errors (dnsmasq_process.h); the pid-file line
  // of the conf then names the daemon.
  std::vector<std::string> argv = {paths.binary, "--conf-file=" + paths.conf_file};
  if (!paths.lease_file.empty()) argv.push_back("--dhcp-leasefile=" + paths.lease_file);
  if (!facts.user.empty()) argv.push_back("--user=" + facts.user);
  if (!facts.group.empty()) argv.push_back("--group=" + facts.group);
  return argv;
}

// libvirt builds its file names with its XML escaping (virBufferEscapeString).
std::string EscapeName(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

bool NeedsDnsmasq(const xml::NetworkDef& def) {
  if (def.ips.empty()) return false;
  for (const xml::IpDef& ip : def.ips) {
    if (ip.has_dhcp() || !ip.tftp_root.empty()) return true;
  }
  return def.dns.enable != xml::TriState::kNo;
}

Result<DnsmasqPlan> PlanDnsmasq(const xml::NetworkDef& def, const DnsmasqFacts& facts) {
  std::string bridge = facts.bridge.empty() ? def.bridge.name : facts.bridge;
  if (bridge.empty()) return InternalError("network '" + def.name + "' has no bridge name");
  RETURN_IF_ERROR(CheckDnsmasqValue("bridge name", bridge, Kind::kToken));
  RETURN_IF_ERROR(CheckDnsmasqValue("dnsmasq path", facts.paths.binary, Kind::kText));
  RETURN_IF_ERROR(CheckDnsmasqValue("config file path", facts.paths.conf_file, Kind::kText));
  RETURN_IF_ERROR(CheckDnsmasqValue("lease file path", facts.paths.lease_file, Kind::kText));

  DnsmasqPlan plan;
  plan.needed = NeedsDnsmasq(def);
  ASSIGN_OR_RETURN(plan.conf, RenderConf(def, bridge, facts.paths));
  ASSIGN_OR_RETURN(plan.hosts_file, RenderDhcpHostsFile(def));
  ASSIGN_OR_RETURN(plan.addn_hosts, RenderAddnHostsFile(def));
  plan.argv = BuildArgv(facts);
  return plan;
}

DnsmasqPaths MakeDnsmasqPaths(const std::string& dir, const std::string& run_dir,
                              const std::string& name) {
  const std::string base = dir + "/" + EscapeName(name);
  DnsmasqPaths paths;
  paths.conf_file = base + ".conf";
  paths.hosts_file = base + ".hostsfile";
  paths.addn_hosts_file = base + ".addnhosts";
  paths.lease_file = base + ".leases";
  paths.pid_file = run_dir + "/" + name + ".pid";
  return paths;
}

Result<std::string> PtrDomain(const IpAddress& address, unsigned prefix) {
  std::string zone;
  if (address.is_v4()) {
    if (prefix == 0 || prefix >= 32 || prefix % 8 != 0) {
      return ConfigUnsupported("PTR domain for IPv4 network with prefix " + std::to_string(prefix) +
                               " cannot be automatically created");
    }
    for (unsigned i = prefix / 8; i > 0; --i) zone += std::to_string(address.bytes()[i - 1]) + ".";
    return zone + "in-addr.arpa";
  }
  if (address.is_v6()) {
    if (prefix == 0 || prefix >= 128 || prefix % 4 != 0) {
      return ConfigUnsupported("PTR domain for IPv6 network with prefix " + std::to_string(prefix) +
                               " cannot be automatically created");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned i = prefix / 4; i > 0; --i) {
      uint8_t byte = address.bytes()[(i - 1) / 2];
      uint8_t nibble = (i - 1) % 2 == 0 ? byte >> 4 : byte & 0x0f;
      zone += kHex[nibble];
      zone += '.';
    }
    return zone + "ip6.arpa";
  }
  return InternalError("no PTR domain for an address without a family");
}

}  // namespace virtnat::driver
