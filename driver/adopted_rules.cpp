#include "driver/adopted_rules.h"

#include <linux/netfilter.h>

#include <algorithm>
#include <map>

namespace virtnat::driver {
namespace {

ExpectedNftChain Expected(const NftChain& chain) {
  return ExpectedNftChain{NFPROTO_INET, kNftTable, chain.name, chain.rules.size()};
}

}  // namespace

RulesToRestore FindRulesToRestore(
    const std::vector<std::pair<std::string, const FirewallPlan*>>& networks,
    const NftInventory& inventory) {
  RulesToRestore out;
  std::vector<std::pair<std::string, const FirewallPlan*>> with_rules;
  for (const auto& entry : networks) {
    if (!entry.second->rules.empty()) with_rules.push_back(entry);
  }
  if (with_rules.empty()) return out;

  std::vector<ExpectedNftChain> base;
  std::vector<ExpectedNftSet> maps;
  for (const NftChain& chain : with_rules[0].second->base.chains) base.push_back(Expected(chain));
  std::map<std::string, size_t> elements;
  for (const NftMap& map : with_rules[0].second->base.maps) elements[map.name] = 0;
  for (const auto& [name, plan] : with_rules) {
    for (const NftElement& element : plan->rules.elements) ++elements[element.map];
  }
  for (const auto& [map, count] : elements) {
    maps.push_back(ExpectedNftSet{NFPROTO_INET, kNftTable, map, count});
  }
  if (!FindChainDrift(base, inventory).empty()) {
    out.rebuild = true;
    for (const auto& entry : with_rules) out.networks.push_back(entry.first);
    return out;
  }
  std::vector<std::string> short_maps;
  for (const NftSetDrift& drift : FindSetDrift(maps, inventory)) {
    short_maps.push_back(drift.expected.set);
  }
  for (const auto& [name, plan] : with_rules) {
    std::vector<ExpectedNftChain> own;
    for (const NftChain& chain : plan->rules.chains) own.push_back(Expected(chain));
    bool damaged = !FindChainDrift(own, inventory).empty();
    for (const NftElement& element : plan->rules.elements) {
      if (std::find(short_maps.begin(), short_maps.end(), element.map) != short_maps.end()) {
        damaged = true;
      }
    }
    if (damaged) out.networks.push_back(name);
  }
  return out;
}

}  // namespace virtnat::driver
