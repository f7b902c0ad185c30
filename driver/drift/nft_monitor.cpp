#include "driver/drift/nft_monitor.h"

#include <glib-unix.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace virtnat::driver {
namespace {

// Big enough for the largest notification datagram the kernel builds
// (nf_tables packs notifications into skbs of up to NLMSG_GOODSIZE, below
// 8 KiB on 4 KiB pages, but up to 32 KiB pages exist).
constexpr size_t kReadBuffer = 64 * 1024;
// A `nft flush ruleset` of a large ruleset sends one message per rule; a
// deep receive queue lets the loop read them before the kernel drops any.
constexpr int kReceiveQueue = 4 * 1024 * 1024;

// The attribute that names the table, by message; all nf_tables messages
// carry it, under a per-object attribute number.
std::optional<uint16_t> TableAttribute(uint16_t msg) {
  switch (msg) {
    case NFT_MSG_NEWTABLE:
    case NFT_MSG_DELTABLE:
      return NFTA_TABLE_NAME;
    case NFT_MSG_NEWCHAIN:
    case NFT_MSG_DELCHAIN:
      return NFTA_CHAIN_TABLE;
    case NFT_MSG_NEWRULE:
    case NFT_MSG_DELRULE:
      return NFTA_RULE_TABLE;
    case NFT_MSG_NEWSET:
    case NFT_MSG_DELSET:
      return NFTA_SET_TABLE;
    case NFT_MSG_NEWSETELEM:
    case NFT_MSG_DELSETELEM:
      return NFTA_SET_ELEM_LIST_TABLE;
    case NFT_MSG_NEWOBJ:
    case NFT_MSG_DELOBJ:
      return NFTA_OBJ_TABLE;
    case NFT_MSG_NEWFLOWTABLE:
    case NFT_MSG_DELFLOWTABLE:
      return NFTA_FLOWTABLE_TABLE;
    default:
      return std::nullopt;  // generation, trace, get requests
  }
}

struct FindString {
  uint16_t type = 0;
  std::optional<std::string> value;
};

int FindStringAttribute(const nlattr* attr, void* data) noexcept {
  auto* find = static_cast<FindString*>(data);
  if (mnl_attr_get_type(attr) != find->type) return MNL_CB_OK;
  if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) return MNL_CB_ERROR;
  try {
    find->value = mnl_attr_get_str(attr);
  } catch (...) {
    return MNL_CB_ERROR;
  }
  return MNL_CB_STOP;
}

}  // namespace

std::optional<NftEvent> ParseNftEvent(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(nfgenmsg)) return std::nullopt;
  if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES) return std::nullopt;
  const uint16_t msg = NFNL_MSG_TYPE(nlh->nlmsg_type);
  std::optional<uint16_t> attribute = TableAttribute(msg);
  if (!attribute) return std::nullopt;
  FindString find{*attribute, std::nullopt};
  if (mnl_attr_parse(nlh, sizeof(nfgenmsg), FindStringAttribute, &find) == MNL_CB_ERROR ||
      !find.value) {
    return std::nullopt;
  }
  const auto* gen = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
  NftEvent event;
  event.family = gen->nfgen_family;
  event.table = std::move(*find.value);
  event.table_deleted = msg == NFT_MSG_DELTABLE;
  event.table_created = msg == NFT_MSG_NEWTABLE;
  event.portid = nlh->nlmsg_pid;
  return event;
}

std::string DescribeChange(const NftTableChange& change) {
  return "table " + NftFamilyName(change.family) + " " + change.table +
         (change.deleted ? " was deleted" : " changed");
}

void NftChangeCoalescer::Add(const NftEvent& event) {
  bool& deleted = tables_[{event.family, event.table}];
  if (event.table_deleted) deleted = true;
  if (event.table_created) deleted = false;
}

NftChanges NftChangeCoalescer::Take() {
  NftChanges changes;
  changes.lost_events = lost_events_;
  for (const auto& [key, deleted] : tables_) {
    changes.tables.push_back(NftTableChange{key.first, key.second, deleted});
  }
  tables_.clear();
  lost_events_ = false;
  return changes;
}

NftMonitor::NftMonitor(NftSocket socket, GMainContext* context, Callback callback,
                       std::chrono::milliseconds debounce)
    : socket_(std::move(socket)),
      context_(context),
      callback_(std::move(callback)),
      debounce_(debounce),
      buffer_(kReadBuffer) {}

NftMonitor::~NftMonitor() = default;

Result<std::unique_ptr<NftMonitor>> NftMonitor::Start(GMainContext* context, Callback callback,
                                                      std::chrono::milliseconds debounce) {
  ASSIGN_OR_RETURN(NftSocket socket, NftSocket::Open(SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (int err = socket.SetOption(NETLINK_ADD_MEMBERSHIP, NFNLGRP_NFTABLES); err != 0) {
    return SystemErrorFromErrno(err, "cannot subscribe to nftables events");
  }
  const int fd = socket.fd();
  // FORCE passes rmem_max for a privileged process; the plain option is the
  // best an unprivileged one gets. Either way a too small queue only means
  // lost events, which are reported as such.
  int size = kReceiveQueue;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  std::unique_ptr<NftMonitor> monitor(
      new NftMonitor(std::move(socket), context, std::move(callback), debounce));
  monitor->watch_.reset(g_unix_fd_source_new(fd, GIOCondition(G_IO_IN | G_IO_ERR | G_IO_HUP)));
  g_source_set_callback(monitor->watch_.get(), G_SOURCE_FUNC(&NftMonitor::OnReadable),
                        monitor.get(), nullptr);
  g_source_attach(monitor->watch_.get(), context);
  return monitor;
}

gboolean NftMonitor::OnReadable(gint, GIOCondition, gpointer self) noexcept {
  static_cast<NftMonitor*>(self)->ReadAll();
  return G_SOURCE_CONTINUE;
}

void NftMonitor::ReadAll() {
  for (;;) {
    size_t size = 0;
    bool truncated = false;
    int err = socket_.ReceiveQueued(buffer_, &size, &truncated);
    // ENOBUFS: the queue overflowed and the kernel dropped messages.
    if (err == ENOBUFS) {
      pending_.AddLostEvents();
      continue;
    }
    if (err != 0) {
      // EAGAIN: all read. Anything else leaves the state unknown.
      if (err != EAGAIN && err != EWOULDBLOCK) pending_.AddLostEvents();
      break;
    }
    if (truncated) pending_.AddLostEvents();  // its tail is unknown
    ForEachNetlinkMessage(buffer_.data(), size, [this](const nlmsghdr* nlh) {
      std::optional<NftEvent> event = ParseNftEvent(nlh);
      if (!event) return;
      if (std::find(ignored_.begin(), ignored_.end(), event->portid) != ignored_.end()) return;
      pending_.Add(*event);
    });
  }
  if (pending_.pending()) ArmTimer();
}

void NftMonitor::ArmTimer() {
  if (timer_) return;  // the batch is already open; its deadline stands
  timer_.reset(g_timeout_source_new(static_cast<guint>(debounce_.count())));
  g_source_set_callback(timer_.get(), &NftMonitor::OnTimer, this, nullptr);
  g_source_attach(timer_.get(), context_);
}

gboolean NftMonitor::OnTimer(gpointer self) noexcept {
  auto* monitor = static_cast<NftMonitor*>(self);
  monitor->timer_.reset();  // GLib holds its own reference while dispatching
  NftChanges changes = monitor->pending_.Take();
  // The callback may destroy the monitor: nothing touches it afterwards.
  if (!changes.empty() && monitor->callback_) {
    try {
      Callback callback = monitor->callback_;
      callback(changes);
    } catch (...) {
      g_warning("nftables change callback threw");
    }
  }
  return G_SOURCE_REMOVE;
}

}  // namespace virtnat::driver
