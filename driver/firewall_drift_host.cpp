#include "driver/firewall_drift_host.h"

namespace virtnat::driver {

std::vector<RunningNetwork> FirewallDriftHost::Running() {
  std::vector<RunningNetwork> running;
  for (const std::string& name : firewall_.Networks()) {
    RunningNetwork network;
    network.name = name;
    network.rules = RulesOf(name);
    const NetworkPlan* plan = realizer_ ? realizer_->Applied(name) : nullptr;
    // Without rules and unknown to the realizer: nothing of it runs.
    if (realizer_ && !plan && network.rules.empty()) continue;
    if (plan) {
      network.bridge = plan->bridge.name;
      network.forwards_ipv4 = plan->sysctls.ipv4_forwarding;
      network.forwards_ipv6 = plan->sysctls.ipv6_forwarding;
    }
    running.push_back(std::move(network));
  }
  return running;
}

NftNetworkRules FirewallDriftHost::RulesOf(const std::string& network) const {
  if (const NetworkPlan* plan = realizer_ ? realizer_->Applied(network) : nullptr) {
    return plan->firewall.rules;
  }
  const NftNetworkRules* rules = firewall_.Applied(network);
  return rules ? *rules : NftNetworkRules{};
}

Status FirewallDriftHost::RestoreFirewall() {
  for (const std::string& name : firewall_.Networks()) firewall_.Adopt(name, RulesOf(name));
  return firewall_.RestoreAll();
}

Result<NftInventory> FirewallDriftHost::ReadInventory(const std::vector<NftTableInfo>& count_in) {
  return ReadNftInventory(count_in);
}

}  // namespace virtnat::driver
