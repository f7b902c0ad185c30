#include "driver/link/link_delete.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <system_error>
#include <thread>

#include "common/unique_fd.h"
#include "driver/link/nl_socket.h"

namespace virtnat::driver {
namespace {

constexpr uint32_t kSequence = 1;

// A NETLINK_ROUTE socket of the calling thread's namespace, subscribed to
// `groups`; invalid on failure (errno set).
UniqueFd OpenRoute(uint32_t groups) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return fd;
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = groups;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) return UniqueFd();
  return fd;
}

// Sends RTM_DELLINK for `ifindex` on `fd` and waits for the kernel's answer
// (the blocking part). Returns 0 or the positive errno.
int SendAndAck(int fd, int ifindex) {
  struct {
    nlmsghdr header;
    ifinfomsg info;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_DELLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.header.nlmsg_seq = kSequence;
  request.info.ifi_family = AF_UNSPEC;
  request.info.ifi_index = ifindex;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof(kernel)) < 0) {
    return errno;
  }
  alignas(nlmsghdr) char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    // NLMSG_OK compares the u32 length with an int: walked by hand instead.
    const size_t len = static_cast<size_t>(n);
    for (size_t at = 0; at + sizeof(nlmsghdr) <= len;) {
      const auto* h = reinterpret_cast<const nlmsghdr*>(buf + at);
      if (h->nlmsg_len < sizeof(nlmsghdr) || h->nlmsg_len > len - at) break;
      if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == kSequence &&
          h->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr))) {
        const auto* answer = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        return answer->error < 0 ? -answer->error : answer->error;
      }
      at += NLMSG_ALIGN(h->nlmsg_len);
    }
  }
}

// What the worker hands back: its answer, then a write to `done`.
struct Outcome {
  UniqueFd done;
  std::atomic<int> error{0};
};

// Whether `ifname` still names link `ifindex`, asked on `probe` (a socket of
// the namespace). LinkIndex reads without the RTNL lock the deleting thread
// holds: it answers the moment the kernel has unlisted the link, which a
// netlink request or notification would only tell after the whole locked
// section (two RCU grace periods later).
bool StillListed(int probe, const std::string& ifname, int ifindex) {
  Result<int> index = LinkIndex(probe, ifname);
  return !index.ok() || *index == ifindex;  // unknown: ask again
}

}  // namespace

int DeleteLinkUnlisted(int ifindex, const std::string& ifname) {
  // The sockets are opened here: a socket belongs to the namespace of the
  // thread that opens it.
  UniqueFd request = OpenRoute(0);
  if (!request) return errno;
  UniqueFd probe = OpenRoute(0);
  auto outcome = std::make_shared<Outcome>();
  outcome->done = UniqueFd(eventfd(0, EFD_CLOEXEC));
  if (!probe || !outcome->done) return SendAndAck(request.get(), ifindex);
  try {
    std::thread([outcome, fd = std::move(request), ifindex]() noexcept {
      outcome->error.store(SendAndAck(fd.get(), ifindex));
      uint64_t one = 1;
      (void)!write(outcome->done.get(), &one, sizeof(one));
    }).detach();
  } catch (const std::system_error&) {
    // No thread to be had (its socket went with the lambda): wait here.
    UniqueFd again = OpenRoute(0);
    return again ? SendAndAck(again.get(), ifindex) : errno;
  }
  // Unlisting takes the worker well under a millisecond on a quiet machine,
  // a few under load: ask often at first, then less.
  long wait_ns = 20'000;
  for (;;) {
    if (!StillListed(probe.get(), ifname, ifindex)) return 0;
    pollfd done{outcome->done.get(), POLLIN, 0};
    timespec wait{0, wait_ns};
    if (ppoll(&done, 1, &wait, nullptr) > 0) return outcome->error.load();
    wait_ns = std::min(wait_ns * 2, 1'000'000L);
  }
}

}  // namespace virtnat::driver
