#pragma once
// Planning of the port-forward extension (NetworkDef::port_forwards): DNAT
// of traffic addressed to the host — the listen address if given, else any
// local address (`fib daddr type local`) — arriving from outside
// (prerouting), made by the host itself (output) or by guests (hairpin,
// with masquerade so the reply comes back through the host), plus the
// forward accept that lets the translated connection reach the guest.

#include <string>
#include <vector>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct PortForwardRules {
  std::vector<NftChain> chains;          // BR_dnat, BR_hairpin
  std::vector<NftElement> elements;      // @dnat and @hairpin entries
  std::vector<NftRule> forward_accepts;  // for BR_in, before its reject
};

// Empty result without forwards. Fails for an isolated network, a listen
// address or guest of the other family than the other, overlapping host
// port ranges of one protocol, and shifted ranges of more than 256 ports.
Result<PortForwardRules> PlanPortForwards(const xml::NetworkDef& def, const std::string& bridge);

}  // namespace virtnat::driver
