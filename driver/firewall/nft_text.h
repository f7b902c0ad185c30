#pragma once
// nft text for the values of nft_ruleset.h, in the exact layout `nft list
// ruleset` (nftables 1.0.6) prints, so a ruleset read back from the kernel
// compares byte for byte with the rendering. `nft -f` accepts the output.

#include <string>
#include <vector>

#include "driver/firewall/firewall_plan.h"
#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {

// One rule without indentation, e.g. `ip saddr 10.0.0.0/24 accept`.
std::string RenderRule(const NftRule& rule);
// A map element, e.g. `"virbr0" : jump virbr0_in`.
std::string RenderElement(const NftElement& element);

// `table inet virtnat { ... }` holding the base and the given networks'
// chains and elements, as the kernel lists it after applying them in this
// order to an empty table: maps first, then chains in creation order.
// Elements of prefix maps are listed in key order, others as added.
std::string RenderTable(const NftBase& base, const std::vector<const NftNetworkRules*>& networks);

// The table with only this network, or "" if the network has no rules (an
// open network without port forwards adds nothing to the kernel).
std::string RenderPlan(const FirewallPlan& plan);

}  // namespace virtnat::driver
