#pragma once
// Reads what nftables holds now through libnftnl dump requests (never the
// `nft` binary), and the checks of firewall_audit.h on what was read.
//
// Reads run in the calling thread's network namespace, on a fresh netlink
// socket each time, and take a few milliseconds for ordinary rulesets.

#include <vector>

#include "common/status.h"
#include "driver/drift/firewall_audit.h"
#include "driver/drift/nft_inventory.h"

namespace virtnat::driver {

// What a read does with the rules of the tables it is given to count.
enum class CountedTables {
  kCount,  // count the rules of each chain and the elements of each set
  kSkip,   // list their chains and sets only
};

// Dumps every table, chain and set of every family; counts (or skips) the
// rules of each chain and the elements of each set of the tables in
// `count_in`, whose rules are never read one by one; reads the last rule of
// the other tables' forward base chains that accept by policy (for
// ends_in_drop).
Result<NftInventory> ReadNftInventory(const std::vector<NftTableInfo>& count_in = {},
                                      CountedTables counted = CountedTables::kCount);

// Reads the kernel's state and returns FindChainDrift() of it.
Result<std::vector<NftChainDrift>> CheckChains(const std::vector<ExpectedNftChain>& expected);

Result<std::vector<NftSetDrift>> CheckSets(const std::vector<ExpectedNftSet>& expected);

// Reads the kernel's state and returns FindForwardDrops() of it.
Result<std::vector<ForwardDropFinding>> AuditForwardDrops(
    const std::vector<AuditNetwork>& networks);

}  // namespace virtnat::driver
