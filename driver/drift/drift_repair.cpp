#include "driver/drift/drift_repair.h"

#include <linux/netfilter.h>

#include <algorithm>
#include <map>

#include "driver/firewall/firewall_plan.h"

namespace virtnat::driver {
namespace {

// iptables-nft keeps its FORWARD chain in `table ip filter` (ip6tables in
// `table ip6 filter`); its users know the iptables commands, not nft's.
std::string Advice(const ForwardDropFinding& finding, const std::string& bridge) {
  const std::string family = NftFamilyName(finding.family);
  const std::string br = bridge.empty() ? "the network's bridge" : bridge;
  if (finding.table == "filter" && finding.chain == "FORWARD" &&
      (finding.family == NFPROTO_IPV4 || finding.family == NFPROTO_IPV6)) {
    const char* tool = finding.family == NFPROTO_IPV4 ? "iptables" : "ip6tables";
    return std::string("allow it there (") + tool + " -I FORWARD -i " + br + " -j ACCEPT; " + tool +
           " -I FORWARD -o " + br + " -j ACCEPT; with Docker, in chain DOCKER-USER " +
           "instead of FORWARD) or set the policy to accept (" + tool + " -P FORWARD ACCEPT)";
  }
  const std::string chain = family + " " + finding.table + " " + finding.chain;
  if (finding.family == NFPROTO_BRIDGE) {
    return "allow it there (nft insert rule " + chain + " ibrname " + br + " accept)" +
           (finding.policy_drop ? " or set the chain's policy to accept" : "");
  }
  return "allow it there (nft insert rule " + chain + " iifname " + br + " accept; nft insert " +
         "rule " + chain + " oifname " + br + " accept)" +
         (finding.policy_drop ? " or set the chain's policy to accept" : "");
}

}  // namespace

std::string ForwardDropWarning(const ForwardDropFinding& finding, const std::string& bridge) {
  return finding.message + "; " + Advice(finding, bridge);
}

DriftRepairer::DriftRepairer(DriftHost& host, Log warning, Log info, Clock clock)
    : host_(host),
      warning_(std::move(warning)),
      info_(std::move(info)),
      clock_(clock ? std::move(clock) : Clock(&std::chrono::steady_clock::now)) {}

void DriftRepairer::Check() { Run(CountedTables::kCount); }

void DriftRepairer::CheckAfterOwnChange() { Run(CountedTables::kSkip); }

void DriftRepairer::Run(CountedTables counted) {
  std::vector<RunningNetwork> running = host_.Running();
  if (running.empty()) {
    Audit(NftInventory{}, running);  // clears what was reported for stopped networks
    return;
  }
  Result<NftInventory> inventory = host_.ReadInventory(DriftCountedTables(), counted);
  if (!ReadOk(inventory)) return;
  if (counted == CountedTables::kCount) {
    std::vector<RecordedRules> recorded;
    for (const RunningNetwork& network : running) {
      recorded.push_back(RecordedRules{network.name, network.rules});
    }
    std::vector<NetworkDrift> drift = FindFirewallDrift(VirtnatBase(), recorded, *inventory);
    if (!drift.empty()) Repair(drift);
  }
  Audit(*inventory, running);
}

bool DriftRepairer::ReadOk(const Result<NftInventory>& inventory) {
  if (inventory.ok()) {
    last_read_error_.clear();
    return true;
  }
  // A kernel that cannot be read now is likely unreadable on the next check
  // too: say it once.
  if (inventory.error().message != last_read_error_) {
    last_read_error_ = inventory.error().message;
    warning_("cannot check the firewall rules of the running networks: " + last_read_error_);
  }
  return false;
}

void DriftRepairer::Repair(const std::vector<NetworkDrift>& drift) {
  Status restored = host_.RestoreFirewall();
  if (restored.ok()) ++repairs_;
  const auto now = clock_();
  if (now - window_start_ >= std::chrono::minutes(1)) {
    if (unlogged_in_window_ > 0) {
      warning_("firewall rules were restored " + std::to_string(unlogged_in_window_) +
               " more times without a log line each");
    }
    window_start_ = now;
    logged_in_window_ = 0;
    unlogged_in_window_ = 0;
  }
  if (logged_in_window_ >= kRepairsLoggedPerMinute) {
    if (unlogged_in_window_++ == 0) {
      warning_(
          "another program keeps removing the firewall rules; they are restored each "
          "time, but for the rest of the minute without a log line each");
    }
    return;
  }
  ++logged_in_window_;
  for (const NetworkDrift& d : drift) {
    warning_(DescribeNetworkDrift(d) +
             (restored.ok() ? "; restored" : "; cannot restore them: " + restored.message()));
  }
}

void DriftRepairer::Audit(const NftInventory& inventory,
                          const std::vector<RunningNetwork>& running) {
  std::vector<AuditNetwork> forwarding;
  std::map<std::string, std::string> bridges;
  for (const RunningNetwork& network : running) {
    if (!network.forwards_ipv4 && !network.forwards_ipv6) continue;
    forwarding.push_back(AuditNetwork{network.name, network.forwards_ipv4, network.forwards_ipv6});
    bridges[network.name] = network.bridge;
  }
  std::vector<std::string> now;
  for (const ForwardDropFinding& finding : FindForwardDrops(inventory, forwarding)) {
    now.push_back(ForwardDropWarning(finding, bridges[finding.network]));
  }
  std::vector<InputAuditNetwork> served;
  for (const RunningNetwork& network : running) {
    served.push_back(InputAuditNetwork{network.name, network.bridge, network.services});
  }
  for (const InputDropFinding& finding : FindInputDrops(inventory, served)) {
    now.push_back(finding.message);
  }
  if (now == warnings_) return;
  for (const std::string& line : now) {
    if (std::find(warnings_.begin(), warnings_.end(), line) == warnings_.end()) warning_(line);
  }
  for (const std::string& line : warnings_) {
    if (std::find(now.begin(), now.end(), line) == now.end()) {
      info_("no longer reported: " + line.substr(0, line.find("; ")));
    }
  }
  warnings_ = std::move(now);
  if (changed_) changed_();
}

}  // namespace virtnat::driver
