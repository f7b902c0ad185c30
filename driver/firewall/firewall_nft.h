#pragma once
// The kernel side of the firewall: nftables batches through libnftnl over a
// netlink socket (never the `nft` binary). The socket belongs to the network
// namespace that was current when Open() ran.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "driver/firewall/firewall.h"
#include "driver/firewall/nft_batch.h"
#include "driver/firewall/nft_socket.h"

namespace virtnat::driver {

class NftFirewall : public Firewall {
 public:
  static Result<std::unique_ptr<NftFirewall>> Open();

  Status Apply(const std::string& network, const FirewallPlan& plan) override;
  // When the removal batch fails because some objects are gone already (an
  // interrupted stop, another program's flush) the rest is removed one by
  // one, leaving the other networks' rules as they are (a rebuild here would
  // empty the chains of networks a restarted daemon has not re-adopted yet:
  // their records name chains, not rules). If that fails too, the network is
  // forgotten anyway and the table is rebuilt from the other networks'
  // records (RestoreAll): a stopped network never keeps or gets back rules.
  // The rebuild is reported to the listener with the removal's error.
  Status Remove(const std::string& network) override;
  using RebuildListener = std::function<void(const std::string& network, const Status& error)>;
  void SetRebuildListener(RebuildListener listener) { rebuilt_ = std::move(listener); }
  // One batch: removes what is no longer wanted and adds what is new.
  Status Replace(const std::string& network, const FirewallPlan& plan) override;

  // Takes over rules applied by an earlier daemon (from its status file), so
  // that Remove() can delete them.
  void Adopt(const std::string& network, SharedRules rules);
  // What is recorded for `network`, or nullptr.
  const NftNetworkRules* Applied(const std::string& network) const;
  // The same, shared (empty when nothing is recorded).
  SharedRules AppliedRules(const std::string& network) const;
  // Every network with a record (rules or none), by name.
  std::vector<std::string> Networks() const;

  // Rebuilds `table inet virtnat` from the records, whatever is left of it,
  // in one batch (BuildRestoreBatch): puts back what another program
  // flushed or deleted, and drops what no network owns.
  Status RestoreAll();

  // The netlink port id of the socket every batch goes through; the kernel
  // names it in the change notifications of those batches (nft_monitor.h).
  uint32_t portid() const { return socket_.portid(); }

  // Sends one batch and waits for the kernel's verdict. Errors name the
  // failing message ("add element fwd_in: File exists").
  Status Send(const NftBatch& batch);
  // The sequence number for the next batch; Send() moves it past the batch.
  uint32_t next_seq() const { return seq_; }

 private:
  NftFirewall(NftSocket socket, uint32_t seq) : socket_(std::move(socket)), seq_(seq) {}

  // Send(), also telling the errno of the first failing message.
  Status SendBatch(const NftBatch& batch, int* first_errno);
  // Removes each of `rules` in a batch of its own, skipping what is missing.
  Status RemoveEachPresent(const NftNetworkRules& rules, bool delete_table);

  NftSocket socket_;
  uint32_t seq_;
  std::map<std::string, SharedRules> applied_;
  RebuildListener rebuilt_;
};

}  // namespace virtnat::driver
