#include "driver/check/host_probe.h"

#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

#include "common/unique_fd.h"
#include "driver/drift/firewall_audit.h"
#include "driver/drift/input_audit.h"
#include "driver/drift/nft_dump.h"
#include "driver/firewall/firewall_nft.h"
#include "driver/link/host_facts_netlink.h"
#include "driver/os/atomic_file.h"
#include "driver/realize/network_plan.h"
#include "driver/store/libvirt_import.h"
#include "xml/network_parse.h"

namespace virtnat::driver {
namespace {

constexpr size_t kSmallFile = 1 << 20;
constexpr int kCapNetAdmin = 12;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// "Dnsmasq version 2.89  Copyright (c) …" -> "2.89".
std::string DnsmasqVersion(const std::string& path) {
  gchar* out = nullptr;
  gint status = 0;
  const gchar* argv[] = {path.c_str(), "--version", nullptr};
  if (!g_spawn_sync(nullptr, const_cast<gchar**>(argv), nullptr, G_SPAWN_STDERR_TO_DEV_NULL,
                    nullptr, nullptr, &out, nullptr, &status, nullptr)) {
    return "";
  }
  std::string text = out != nullptr ? out : "";
  g_free(out);
  std::istringstream words(text);
  std::string a, b, version;
  words >> a >> b >> version;
  return a == "Dnsmasq" && b == "version" ? version : "";
}

// The nftables batch of a small NAT network (IPv4 and IPv6), applied as a
// start applies it, in a network namespace of a child process that vanishes
// with it: the kernel's own answer on nat and masquerade support, and no
// trace in the host's ruleset.
Status ProbeNatBatch() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return SystemErrorFromErrno(errno, "cannot create a pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t child = fork();
  if (child < 0) return SystemErrorFromErrno(errno, "cannot fork");
  if (child == 0) {
    read_end.reset();
    std::string failure;
    if (unshare(CLONE_NEWNET) < 0) {
      failure = std::string("cannot create a scratch network namespace: ") + strerror(errno);
    } else {
      Status st = []() -> Status {
        ASSIGN_OR_RETURN(xml::NetworkDef def,
                         xml::ParseNetworkXml(
                             "<network><name>check</name><forward mode='nat'/>"
                             "<bridge name='vncheck0'/>"
                             "<ip address='192.0.2.1' prefix='24'/>"
                             "<ip family='ipv6' address='2001:db8:1::1' prefix='64'/></network>"));
        ASSIGN_OR_RETURN(NetworkPlan plan, PlanNetwork(def, NetworkPlanFacts{}));
        ASSIGN_OR_RETURN(std::unique_ptr<NftFirewall> firewall, NftFirewall::Open());
        return firewall->Apply(def.name, plan.firewall);
      }();
      if (!st.ok()) failure = st.message();
    }
    if (!failure.empty() && write(write_end.get(), failure.data(), failure.size()) < 0) _exit(2);
    _exit(0);
  }
  write_end.reset();
  std::string failure;
  char buf[512];
  ssize_t n;
  while ((n = read(read_end.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) failure.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!failure.empty()) return MakeError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NETWORK, failure);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return MakeError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NETWORK, "the nat probe did not finish");
  }
  return Status::Ok();
}

// Interfaces whose IPv6 default route was learnt from router advertisements
// ("proto ra" in the kernel's route table, RTPROT_RA = 9) while accept_ra is 1.
std::vector<std::string> AcceptRaAtRisk() {
  std::vector<std::string> at_risk;
  Result<std::string> routes = ReadFileLimited("/proc/net/ipv6_route", 16 << 20);
  if (!routes.ok()) return at_risk;
  std::istringstream lines(*routes);
  std::string line;
  std::map<std::string, bool> seen;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string dest, dest_len, src, src_len, next_hop, metric, refs, use, flags, device;
    f >> dest >> dest_len >> src >> src_len >> next_hop >> metric >> refs >> use >> flags >> device;
    // The default route, through a gateway, added by RA (RTF_ADDRCONF 0x40000).
    if (dest != std::string(32, '0') || dest_len != "00") continue;
    if ((std::strtoul(flags.c_str(), nullptr, 16) & 0x40000) == 0 || seen[device]) continue;
    seen[device] = true;
    Result<std::string> accept =
        ReadFileLimited("/proc/sys/net/ipv6/conf/" + device + "/accept_ra", 64);
    if (accept.ok() && Trimmed(*accept) == "1") at_risk.push_back(device);
  }
  return at_risk;
}

std::vector<std::string> LibvirtConflicts(const HostProbeInput& input) {
  std::vector<std::string> conflicts;
  Result<LibvirtImport> libvirt = ReadLibvirtNetworks(input.libvirt_network_dir);
  if (!libvirt.ok()) return conflicts;  // no libvirt definitions here
  std::vector<xml::NetworkDef> ours;
  for (const std::string& file :
       ListDirectory(input.config_dir).value_or(std::vector<std::string>{})) {
    if (!file.ends_with(".xml")) continue;
    Result<std::string> text = ReadFileLimited(input.config_dir + "/" + file, kSmallFile);
    if (!text.ok()) continue;
    Result<xml::NetworkDef> def = xml::ParseNetworkXml(*text);
    if (def.ok()) ours.push_back(std::move(def).value());
  }
  for (const ImportedNetwork& theirs : libvirt->networks) {
    Result<xml::NetworkDef> def = xml::ParseNetworkXml(theirs.xml);
    if (!def.ok()) continue;
    for (const xml::NetworkDef& mine : ours) {
      if (mine.name == def->name) {
        conflicts.push_back("network '" + mine.name + "' is defined in libvirt and in virtnatd");
      } else if (!mine.bridge.name.empty() && mine.bridge.name == def->bridge.name) {
        conflicts.push_back("bridge " + mine.bridge.name + " belongs to libvirt's network '" +
                            def->name + "' and virtnatd's '" + mine.name + "'");
      }
    }
  }
  return conflicts;
}

}  // namespace

bool HasNetworkPrivilege() {
  if (geteuid() == 0) return true;
  Result<std::string> status = ReadFileLimited("/proc/self/status", kSmallFile);
  if (!status.ok()) return false;
  size_t at = status->find("\nCapEff:");
  if (at == std::string::npos) return false;
  unsigned long long caps = std::strtoull(status->c_str() + at + 8, nullptr, 16);
  return (caps >> kCapNetAdmin) & 1;
}

HostCheckFacts ProbeHost(const HostProbeInput& input) {
  HostCheckFacts f;
  f.root = geteuid() == 0;
  f.cap_net_admin = HasNetworkPrivilege();
  Result<std::unique_ptr<RealHostFacts>> kernel = RealHostFacts::Open();
  if (kernel.ok()) {
    f.bridge_support = (*kernel)->CheckBridgeSupport();
    f.nftables_support = (*kernel)->CheckNftablesSupport();
  } else {
    f.bridge_support = f.nftables_support = kernel.status();
  }
  f.nftables_nat = f.nftables_support.ok() ? ProbeNatBatch() : f.nftables_support;
  f.dnsmasq_binary = input.dnsmasq_binary;
  if (gchar* found = g_find_program_in_path(input.dnsmasq_binary.c_str())) {
    f.dnsmasq_path = found;
    g_free(found);
    f.dnsmasq_version = DnsmasqVersion(f.dnsmasq_path);
  }
  const char* forward = "/proc/sys/net/ipv4/ip_forward";
  if (Result<std::string> value = ReadFileLimited(forward, 64); value.ok()) {
    f.ip_forward = Trimmed(*value) == "1";
    f.ip_forward_writable = access(forward, W_OK) == 0;
  }
  f.accept_ra_at_risk = AcceptRaAtRisk();
  // Any network of ours forwards through the same hooks, and its guests ask
  // the host for the same services: audit as one network, on libvirt's
  // default bridge name.
  Result<NftInventory> inventory = ReadNftInventory();
  if (inventory.ok()) {
    auto note = [&f](std::string text) {
      if (std::find(f.foreign_drops.begin(), f.foreign_drops.end(), text) ==
          f.foreign_drops.end()) {
        f.foreign_drops.push_back(std::move(text));
      }
    };
    for (const ForwardDropFinding& finding :
         FindForwardDrops(*inventory, {AuditNetwork{"(any)", true, true}})) {
      const char* family = finding.family == 2    ? "ip"
                           : finding.family == 10 ? "ip6"
                           : finding.family == 7  ? "bridge"
                                                  : "inet";
      note(std::string("table ") + family + " " + finding.table + " chain " + finding.chain +
           (finding.policy_drop ? " has policy drop" : " ends in a drop rule"));
    }
    const GuestServices served{.dns4 = true, .dns6 = true, .dhcp4 = true, .dhcp6 = true};
    for (const InputDropFinding& finding :
         FindInputDrops(*inventory, {InputAuditNetwork{"(any)", "virbr0", served}})) {
      // "table inet filter chain input (...) may drop DHCP (udp 67), ... that
      // guests send to the host (policy drop)": the fix is the line's end.
      std::string text = finding.message.substr(0, finding.message.find("; "));
      const std::string of_network = " of network '(any)'";
      if (size_t at = text.find(of_network); at != std::string::npos)
        text.erase(at, of_network.size());
      note(std::move(text));
    }
  } else {
    f.foreign_drops_read = inventory.status();
  }
  f.libvirt_conflicts = LibvirtConflicts(input);
  return f;
}

int RunHostCheck(const HostProbeInput& input) {
  std::vector<CheckLine> lines = JudgeHost(ProbeHost(input));
  std::fputs(RenderCheck(lines).c_str(), stdout);
  return CheckExitCode(lines);
}

std::string FindDnsmasq(const std::string& configured) {
  gchar* found = g_find_program_in_path(configured.c_str());
  if (found == nullptr) {
    g_warning("dnsmasq '%s' not found; networks with DHCP or DNS cannot start (virtnatd --check)",
              configured.c_str());
    return "";
  }
  char* real = realpath(found, nullptr);
  std::string path = real != nullptr ? real : found;
  free(real);
  g_free(found);
  return path;
}

}  // namespace virtnat::driver
