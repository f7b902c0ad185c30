#include "driver/link/nl_socket.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>

namespace virtnat::driver {
namespace {

// What the kernel answered to one request; filled by the callbacks below.
struct AckState {
  bool done = false;
  int error = 0;  // positive errno
};

// libnl calls these from C: they must not throw, and only record.
int OnError(sockaddr_nl*, nlmsgerr* err, void* arg) noexcept {
  auto* state = static_cast<AckState*>(arg);
  state->error = err->error < 0 ? -err->error : err->error;
  state->done = true;
  return NL_STOP;
}

int OnAck(nl_msg*, void* arg) noexcept {
  static_cast<AckState*>(arg)->done = true;
  return NL_STOP;
}

}  // namespace

int ErrnoFromNl(int nl_error) {
  switch (nl_error < 0 ? -nl_error : nl_error) {
    case NLE_EXIST:
      return EEXIST;
    case NLE_NODEV:
    case NLE_OBJ_NOTFOUND:
      return ENODEV;
    case NLE_PERM:
      return EPERM;
    case NLE_NOACCESS:
      return EACCES;
    case NLE_NOMEM:
      return ENOMEM;
    case NLE_INVAL:
      return EINVAL;
    case NLE_RANGE:
      return ERANGE;
    case NLE_OPNOTSUPP:
      return EOPNOTSUPP;
    case NLE_BUSY:
      return EBUSY;
    case NLE_AGAIN:
      return EAGAIN;
    case NLE_PROTO_MISMATCH:
      return EPROTONOSUPPORT;
    default:
      return EIO;
  }
}

Result<NlSockPtr> OpenRouteSocket() {
  NlSockPtr sock(nl_socket_alloc());
  if (!sock) return SystemErrorFromErrno(ENOMEM, "cannot allocate a netlink socket");
  int rc = nl_connect(sock.get(), NETLINK_ROUTE);
  if (rc < 0) return SystemErrorFromErrno(ErrnoFromNl(rc), "cannot open a netlink socket");
  return sock;
}

int SendAndWaitAck(nl_sock* sock, nl_msg* msg) {
  AckState state;
  NlCbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return ENOMEM;
  nl_cb_err(cb.get(), NL_CB_CUSTOM, OnError, &state);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, OnAck, &state);
  // nl_send_auto fills in the port and sequence number and asks for an ack.
  int rc = nl_send_auto(sock, msg);
  if (rc < 0) return ErrnoFromNl(rc);
  while (!state.done) {
    rc = nl_recvmsgs(sock, cb.get());
    if (state.done) break;
    if (rc < 0) return ErrnoFromNl(rc);
  }
  return state.error;
}

Result<int> LinkIndex(int fd, const std::string& name) {
  ifreq request{};
  if (name.empty() || name.size() >= sizeof(request.ifr_name)) return 0;  // cannot exist
  name.copy(request.ifr_name, name.size());
  if (ioctl(fd, SIOCGIFINDEX, &request) == 0) return request.ifr_ifindex;
  if (errno == ENODEV) return 0;
  return SystemErrorFromErrno(errno, "cannot look up interface '" + name + "'");
}

Result<int> LinkIndex(nl_sock* sock, const std::string& name) {
  return LinkIndex(nl_socket_get_fd(sock), name);
}

Result<NlAddrPtr> ToNlAddr(const IpAddress& address, int prefix) {
  if (!address.valid()) return InternalError("missing IP address");
  int family = address.is_v4() ? AF_INET : AF_INET6;
  unsigned size = address.is_v4() ? 4 : 16;
  NlAddrPtr addr(nl_addr_build(family, address.bytes().data(), size));
  if (!addr) return SystemErrorFromErrno(ENOMEM, "cannot allocate a netlink address");
  nl_addr_set_prefixlen(addr.get(), prefix < 0 ? static_cast<int>(size * 8) : prefix);
  return addr;
}

}  // namespace virtnat::driver
