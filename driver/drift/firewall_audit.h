#pragma once
// Checks what nftables holds (nft_inventory.h, read by nft_dump.h) against
// what the networks need, without any I/O:
//  - drift: chains of virtnat's own table that are gone or lost rules (a
//    `nft flush ruleset`, a deleted table, a foreign tool's cleanup), so the
//    driver knows which networks to re-apply;
//  - foreign drops: base chains of OTHER tables hooked at forward that drop
//    what they do not accept (policy drop, or a final unconditional drop).
//    An accept in virtnat's table does not override a drop elsewhere: every
//    table's forward chain must let the packet through. iptables-nft's
//    `iptables -P FORWARD DROP` (Docker sets it) is `table ip filter chain
//    FORWARD` with policy drop. Rules of iptables-legacy are not visible here.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "driver/drift/nft_inventory.h"

namespace virtnat::driver {

// --- Drift of virtnat's own objects -------------------------------------

struct ExpectedNftChain {
  uint8_t family = 0;
  std::string table;
  std::string chain;
  size_t min_rules = 0;  // fewer rules than this counts as drift
  bool operator==(const ExpectedNftChain&) const = default;
};

struct NftChainDrift {
  ExpectedNftChain expected;
  bool missing = true;     // else present with too few rules
  size_t rules_found = 0;  // when present
  bool operator==(const NftChainDrift&) const = default;
};

// "chain inet virtnat virbr0_nat is missing" /
// "chain inet virtnat forward has 0 of 2 rules".
std::string DescribeDrift(const NftChainDrift& drift);

// The expected chains `inventory` lacks or holds with too few rules, in the
// order of `expected`. REQUIRES: the inventory counted the rules of every
// table named in `expected` that has a min_rules above 0.
std::vector<NftChainDrift> FindChainDrift(const std::vector<ExpectedNftChain>& expected,
                                          const NftInventory& inventory);

// The inventory's chains by (family, table, name) with their rule counts.
// Checking many networks against one inventory builds it once: rebuilding it
// per network made a drift check quadratic in the number of networks.
using NftChainIndex = std::map<std::tuple<uint8_t, std::string, std::string>, size_t>;
NftChainIndex IndexChains(const NftInventory& inventory);
std::vector<NftChainDrift> FindChainDrift(const std::vector<ExpectedNftChain>& expected,
                                          const NftChainIndex& present);

// The same for sets and maps: a network's verdict-map elements can vanish
// (`nft flush map`, `nft delete element`) while every chain stays.
struct ExpectedNftSet {
  uint8_t family = 0;
  std::string table;
  std::string set;
  size_t min_elements = 0;
  bool operator==(const ExpectedNftSet&) const = default;
};

struct NftSetDrift {
  ExpectedNftSet expected;
  bool missing = true;
  size_t elements_found = 0;
  bool operator==(const NftSetDrift&) const = default;
};

// "set inet virtnat fwd_in is missing" / "set inet virtnat fwd_in has 1 of 2 elements".
std::string DescribeDrift(const NftSetDrift& drift);

// REQUIRES: as FindChainDrift, for element counts.
std::vector<NftSetDrift> FindSetDrift(const std::vector<ExpectedNftSet>& expected,
                                      const NftInventory& inventory);

// --- Foreign drops of forwarded traffic --------------------------------

struct AuditNetwork {
  std::string name;
  bool ipv4 = true;  // forwards IPv4 traffic
  bool ipv6 = false;
};

struct ForwardDropFinding {
  uint8_t family = 0;
  std::string table;
  std::string chain;
  int32_t priority = 0;
  bool policy_drop = false;  // else the chain ends in an unconditional drop rule
  std::string network;
  // "table ip filter chain FORWARD (hook forward, priority 0) has policy drop:
  // forwarded traffic of network 'default' may be dropped there"
  std::string message;
  bool operator==(const ForwardDropFinding&) const = default;
};

// For each network, the forward base chains outside `table inet virtnat`
// that may drop its traffic: tables of family ip (if it forwards IPv4), ip6
// (IPv6), inet (either) and bridge (frames bridged between its guests).
// Ordered by network, then family, table and chain.
std::vector<ForwardDropFinding> FindForwardDrops(const NftInventory& inventory,
                                                 const std::vector<AuditNetwork>& networks);

}  // namespace virtnat::driver
