#pragma once
// The firewall planner: a pure function from a network definition (plus the
// bridge name chosen for it) to the nftables objects that realize its
// forward mode, following what libvirt's nftables backend does (see
// shared/spec/host-effects.md §7) in virtnat's own table (§7.5):
//
//   table inet virtnat                 maps keyed by interface / subnet / port
//     input  : iifname vmap @host_in    -> BR_hostin  (DHCP, DNS, TFTP to the host)
//     output : oifname vmap @host_out   -> BR_hostout
//     forward: oifname vmap @fwd_in     -> BR_in      (to guests; guest-to-guest first)
//              iifname vmap @fwd_out    -> BR_out     (from guests)
//     dstnat, dstnatlocal (prerouting, output):
//              meta l4proto . th dport vmap @dnat -> BR_dnat   (port forwards)
//     srcnat : oifname vmap @hairpin    -> BR_hairpin (port forwards between guests)
//              ip saddr vmap @nat4, ip6 saddr vmap @nat6 -> BR_nat (masquerade)
//
// Every packet does one hash or interval lookup per hook, then walks only
// its own network's few rules; adding a network adds chains and elements and
// touches nothing else.

#include <memory>
#include <string>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct FirewallFacts {
  std::string bridge;  // the bridge the network uses (name chosen at define)
};

struct FirewallPlan {
  // == VirtnatBase(), the same for every network: one instance shared by all
  // plans (a copy per running network was about 6 KB of heap each). Null in
  // a default-constructed plan, whose Base() is empty.
  std::shared_ptr<const NftBase> base;
  SharedRules rules;  // this network's part; empty for open without forwards

  const NftBase& Base() const;
  bool operator==(const FirewallPlan& other) const {
    return Base() == other.Base() && rules == other.rules;
  }
};

// The maps and base chains of `table inet virtnat`.
NftBase VirtnatBase();
// VirtnatBase() built once, for every plan to share.
std::shared_ptr<const NftBase> SharedVirtnatBase();

// REQUIRES: the definition passed validation (addresses and prefixes valid).
// Fails for forward modes without a managed bridge, an empty bridge name,
// and port forwards that cannot be realized (isolated network, family
// mismatch, overlapping host ports).
Result<FirewallPlan> PlanFirewall(const xml::NetworkDef& def, const FirewallFacts& facts);

}  // namespace virtnat::driver
