#pragma once
// Watches nftables for changes made by anyone (`nft flush ruleset`,
// `systemctl restart nftables`, iptables-nft, Docker, firewalld) so that the
// driver can put its rules back. The kernel multicasts every committed
// change of the ruleset on the NFNLGRP_NFTABLES netlink group; the monitor
// reduces them to "table FAMILY NAME changed / was deleted" and reports them
// in batches, at most one batch per debounce interval: a flush of a large
// ruleset arrives as thousands of messages but wants one re-check.
//
// The driver's own batches are reported too unless the socket that sends
// them is named to IgnoreChangesFrom(): then a repair cannot trigger
// another check, even if the check and the repair disagree.

#include <glib.h>
#include <libmnl/libmnl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/glib_handle.h"
#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"
#include "driver/firewall/nft_socket.h"

namespace virtnat::driver {

// One change message of the nftables subsystem, reduced to what the monitor
// needs.
struct NftEvent {
  uint8_t family = 0;  // NFPROTO_*
  std::string table;
  bool table_deleted = false;  // NFT_MSG_DELTABLE
  bool table_created = false;  // NFT_MSG_NEWTABLE
  // The netlink port of the socket whose batch made the change (the kernel
  // copies it into each notification's nlmsg_pid).
  uint32_t portid = 0;
  bool operator==(const NftEvent&) const = default;
};

// The event one netlink message describes, if it is a change of a ruleset
// object (table, chain, rule, set, element, stateful object, flowtable) in
// the nftables subsystem. Generation messages, errors and other subsystems
// give nullopt. `nlh` must be a complete message of `nlh->nlmsg_len` bytes.
std::optional<NftEvent> ParseNftEvent(const nlmsghdr* nlh);

struct NftTableChange {
  uint8_t family = 0;
  std::string table;
  // The table was deleted and not created again within the batch. A table
  // deleted and re-created is reported as changed.
  bool deleted = false;
  bool operator==(const NftTableChange&) const = default;
};

struct NftChanges {
  std::vector<NftTableChange> tables;  // ordered by family, then name
  // The kernel dropped notifications (the socket's buffer overflowed):
  // any table may have changed.
  bool lost_events = false;
  bool empty() const { return tables.empty() && !lost_events; }
  bool operator==(const NftChanges&) const = default;
};

// "table inet virtnat was deleted" / "table ip filter changed".
std::string DescribeChange(const NftTableChange& change);

// Folds events into per-table changes until Take(). Pure; the monitor feeds
// it from the socket and takes the batch when its timer fires.
class NftChangeCoalescer {
 public:
  void Add(const NftEvent& event);
  void AddLostEvents() { lost_events_ = true; }
  bool pending() const { return lost_events_ || !tables_.empty(); }
  // The batch so far; leaves the coalescer empty.
  NftChanges Take();

 private:
  std::map<std::pair<uint8_t, std::string>, bool> tables_;  // -> deleted
  bool lost_events_ = false;
};

class NftMonitor {
 public:
  using Callback = std::function<void(const NftChanges&)>;

  // Opens a netlink socket in the calling thread's network namespace (it
  // stays there for its whole life), joins the nftables group and watches it
  // on `context` (nullptr: the global default context). `callback` runs on
  // that context, at most once per `debounce`, at most `debounce` after the
  // first change of a batch. Needs CAP_NET_ADMIN (the kernel lets only
  // privileged sockets join the group).
  // REQUIRES: the object is used and destroyed on the thread that iterates
  // `context`; the callback may destroy the monitor.
  static Result<std::unique_ptr<NftMonitor>> Start(
      GMainContext* context, Callback callback,
      std::chrono::milliseconds debounce = std::chrono::milliseconds(50));
  ~NftMonitor();
  NftMonitor(const NftMonitor&) = delete;
  NftMonitor& operator=(const NftMonitor&) = delete;

  // Drops changes committed through the netlink socket with this port id
  // (NftSocket::portid() of the driver's own nftables socket).
  void IgnoreChangesFrom(uint32_t portid) { ignored_.push_back(portid); }

 private:
  NftMonitor(NftSocket socket, GMainContext* context, Callback callback,
             std::chrono::milliseconds debounce);
  static gboolean OnReadable(gint fd, GIOCondition condition, gpointer self) noexcept;
  static gboolean OnTimer(gpointer self) noexcept;
  void ReadAll();
  void ArmTimer();

  NftSocket socket_;
  GMainContext* context_;
  Callback callback_;
  std::chrono::milliseconds debounce_;
  std::vector<char> buffer_;
  std::vector<uint32_t> ignored_;
  NftChangeCoalescer pending_;
  GSourcePtr watch_;
  GSourcePtr timer_;
};

}  // namespace virtnat::driver
