#pragma once
// The record of what a network added to the firewall, as text for its
// status file, so a restarted daemon can still remove exactly that
// (NftFirewall::Adopt). One item per line:
//
//   chain virbr0_in
//   element fwd_in ifname virbr0 jump virbr0_in
//   element nat4 prefix 192.168.122.0/24 jump virbr0_nat
//   element portfwd ports tcp 8080-8080 jump virbr0_dnat
//
// Chains come back without their rules: removal only needs their names.

#include <string>
#include <string_view>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {

std::string FormatFirewallRecord(const NftNetworkRules& rules);

// Fails (INTERNAL_ERROR, naming the line) on anything FormatFirewallRecord
// does not write.
Result<NftNetworkRules> ParseFirewallRecord(std::string_view text);

}  // namespace virtnat::driver
