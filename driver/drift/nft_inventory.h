#pragma once
// What nftables holds, as plain values: every table, chain and set of every
// family, with rule and element counts where they were asked for. Read from
// the kernel by nft_dump.h; checked by firewall_audit.h without any I/O.

#include <cstdint>
#include <string>
#include <vector>

namespace virtnat::driver {

struct NftTableInfo {
  uint8_t family = 0;  // NFPROTO_*
  std::string name;
  bool operator==(const NftTableInfo&) const = default;
};

// One condition of a rule, as far as the audit reads it (nft_rule_read.h).
struct NftMatch {
  enum class Field : uint8_t {
    kUnknown,  // anything else: a set lookup, a limit, an address, a mark
    kIifname,
    kOifname,
    kNfproto,     // meta nfproto (inet tables)
    kL4proto,     // meta l4proto, or iptables' `-p` (ip protocol / ip6 nexthdr)
    kSourcePort,  // th sport, udp sport, tcp sport
    kDestPort,
    kCtState,  // `value` holds the NF_CT_STATE_* bits that match
  };
  Field field = Field::kUnknown;
  bool negated = false;  // `!=`
  std::string name;      // interface names; `prefix`: `iifname "virbr*"`
  bool prefix = false;
  uint32_t value = 0;  // the protocol, port or state bits
  bool operator==(const NftMatch&) const = default;
};

// A rule: its conditions (all must hold) and its verdict.
struct NftRuleInfo {
  enum class Verdict : uint8_t { kNone, kAccept, kDrop, kJump, kGoto, kReturn, kOther };
  std::vector<NftMatch> matches;
  Verdict verdict = Verdict::kNone;  // kDrop: drop or reject; kOther: queue, continue
  std::string target;                // the chain of kJump / kGoto
  bool operator==(const NftRuleInfo&) const = default;
};

struct NftChainInfo {
  uint8_t family = 0;
  std::string table;
  std::string name;
  bool base = false;  // hooked; the fields below are set only for base chains
  uint32_t hook = 0;  // NF_INET_* (NF_BR_* for bridge; same numbers up to forward)
  int32_t priority = 0;
  bool policy_drop = false;
  // Read only where it matters (see ReadNftInventory): the chain's last rule
  // drops or rejects every packet reaching it (only counters or logging
  // before the verdict).
  bool ends_in_drop = false;
  size_t rules = 0;  // counted only in the tables ReadNftInventory was asked to count
  // The rules themselves, read only for the input-hook audit (input_audit.h):
  // every chain of a table holding an input or output base chain.
  std::vector<NftRuleInfo> rule_list;
  bool operator==(const NftChainInfo&) const = default;
};

// A named set or map.
struct NftSetInfo {
  uint8_t family = 0;
  std::string table;
  std::string name;
  // Counted only in the tables ReadNftInventory was asked to count. An
  // interval (a prefix, a port range) is one element.
  size_t elements = 0;
  bool operator==(const NftSetInfo&) const = default;
};

struct NftInventory {
  std::vector<NftTableInfo> tables;
  std::vector<NftChainInfo> chains;
  std::vector<NftSetInfo> sets;
};

// A base chain hooked at forward in a family that forwards packets (ip,
// ip6, inet, bridge; NF_BR_FORWARD has the number of NF_INET_FORWARD).
bool IsForwardBaseChain(const NftChainInfo& chain);

// The rule drops or rejects every packet reaching it (no condition, only
// counters or logging before the verdict).
bool DropsEverything(const NftRuleInfo& rule);

}  // namespace virtnat::driver
