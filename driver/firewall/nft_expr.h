#pragma once
// Translation of one NftRule into libnftnl expressions, emitting the same
// bytecode nft 1.0.6 emits for the text nft_text.h prints (checked by the
// integration test, which lists the kernel's ruleset with `nft`).

#include <libnftnl/rule.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {

// Appends the expressions of `rule` to `out` (a rule of family inet).
Status AppendRuleExprs(const NftRule& rule, nftnl_rule* out);

// Key bytes of map elements as the kernel stores them.
std::vector<uint8_t> IfNameBytes(const std::string& name);  // IFNAMSIZ, zero padded
std::vector<uint8_t> AddressBytes(const IpAddress& a);      // 4 or 16, network order
// meta l4proto . th dport: protocol byte and port, each in a 32-bit register.
std::vector<uint8_t> ProtoPortBytes(uint8_t proto, unsigned port);

}  // namespace virtnat::driver
