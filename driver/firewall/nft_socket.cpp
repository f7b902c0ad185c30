#include "driver/firewall/nft_socket.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "common/unique_fd.h"
#include "driver/os/deferred_close.h"

namespace virtnat::driver {
namespace {

// Large enough for any datagram the kernel sends a netlink socket (dumps
// fill skbs of up to 32 KiB on the largest pages).
constexpr size_t kReceiveBuffer = 64 * 1024;

// errno of a failed socket()/bind(), or 0.
int OpenBound(int flags, MnlSocketPtr* out, bool* bind_failed) {
  MnlSocketPtr socket(mnl_socket_open2(NETLINK_NETFILTER, flags));
  *bind_failed = false;
  if (!socket) return errno;
  if (mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    *bind_failed = true;
    return errno;
  }
  *out = std::move(socket);
  return 0;
}

}  // namespace

Result<NftSocket> NftSocket::Open(int flags, NftSocketErrors errors) {
  MnlSocketPtr socket;
  bool bind_failed = false;
  if (int err = OpenBound(flags, &socket, &bind_failed); err != 0) {
    return SystemErrorFromErrno(err, bind_failed ? errors.bind : errors.open);
  }
  return NftSocket(std::move(socket), flags);
}

void NftSocket::Release(MnlSocketPtr socket) {
  if (!socket) return;
  // A copy keeps the socket open past mnl's close; if none can be made, the
  // close here is the last one and the wait happens here.
  CloseInBackground(UniqueFd(fcntl(mnl_socket_get_fd(socket.get()), F_DUPFD_CLOEXEC, 0)));
}

NftSocket& NftSocket::operator=(NftSocket&& other) noexcept {
  if (this != &other) {
    Release(std::move(socket_));
    socket_ = std::move(other.socket_);
    flags_ = other.flags_;
  }
  return *this;
}

NftSocket::~NftSocket() { Release(std::move(socket_)); }

int NftSocket::SetOption(int option, int value) {
  return mnl_socket_setsockopt(socket_.get(), option, &value, sizeof value) < 0 ? errno : 0;
}

int NftSocket::Exchange(nlmsghdr* request, mnl_cb_t callback, void* data) {
  const uint32_t seq = request->nlmsg_seq;
  if (mnl_socket_sendto(socket_.get(), request, request->nlmsg_len) < 0) return errno;
  std::vector<char> buffer(kReceiveBuffer);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(socket_.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    int ret = mnl_cb_run(buffer.data(), static_cast<size_t>(n), seq, portid(), callback, data);
    if (ret < 0) return errno;
    if (ret == MNL_CB_STOP) return 0;
  }
}

bool NftSocket::Renew() {
  MnlSocketPtr fresh;
  bool bind_failed = false;
  if (OpenBound(flags_, &fresh, &bind_failed) != 0) return false;
  socket_.swap(fresh);
  Release(std::move(fresh));
  return true;
}

int NftSocket::Send(std::span<const iovec> messages) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  msghdr msg{};
  msg.msg_name = &kernel;
  msg.msg_namelen = sizeof kernel;
  msg.msg_iov = const_cast<iovec*>(messages.data());
  msg.msg_iovlen = messages.size();
  return sendmsg(fd(), &msg, 0) < 0 ? errno : 0;
}

int NftSocket::ReceiveQueued(std::vector<char>& buffer, size_t* size, bool* truncated) {
  for (;;) {
    ssize_t n = recv(fd(), buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    *truncated = static_cast<size_t>(n) > buffer.size();
    *size = *truncated ? buffer.size() : static_cast<size_t>(n);
    return 0;
  }
}

}  // namespace virtnat::driver
