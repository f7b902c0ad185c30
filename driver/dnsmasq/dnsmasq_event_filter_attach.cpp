#include "driver/dnsmasq/dnsmasq_event_filter_attach.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "driver/dnsmasq/dnsmasq_event_filter.h"
#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

bool IsRouteNetlink(int fd) {
  int value = 0;
  socklen_t len = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value, &len) != 0 || value != AF_NETLINK) {
    return false;
  }
  len = sizeof(value);
  return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &len) == 0 && value == NETLINK_ROUTE;
}

// The descriptor numbers of `pid`'s sockets.
Result<std::vector<int>> SocketDescriptors(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  std::optional<std::vector<std::string>> names = ListDirectory(dir);
  if (!names) return SystemErrorFromErrno(errno, "cannot list '" + dir + "'");
  std::vector<int> fds;
  for (const std::string& name : *names) {
    char target[64];
    const std::string link = dir + "/" + name;
    ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (std::string_view(target).starts_with("socket:")) fds.push_back(std::stoi(name));
  }
  return fds;
}

}  // namespace

Status FilterDnsmasqEvents(const Pidfd& dnsmasq, const std::string& bridge) {
  const unsigned ifindex = if_nametoindex(bridge.c_str());
  if (ifindex == 0) return SystemErrorFromErrno(errno, "cannot find bridge '" + bridge + "'");
  const std::vector<sock_filter> code = DnsmasqEventFilter(ifindex);
  const sock_fprog program{static_cast<unsigned short>(code.size()),
                           const_cast<sock_filter*>(code.data())};
  ASSIGN_OR_RETURN(std::vector<int> sockets, SocketDescriptors(dnsmasq.pid()));
  int filtered = 0;
  for (int number : sockets) {
    UniqueFd copy(static_cast<int>(syscall(SYS_pidfd_getfd, dnsmasq.fd(), number, 0)));
    if (!copy) {
      if (errno == EBADF) continue;  // closed meanwhile
      return SystemErrorFromErrno(errno, "cannot take dnsmasq's (pid " +
                                             std::to_string(dnsmasq.pid()) + ") descriptor " +
                                             std::to_string(number));
    }
    if (!IsRouteNetlink(copy.get())) continue;
    if (setsockopt(copy.get(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) != 0) {
      return SystemErrorFromErrno(errno, "cannot filter the netlink events of dnsmasq (pid " +
                                             std::to_string(dnsmasq.pid()) + ")");
    }
    ++filtered;
  }
  if (filtered == 0) {
    return InternalError("dnsmasq (pid " + std::to_string(dnsmasq.pid()) +
                         ") has no route netlink socket to filter");
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
