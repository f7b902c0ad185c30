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

}  // namespace virtnat::driver
