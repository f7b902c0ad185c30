#pragma once
// `virtnatd --check`, in the manner of virt-host-validate: what this host
// must have for virtnatd to run its networks, one line per check with PASS,
// WARN or FAIL and, unless it passes, what to do about it. The facts are
// gathered by host_probe.h; judging and printing them is pure.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

struct HostCheckFacts {
  bool root = false;
  bool cap_net_admin = false;
  Status bridge_support;           // the kernel's answer when asked for a bridge
  Status nftables_support;         // nf_tables at all
  Status nftables_nat;             // a nat chain in families ip and ip6
  std::string dnsmasq_binary;      // as configured ("dnsmasq": found on PATH)
  std::string dnsmasq_path;        // where it was found; empty: not found
  std::string dnsmasq_version;     // "2.89"; empty: did not answer --version
  std::optional<bool> ip_forward;  // nullopt: cannot be read
  bool ip_forward_writable = false;
  // Interfaces with accept_ra = 1 and a default route learnt from router
  // advertisements: enabling IPv6 forwarding would drop that route (libvirt
  // refuses to start an IPv6 network there).
  std::vector<std::string> accept_ra_at_risk;
  // Messages of the forward/input audits: foreign chains that drop.
  std::vector<std::string> foreign_drops;
  Status foreign_drops_read;  // the ruleset could not be read
  // "bridge virbr0 of libvirt's network 'default' is also ..." lines.
  std::vector<std::string> libvirt_conflicts;
};

enum class CheckOutcome { kPass, kWarn, kFail };

struct CheckLine {
  std::string what;  // "nftables with nat (ip and ip6)"
  CheckOutcome outcome = CheckOutcome::kPass;
  std::string note;  // on PASS a detail (a version); else the problem and the fix
};

std::vector<CheckLine> JudgeHost(const HostCheckFacts& facts);

// "virtnatd: Checking WHAT : PASS (note)", padded as virt-host-validate
// pads, one per line.
std::string RenderCheck(const std::vector<CheckLine>& lines);

// 1 if any line failed, else 0.
int CheckExitCode(const std::vector<CheckLine>& lines);

}  // namespace virtnat::driver
