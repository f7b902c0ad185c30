#pragma once
// The rules of networks a restarted daemon re-adopts are checked against
// what nftables holds: a daemon killed halfway through a stop, or a flush
// while no daemon ran, may have left a network with its bridge and dnsmasq
// but without (all of) its rules. Such networks get their rules applied
// again rather than being kept half up.

#include <string>
#include <utility>
#include <vector>

#include "driver/firewall_audit.h"
#include "driver/firewall_plan.h"

namespace virtnat::driver {

struct RulesToRestore {
  // The shared base (table, base chains and their rules, maps) is damaged:
  // every network's rules go and come back, rebuilding the table.
  bool rebuild = false;
  // The networks whose own chains or map elements are not all there
  // (every network with rules when `rebuild`), in the order given.
  std::vector<std::string> networks;
};

// `networks`: each adopted network with its plan. `inventory` must count the
// rules and elements of `table inet virtnat` (ReadNftInventory). Elements
// are counted per map, not named: a map holding fewer elements than the
// networks put there marks every network with elements in it.
RulesToRestore FindRulesToRestore(
    const std::vector<std::pair<std::string, const FirewallPlan*>>& networks,
    const NftInventory& inventory);

}  // namespace virtnat::driver
