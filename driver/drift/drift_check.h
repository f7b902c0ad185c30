#pragma once
// Which running networks lost firewall rules, from an inventory of what
// nftables holds now (firewall_audit.h) and the rules recorded per network.
// Pure: the repairer (drift_repair.h) reads the inventory and acts.
//
// What `table inet virtnat` must hold while any network has rules: the
// table; every base chain with its fixed rules; every map, with at least
// as many elements as the networks put there; every network's chains, each
// with its rules. A base object gone touches every network with rules; a map
// short of elements touches the networks with elements in it; a network's
// own chain touches that network only.

#include <string>
#include <vector>

#include "driver/drift/firewall_audit.h"
#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {

struct RecordedRules {
  std::string network;
  SharedRules rules;  // empty: the network has no rules (open without forwards)
};

struct NetworkDrift {
  std::string network;
  // What is gone, e.g. "table inet virtnat missing", "chain inet virtnat
  // virbr0_nat is missing", "set inet virtnat nat4 has 0 of 1 elements".
  std::vector<std::string> problems;
  bool operator==(const NetworkDrift&) const = default;
};

// The tables ReadNftInventory must count rules and elements in for
// FindFirewallDrift: `inet virtnat`.
std::vector<NftTableInfo> DriftCountedTables();

// The networks of `networks` whose rules `inventory` lacks, in the order of
// `networks`; networks without rules never drift.
// REQUIRES: `inventory` counted the tables of DriftCountedTables().
std::vector<NetworkDrift> FindFirewallDrift(const NftBase& base,
                                            const std::vector<RecordedRules>& networks,
                                            const NftInventory& inventory);

// "network 'default': firewall rules were removed by another program (table
// inet virtnat missing)"; at most a few problems are listed.
std::string DescribeNetworkDrift(const NetworkDrift& drift);

}  // namespace virtnat::driver
