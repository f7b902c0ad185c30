#include "driver/drift/drift_check.h"

#include <linux/netfilter.h>

#include <algorithm>
#include <map>

namespace virtnat::driver {
namespace {

// A log line stays readable when a whole table is gone.
constexpr size_t kListedProblems = 3;

bool HasTable(const NftInventory& inventory) {
  return std::any_of(inventory.tables.begin(), inventory.tables.end(), [](const NftTableInfo& t) {
    return t.family == NFPROTO_INET && t.name == kNftTable;
  });
}

ExpectedNftChain Expect(const NftChain& chain) {
  return ExpectedNftChain{NFPROTO_INET, kNftTable, chain.name, chain.rules.size()};
}

void AddProblem(NetworkDrift& drift, std::string problem) {
  if (std::find(drift.problems.begin(), drift.problems.end(), problem) == drift.problems.end()) {
    drift.problems.push_back(std::move(problem));
  }
}

}  // namespace

std::vector<NftTableInfo> DriftCountedTables() { return {NftTableInfo{NFPROTO_INET, kNftTable}}; }

std::vector<NetworkDrift> FindFirewallDrift(const NftBase& base,
                                            const std::vector<RecordedRules>& networks,
                                            const NftInventory& inventory) {
  std::vector<NetworkDrift> drift;
  for (const RecordedRules& network : networks) {
    if (!network.rules->empty()) drift.push_back(NetworkDrift{network.network, {}});
  }
  if (drift.empty()) return drift;

  if (!HasTable(inventory)) {
    for (NetworkDrift& d : drift)
      AddProblem(d, std::string("table inet ") + kNftTable + " missing");
    return drift;
  }
  // Shared objects: every network with rules needs them.
  std::vector<ExpectedNftChain> base_chains;
  for (const NftChain& chain : base.chains) base_chains.push_back(Expect(chain));
  std::vector<std::string> shared;
  for (const NftChainDrift& d : FindChainDrift(base_chains, inventory)) {
    shared.push_back(DescribeDrift(d));
  }
  std::map<std::string, size_t> elements;  // map -> elements the networks put there
  for (const RecordedRules& network : networks) {
    for (const NftElement& el : network.rules->elements) ++elements[el.map];
  }
  std::vector<ExpectedNftSet> maps;
  for (const NftMap& map : base.maps) {
    maps.push_back(ExpectedNftSet{NFPROTO_INET, kNftTable, map.name, elements[map.name]});
  }
  std::map<std::string, std::string> short_maps;  // map -> problem
  for (const NftSetDrift& d : FindSetDrift(maps, inventory)) {
    if (d.missing) {
      shared.push_back(DescribeDrift(d));
    } else {
      short_maps[d.expected.set] = DescribeDrift(d);
    }
  }

  const NftChainIndex present = IndexChains(inventory);
  size_t i = 0;
  for (const RecordedRules& network : networks) {
    if (network.rules->empty()) continue;
    NetworkDrift& d = drift[i++];
    for (const std::string& problem : shared) AddProblem(d, problem);
    std::vector<ExpectedNftChain> own;
    for (const NftChain& chain : network.rules->chains) own.push_back(Expect(chain));
    for (const NftChainDrift& c : FindChainDrift(own, present)) AddProblem(d, DescribeDrift(c));
    for (const NftElement& el : network.rules->elements) {
      auto it = short_maps.find(el.map);
      if (it != short_maps.end()) AddProblem(d, it->second);
    }
  }
  std::erase_if(drift, [](const NetworkDrift& d) { return d.problems.empty(); });
  return drift;
}

std::string DescribeNetworkDrift(const NetworkDrift& drift) {
  std::string list;
  for (size_t i = 0; i < drift.problems.size() && i < kListedProblems; ++i) {
    if (i > 0) list += ", ";
    list += drift.problems[i];
  }
  if (drift.problems.size() > kListedProblems) {
    list += " and " + std::to_string(drift.problems.size() - kListedProblems) + " more";
  }
  return "network '" + drift.network + "': firewall rules were removed by another program (" +
         list + ")";
}

}  // namespace virtnat::driver
