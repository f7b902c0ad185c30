#include "driver/check/host_check.h"

#include <algorithm>

namespace virtnat::driver {
namespace {

CheckLine Pass(std::string what, std::string note = "") {
  return {std::move(what), CheckOutcome::kPass, std::move(note)};
}
CheckLine Warn(std::string what, std::string note) {
  return {std::move(what), CheckOutcome::kWarn, std::move(note)};
}
CheckLine Fail(std::string what, std::string note) {
  return {std::move(what), CheckOutcome::kFail, std::move(note)};
}

std::string Joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

std::vector<CheckLine> JudgeHost(const HostCheckFacts& f) {
  std::vector<CheckLine> lines;
  // Without privilege the kernel does not answer: say so rather than
  // suggest loading modules that may well be there.
  const bool privileged = f.root || f.cap_net_admin;
  auto kernel_check = [&](const char* what, const Status& answer, const std::string& fix) {
    if (answer.ok()) return Pass(what);
    if (!privileged)
      return Warn(what, "not checked: the kernel answers only root (run --check as root)");
    return Fail(what, answer.message() + "; " + fix);
  };
  const char* privilege = "root or CAP_NET_ADMIN";
  if (f.root || f.cap_net_admin) {
    lines.push_back(Pass(privilege, f.root ? "root" : "CAP_NET_ADMIN"));
  } else {
    lines.push_back(Fail(privilege,
                         "virtnatd creates bridges and firewall rules: run it as root "
                         "(the virtnatd.service unit does)"));
  }
  lines.push_back(kernel_check("kernel bridge support", f.bridge_support,
                               "load the bridge module (modprobe bridge)"));
  if (!f.nftables_support.ok()) {
    lines.push_back(
        kernel_check("nftables", f.nftables_support, "load nf_tables (modprobe nf_tables)"));
  } else {
    lines.push_back(Pass("nftables"));
    lines.push_back(
        f.nftables_nat.ok()
            ? Pass("nftables nat (ip and ip6)")
            : Fail("nftables nat (ip and ip6)",
                   f.nftables_nat.message() + "; the kernel needs nft_chain_nat and nft_masq"));
  }
  if (f.dnsmasq_path.empty()) {
    lines.push_back(Fail("dnsmasq", "'" + f.dnsmasq_binary +
                                        "' not found; install dnsmasq-base (apt-get install "
                                        "dnsmasq-base) or set dnsmasq_binary in virtnatd.conf"));
  } else if (f.dnsmasq_version.empty()) {
    lines.push_back(Fail("dnsmasq", f.dnsmasq_path + " does not answer --version; reinstall "
                                                     "dnsmasq-base"));
  } else {
    lines.push_back(Pass("dnsmasq", f.dnsmasq_path + " version " + f.dnsmasq_version));
  }
  const char* forward = "IPv4 forwarding (net.ipv4.ip_forward)";
  if (!f.ip_forward) {
    lines.push_back(Fail(forward, "cannot read /proc/sys/net/ipv4/ip_forward"));
  } else if (f.ip_forward_writable) {
    lines.push_back(
        Pass(forward, *f.ip_forward ? "on" : "off; turned on by a nat or route network"));
  } else if (*f.ip_forward) {
    lines.push_back(Pass(forward, "on (read-only here)"));
  } else if (!privileged) {
    lines.push_back(Warn(forward, "off; not checked whether root may turn it on"));
  } else {
    lines.push_back(Fail(forward,
                         "off and read-only here: nat and route networks cannot forward; "
                         "run in a namespace where /proc/sys is writable"));
  }
  const char* ra = "IPv6 router advertisements (accept_ra)";
  if (f.accept_ra_at_risk.empty()) {
    lines.push_back(Pass(ra));
  } else {
    lines.push_back(Warn(ra, "default route of " + Joined(f.accept_ra_at_risk, ", ") +
                                 " comes from router advertisements with accept_ra = 1; an "
                                 "IPv6 network would turn forwarding on and lose it: set "
                                 "net.ipv6.conf.IFACE.accept_ra = 2"));
  }
  const char* drops = "other firewalls dropping guest traffic";
  if (!f.foreign_drops_read.ok()) {
    lines.push_back(Warn(drops, "cannot read the ruleset: " + f.foreign_drops_read.message()));
  } else if (f.foreign_drops.empty()) {
    lines.push_back(Pass(drops));
  } else {
    lines.push_back(Warn(
        drops, Joined(f.foreign_drops, "; ") + "; accept the networks' bridges in those chains"));
  }
  const char* libvirt = "networks shared with libvirt";
  if (f.libvirt_conflicts.empty()) {
    lines.push_back(Pass(libvirt));
  } else {
    lines.push_back(Warn(libvirt, Joined(f.libvirt_conflicts, "; ") +
                                      "; run each network in one daemon only (virtnatd "
                                      "import-libvirt, or undefine it in one of them)"));
  }
  return lines;
}

std::string RenderCheck(const std::vector<CheckLine>& lines) {
  std::string out;
  for (const CheckLine& line : lines) {
    std::string head = "virtnatd: Checking " + line.what;
    if (head.size() < 60) head.resize(60, ' ');
    static constexpr const char* kWord[] = {"PASS", "WARN", "FAIL"};
    out += head + ": " + kWord[static_cast<int>(line.outcome)];
    if (!line.note.empty()) out += " (" + line.note + ")";
    out += "\n";
  }
  return out;
}

int CheckExitCode(const std::vector<CheckLine>& lines) {
  return std::any_of(lines.begin(), lines.end(),
                     [](const CheckLine& l) { return l.outcome == CheckOutcome::kFail; })
             ? 1
             : 0;
}

}  // namespace virtnat::driver
