#include "driver/drift/firewall_audit.h"

#include <linux/netfilter.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {
namespace {

std::string ChainName(uint8_t family, const std::string& table, const std::string& chain) {
  return "chain " + NftFamilyName(family) + " " + table + " " + chain;
}

}  // namespace

bool IsForwardBaseChain(const NftChainInfo& chain) {
  bool forwarding_family = chain.family == NFPROTO_IPV4 || chain.family == NFPROTO_IPV6 ||
                           chain.family == NFPROTO_INET || chain.family == NFPROTO_BRIDGE;
  return chain.base && chain.hook == NF_INET_FORWARD && forwarding_family;
}

bool DropsEverything(const NftRuleInfo& rule) {
  return rule.verdict == NftRuleInfo::Verdict::kDrop && rule.matches.empty();
}

std::string DescribeDrift(const NftChainDrift& drift) {
  const ExpectedNftChain& e = drift.expected;
  std::string name = ChainName(e.family, e.table, e.chain);
  if (drift.missing) return name + " is missing";
  return name + " has " + std::to_string(drift.rules_found) + " of " + std::to_string(e.min_rules) +
         " rules";
}

NftChainIndex IndexChains(const NftInventory& inventory) {
  NftChainIndex present;
  for (const NftChainInfo& chain : inventory.chains) {
    present[{chain.family, chain.table, chain.name}] = chain.rules;
  }
  return present;
}

std::vector<NftChainDrift> FindChainDrift(const std::vector<ExpectedNftChain>& expected,
                                          const NftInventory& inventory) {
  return FindChainDrift(expected, IndexChains(inventory));
}

std::vector<NftChainDrift> FindChainDrift(const std::vector<ExpectedNftChain>& expected,
                                          const NftChainIndex& present) {
  std::vector<NftChainDrift> drift;
  for (const ExpectedNftChain& e : expected) {
    auto it = present.find({e.family, e.table, e.chain});
    if (it == present.end()) {
      drift.push_back(NftChainDrift{e, true, 0});
    } else if (it->second < e.min_rules) {
      drift.push_back(NftChainDrift{e, false, it->second});
    }
  }
  return drift;
}

std::string DescribeDrift(const NftSetDrift& drift) {
  const ExpectedNftSet& e = drift.expected;
  std::string name = "set " + NftFamilyName(e.family) + " " + e.table + " " + e.set;
  if (drift.missing) return name + " is missing";
  return name + " has " + std::to_string(drift.elements_found) + " of " +
         std::to_string(e.min_elements) + " elements";
}

std::vector<NftSetDrift> FindSetDrift(const std::vector<ExpectedNftSet>& expected,
                                      const NftInventory& inventory) {
  std::map<std::tuple<uint8_t, std::string, std::string>, size_t> present;
  for (const NftSetInfo& set : inventory.sets) {
    present[{set.family, set.table, set.name}] = set.elements;
  }
  std::vector<NftSetDrift> drift;
  for (const ExpectedNftSet& e : expected) {
    auto it = present.find({e.family, e.table, e.set});
    if (it == present.end()) {
      drift.push_back(NftSetDrift{e, true, 0});
    } else if (it->second < e.min_elements) {
      drift.push_back(NftSetDrift{e, false, it->second});
    }
  }
  return drift;
}

std::vector<ForwardDropFinding> FindForwardDrops(const NftInventory& inventory,
                                                 const std::vector<AuditNetwork>& networks) {
  std::vector<const NftChainInfo*> dropping;
  for (const NftChainInfo& chain : inventory.chains) {
    if (!IsForwardBaseChain(chain) || !(chain.policy_drop || chain.ends_in_drop)) continue;
    if (chain.family == NFPROTO_INET && chain.table == kNftTable) continue;
    dropping.push_back(&chain);
  }
  std::sort(dropping.begin(), dropping.end(), [](const NftChainInfo* a, const NftChainInfo* b) {
    return std::tie(a->family, a->table, a->name) < std::tie(b->family, b->table, b->name);
  });
  std::vector<ForwardDropFinding> findings;
  for (const AuditNetwork& network : networks) {
    for (const NftChainInfo* chain : dropping) {
      bool affects = chain->family == NFPROTO_INET || chain->family == NFPROTO_BRIDGE ||
                     (chain->family == NFPROTO_IPV4 && network.ipv4) ||
                     (chain->family == NFPROTO_IPV6 && network.ipv6);
      if (!affects) continue;
      ForwardDropFinding finding{chain->family,      chain->table, chain->name, chain->priority,
                                 chain->policy_drop, network.name, ""};
      finding.message =
          "table " + NftFamilyName(chain->family) + " " + chain->table + " chain " + chain->name +
          " (hook forward, priority " + std::to_string(chain->priority) + ") " +
          (chain->policy_drop ? "has policy drop" : "ends in a rule that drops all") + ": " +
          (chain->family == NFPROTO_BRIDGE ? "traffic bridged between guests"
                                           : "forwarded traffic") +
          " of network '" + network.name + "' may be dropped there";
      findings.push_back(std::move(finding));
    }
  }
  return findings;
}

}  // namespace virtnat::driver
