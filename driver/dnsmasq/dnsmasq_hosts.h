#pragma once
// The two files dnsmasq re-reads on SIGHUP (host-effects.md §4.3): the
// dhcp-hostsfile (static DHCP hosts) and the addn-hosts file (<dns><host>
// records). Live updates of DHCP or DNS hosts rewrite only these and signal
// dnsmasq, so they are rendered separately from the configuration file.

#include <string>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

// One line per <host> with an address, from the served IPv4 <ip>, then the
// served IPv6 <ip>, each '\n'-terminated; "" when there is none:
//   IPv4: MAC,IP,NAME | NAME,IP | MAC,IP        then ",LEASE" if given
//   IPv6: id:DUID,NAME,[IP] | NAME,[IP] | id:DUID,[IP]   then ",LEASE"
// Fails if a host field could change the line's structure (dnsmasq_safety.h)
// or if a host has neither of the fields its family needs.
Result<std::string> RenderDhcpHostsFile(const xml::NetworkDef& def);

// One line per distinct <dns><host> address in first-seen order: the address
// and each of its names (names of several <host> elements with the same
// address merged), each followed by a tab; "" when there is none. Fails if a
// name is empty or contains whitespace, '#' or a control character.
Result<std::string> RenderAddnHostsFile(const xml::NetworkDef& def);

}  // namespace virtnat::driver
