#pragma once
// Puts DnsmasqEventFilter on a running dnsmasq's route-netlink socket.
//
// dnsmasq has no option for it, so the daemon takes a copy of the socket
// with pidfd_getfd (Linux 5.6; root, as the daemon is) and attaches the
// filter to it: a filter belongs to the socket, not to the descriptor, so it
// holds for dnsmasq's own descriptor after the copy is closed.

#include <string>

#include "common/status.h"
#include "driver/os/process.h"

namespace virtnat::driver {

// Filters the events of `dnsmasq`, which serves `bridge`. An error leaves
// dnsmasq as it was (it then works as before, only woken more often).
Status FilterDnsmasqEvents(const Pidfd& dnsmasq, const std::string& bridge);

}  // namespace virtnat::driver
