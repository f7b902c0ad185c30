#include "driver/dnsmasq/dnsmasq_event_filter_attach.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "driver/dnsmasq/dnsmasq_event_filter.h"
#include "driver/os/process_descriptors.h"

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

}  // namespace

Status FilterDnsmasqEvents(const Pidfd& dnsmasq, const std::string& bridge) {
  const unsigned ifindex = if_nametoindex(bridge.c_str());
  if (ifindex == 0) return SystemErrorFromErrno(errno, "cannot find bridge '" + bridge + "'");
  const std::vector<sock_filter> code = DnsmasqEventFilter(ifindex);
  const sock_fprog program{static_cast<unsigned short>(code.size()),
                           const_cast<sock_filter*>(code.data())};
  ASSIGN_OR_RETURN(std::vector<int> sockets, DescriptorsOf(dnsmasq.pid(), "socket:"));
  int filtered = 0;
  for (int number : sockets) {
    ASSIGN_OR_RETURN(UniqueFd copy, CopyDescriptor(dnsmasq, number));
    if (!copy || !IsRouteNetlink(copy.get())) continue;
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
