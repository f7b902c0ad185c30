#pragma once
// Which route-netlink notifications a network's dnsmasq gets to see.
//
// Every dnsmasq subscribes to all IPv4/IPv6 address and route events of the
// host, and under bind-dynamic it answers each address event by re-reading
// every address on the host. With N networks, one start or destroy woke all
// N dnsmasq processes two to six times and made each do O(N) work: the
// 500th network started several times slower than the 2nd.
//
// dnsmasq 2.90 acts on exactly three kinds of notification (netlink.c,
// nl_async): an address added or removed (it re-enumerates and binds or
// unbinds), a kernel-made unicast link-scope route in the main or local
// table (it re-sends a pending upstream query and re-reads resolv.conf), and
// an error. The filter keeps all of these for the network's own bridge, and
// every route dnsmasq acts on, whatever its interface; it drops address
// events of other interfaces (the dnsmasq listens on its bridge only:
// interface=BRIDGE, except-interface=lo) and the route events dnsmasq reads
// only to ignore. Replies to dnsmasq's own dumps are multi-part and always
// pass, so each enumeration still sees every address. bind-dynamic, and its
// check of the arrival interface (CVE-2012-3411), stay as libvirt has them.

#include <linux/filter.h>

#include <vector>

namespace virtnat::driver {

// The classic BPF socket filter for the route-netlink socket of the dnsmasq
// serving the bridge with index `bridge_ifindex`.
std::vector<sock_filter> DnsmasqEventFilter(unsigned bridge_ifindex);

}  // namespace virtnat::driver
