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

// Dumps every table, chain and set of every family; counts the rules of
// each chain and the elements of each set of the tables in `count_in`;
// reads the last rule of forward base chains that accept by policy (for
// ends_in_drop).
Result<NftInventory> ReadNftInventory(const std::vector<NftTableInfo>& count_in = {});

// Reads the kernel's state and returns FindChainDrift() of it.
Result<std::vector<NftChainDrift>> CheckChains(const std::vector<ExpectedNftChain>& expected);

Result<std::vector<NftSetDrift>> CheckSets(const std::vector<ExpectedNftSet>& expected);

// Reads the kernel's state and returns FindForwardDrops() of it.
Result<std::vector<ForwardDropFinding>> AuditForwardDrops(
    const std::vector<AuditNetwork>& networks);

}  // namespace virtnat::driver
