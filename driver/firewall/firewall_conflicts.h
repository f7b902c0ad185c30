#pragma once
// Checks a network's map elements against those of the networks already
// applied. The kernel refuses an interface or an exact key twice, but its
// interval maps accept overlapping port ranges (and a lookup would then pick
// either network), so overlaps are found here, before the batch is sent.

#include <map>
#include <string>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {

// OK if no element of `candidate` shares or overlaps a key with an element
// of another network in `applied` (same map). Otherwise an
// OPERATION_INVALID error naming both, e.g. "host port tcp 8000-8100 is
// already forwarded by network 'a' (host port tcp 8080)".
Status CheckElementConflicts(const std::string& network, const NftNetworkRules& candidate,
                             const std::map<std::string, SharedRules>& applied);

}  // namespace virtnat::driver
