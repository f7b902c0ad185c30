#pragma once
// nftables changes as one netlink batch (NFNL_MSG_BATCH_BEGIN ... END): the
// kernel commits all of its messages or none.
//
// Starting a network: create the table, its maps and base chains if absent
// (creation without NLM_F_EXCL is a no-op for existing objects), replace the
// base chains' fixed rules (flush + add inside the same batch, so no packet
// sees them missing and they never duplicate), then add the network's chains
// and rules and, last, its map elements — with NLM_F_EXCL, so a chain or key
// already taken by another network fails the whole batch.
// Stopping it: delete its elements, flush and delete its chains, and delete
// the table when no network is left.

#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/firewall/nft_ptr.h"
#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {

class NftBatch {
 public:
  NftBatch(NftnlBatchPtr batch, uint32_t first_seq, std::vector<std::string> what)
      : batch_(std::move(batch)), first_seq_(first_seq), what_(std::move(what)) {}

  // The messages, ready for sendmsg(). Valid while this object lives.
  std::vector<iovec> Iovecs() const;
  uint32_t first_seq() const { return first_seq_; }
  uint32_t end_seq() const { return first_seq_ + static_cast<uint32_t>(what_.size()); }
  // What the message with sequence number `seq` does ("add chain virbr0_in"),
  // for error messages; "" for the batch markers.
  std::string Describe(uint32_t seq) const;
  size_t message_count() const { return what_.size(); }

 private:
  NftnlBatchPtr batch_;
  uint32_t first_seq_;
  std::vector<std::string> what_;  // index = seq - first_seq_
};

// REQUIRES: `rules` only references maps of `base` and its own chains.
// Sequence numbers start at `seq`.
Result<NftBatch> BuildAddBatch(const NftBase& base, const NftNetworkRules& rules, uint32_t seq);
Result<NftBatch> BuildRemoveBatch(const NftNetworkRules& rules, bool delete_table, uint32_t seq);
// Changes a network's rules from `from` to `to` in one batch (a live update
// such as a port forward added): elements only in `from` are deleted, chains
// only in `from` flushed and deleted, chains in both flushed and refilled,
// new chains and elements added. Elements in both stay untouched, so
// packets of other guests never see them missing.
// REQUIRES: the base exists (the network's rules are applied).
Result<NftBatch> BuildReplaceBatch(const NftNetworkRules& from, const NftNetworkRules& to,
                                   uint32_t seq);
// Rebuilds the whole table in one batch, whatever is left of it: creates it
// (a no-op if present), deletes it with everything in it, then adds the base
// and every network's rules — or, with no rules at all, only deletes it.
// Used to put rules back after another program removed or changed them; no
// packet ever sees a half-restored table.
Result<NftBatch> BuildRestoreBatch(const NftBase& base, const std::vector<NftNetworkRules>& rules,
                                   uint32_t seq);

}  // namespace virtnat::driver
