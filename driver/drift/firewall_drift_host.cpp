#include "driver/drift/firewall_drift_host.h"

#include <set>

#include "driver/drift/nft_dump.h"

namespace virtnat::driver {

std::vector<RunningNetwork> FirewallDriftHost::Running() {
  // The realizer knows networks the firewall has no record of: one adopted
  // from a status record without rules (open, no port forwards).
  std::set<std::string> names;
  for (const std::string& name : firewall_.Networks()) names.insert(name);
  if (realizer_) {
    for (const std::string& name : realizer_->Networks()) names.insert(name);
  }
  std::vector<RunningNetwork> running;
  for (const std::string& name : names) {
    RunningNetwork network;
    network.name = name;
    const NetworkPlan* plan = realizer_ ? realizer_->Applied(name) : nullptr;
    const NftNetworkRules* recorded = firewall_.Applied(name);
    if (plan && (!recorded || *recorded != plan->firewall.rules)) {
      firewall_.Adopt(name, plan->firewall.rules);
      recorded = firewall_.Applied(name);
    }
    if (recorded) network.rules = firewall_.AppliedRules(name);
    // Without rules and unknown to the realizer: nothing of it runs.
    if (realizer_ && !plan && network.rules->empty()) continue;
    if (plan) {
      network.bridge = plan->bridge.name;
      network.forwards_ipv4 = plan->sysctls.ipv4_forwarding;
      network.forwards_ipv6 = plan->sysctls.ipv6_forwarding;
      if (plan->dnsmasq.needed) network.services = plan->services;
    }
    running.push_back(std::move(network));
  }
  return running;
}

Result<NftInventory> FirewallDriftHost::ReadInventory(const std::vector<NftTableInfo>& count_in,
                                                      CountedTables counted) {
  return ReadNftInventory(count_in, counted);
}

}  // namespace virtnat::driver
