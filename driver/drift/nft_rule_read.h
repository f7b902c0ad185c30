#pragma once
// Reads what a rule the kernel reported does (NftRuleInfo, nft_inventory.h)
// from its libnftnl expressions: the conditions the audits understand
// (interface names, protocol, ports, conntrack state), anything else as an
// unknown condition, and the verdict. Counters and logs pass.

#include <libnftnl/rule.h>

#include "driver/drift/nft_inventory.h"

namespace virtnat::driver {

NftRuleInfo ReadRuleInfo(nftnl_rule* rule);

}  // namespace virtnat::driver
