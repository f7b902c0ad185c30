#include "driver/firewall_drift_host.h"

namespace virtnat::driver {

std::vector<RunningNetwork> FirewallDriftHost::Running() {
  std::vector<RunningNetwork> running;
  for (const std::string& name : firewall_.Networks()) {
    RunningNetwork network;
    network.name = name;
    const NetworkPlan* plan = realizer_ ? realizer_->Applied(name) : nullptr;
    const NftNetworkRules* recorded = firewall_.Applied(name);
    if (plan && (!recorded || *recorded != plan->firewall.rules)) {
      firewall_.Adopt(name, plan->firewall.rules);
      recorded = firewall_.Applied(name);
    }
    if (recorded) network.rules = *recorded;
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

Result<NftInventory> FirewallDriftHost::ReadInventory(const std::vector<NftTableInfo>& count_in) {
  return ReadNftInventory(count_in);
}

}  // namespace virtnat::driver
