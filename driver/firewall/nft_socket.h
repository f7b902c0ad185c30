#pragma once
// The one NETLINK_NETFILTER socket type: every conversation with nf_tables
// (batches, dumps, the change monitor, the support probe) goes through an
// NftSocket. It belongs to the network namespace that was current when
// Open() ran, for its whole life.

#include <libmnl/libmnl.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "driver/firewall/nft_ptr.h"

namespace virtnat::driver {

// The texts of NftSocket::Open()'s errors, each followed by ": <strerror>".
struct NftSocketErrors {
  const char* open = "cannot open an nftables netlink socket";
  const char* bind = "cannot bind the nftables netlink socket";
};

class NftSocket {
 public:
  // Opens a NETLINK_NETFILTER socket with `flags` (SOCK_CLOEXEC,
  // SOCK_NONBLOCK; 0 for neither) and binds it to a port id the kernel picks.
  // Errors: VIR_ERR_SYSTEM_ERROR with `errors.open` or `errors.bind`.
  static Result<NftSocket> Open(int flags, NftSocketErrors errors = {});

  NftSocket(NftSocket&&) noexcept = default;
  NftSocket& operator=(NftSocket&& other) noexcept;
  // The socket's release is left to the background closer: the kernel
  // handles it under the nf_tables commit lock, after the previous commit's
  // deferred cleanup (an RCU grace period), which a start right after a
  // destroy measured at 3-15 ms.
  ~NftSocket();

  int fd() const { return mnl_socket_get_fd(socket_.get()); }
  // The port id the kernel names in its replies and in the change
  // notifications of what this socket committed.
  uint32_t portid() const { return mnl_socket_get_portid(socket_.get()); }

  // setsockopt(SOL_NETLINK, `option`, `value`). Returns 0 or the errno.
  int SetOption(int option, int value);

  // Sends `request` and feeds every reply to `callback` (mnl_cb_run, with
  // the request's sequence number and this socket's port id) until the
  // kernel's NLMSG_DONE or ack. Receiving is retried on EINTR. Returns 0 or
  // the errno of the failing step: of sendto()/recvfrom(), of an error
  // reply, EINTR for a dump the kernel flagged as interrupted by a
  // concurrent change (its rest is still queued: see Renew()), or whatever
  // errno holds when `callback` returned MNL_CB_ERROR.
  int Exchange(nlmsghdr* request, mnl_cb_t callback, void* data);

  // Replaces the socket with a fresh one of the same flags, dropping every
  // queued message (the rest of an interrupted dump). On failure the old
  // socket stays and false is returned.
  bool Renew();

  // sendmsg() of `messages` to the kernel (a batch). Returns 0 or the errno.
  int Send(std::span<const iovec> messages);

  // Reads one datagram that is already queued (MSG_DONTWAIT), retrying
  // EINTR, into `buffer`. Returns 0 or the errno (EAGAIN: nothing queued;
  // ENOBUFS: the kernel dropped messages for a full queue). `*size` is what
  // fits in `buffer`; `*truncated` tells that the datagram was longer.
  int ReceiveQueued(std::vector<char>& buffer, size_t* size, bool* truncated);

 private:
  NftSocket(MnlSocketPtr socket, int flags) : socket_(std::move(socket)), flags_(flags) {}
  // Closes `socket` here, the last reference to it on the closer's thread.
  static void Release(MnlSocketPtr socket);

  MnlSocketPtr socket_;
  int flags_ = 0;
};

// Calls `visit(const nlmsghdr*)` for each complete message in `size` bytes
// of `data` (one datagram).
template <typename Visit>
void ForEachNetlinkMessage(const char* data, size_t size, Visit&& visit) {
  int len = static_cast<int>(size);
  for (auto* nlh = reinterpret_cast<const nlmsghdr*>(data); mnl_nlmsg_ok(nlh, len);
       nlh = mnl_nlmsg_next(nlh, &len)) {
    visit(nlh);
  }
}

}  // namespace virtnat::driver
