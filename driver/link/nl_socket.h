#pragma once
// A NETLINK_ROUTE socket and the one request/acknowledge exchange the
// bridge code needs, keeping the kernel's own errno (libnl's high-level
// calls fold it into libnl codes, which would lose "File exists" versus
// "Numerical result out of range").

#include <string>

#include "common/ip_address.h"
#include "common/status.h"
#include "driver/link/nl_ptr.h"

namespace virtnat::driver {

// Opens a NETLINK_ROUTE socket. The socket belongs to the network namespace
// of the calling thread at this moment, for its whole life.
Result<NlSockPtr> OpenRouteSocket();

// Sends `msg` (completing its header: sequence, port, NLM_F_ACK) and waits
// for the kernel's answer. Returns 0 on success, else the positive errno the
// kernel (or the socket) reported.
int SendAndWaitAck(nl_sock* sock, nl_msg* msg);

// The interface index of `name` in the namespace of socket `fd` (any
// socket), 0 if absent. SIOCGIFINDEX reads the name table under RCU: an
// RTM_GETLINK would take the RTNL lock, which a link's deletion holds for
// milliseconds (a bridge's: an RCU barrier) after its name is gone.
// Errors: a failure other than "no such device".
Result<int> LinkIndex(int fd, const std::string& name);
// The same on `sock`'s descriptor.
Result<int> LinkIndex(nl_sock* sock, const std::string& name);

// A libnl address for `address`; with `prefix` (or the full length).
Result<NlAddrPtr> ToNlAddr(const IpAddress& address, int prefix = -1);

// The positive errno behind a negative libnl error code (best effort).
int ErrnoFromNl(int nl_error);

}  // namespace virtnat::driver
