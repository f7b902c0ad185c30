#pragma once
// The kernel side of the firewall: nftables batches through libnftnl over a
// netlink socket (never the `nft` binary). The socket belongs to the network
// namespace that was current when Open() ran.

#include <map>
#include <memory>
#include <string>

#include "driver/firewall.h"
#include "driver/nft_batch.h"
#include "driver/nft_ptr.h"

namespace virtnat::driver {

class NftFirewall : public Firewall {
 public:
  static Result<std::unique_ptr<NftFirewall>> Open();

  Status Apply(const std::string& network, const FirewallPlan& plan) override;
  Status Remove(const std::string& network) override;
  // One batch: removes what is no longer wanted and adds what is new.
  Status Replace(const std::string& network, const FirewallPlan& plan) override;

  // Takes over rules applied by an earlier daemon (from its status file), so
  // that Remove() can delete them.
  void Adopt(const std::string& network, NftNetworkRules rules);
  // What is recorded for `network`, or nullptr.
  const NftNetworkRules* Applied(const std::string& network) const;

  // Sends one batch and waits for the kernel's verdict. Errors name the
  // failing message ("add element fwd_in: File exists").
  Status Send(const NftBatch& batch);
  // The sequence number for the next batch; Send() moves it past the batch.
  uint32_t next_seq() const { return seq_; }

 private:
  explicit NftFirewall(MnlSocketPtr socket, uint32_t seq) : socket_(std::move(socket)), seq_(seq) {}

  // Send(), also telling the errno of the first failing message.
  Status SendBatch(const NftBatch& batch, int* first_errno);
  // Removes each of `rules` in a batch of its own, skipping what is missing.
  Status RemoveEachPresent(const NftNetworkRules& rules, bool delete_table);

  MnlSocketPtr socket_;
  uint32_t seq_;
  std::map<std::string, NftNetworkRules> applied_;
};

}  // namespace virtnat::driver
