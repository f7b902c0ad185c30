#pragma once
// What a running network's dnsmasq needs after its definition changed
// (net-update, or a daemon restart adopting a network): host-effects.md §4.5.
//
// dnsmasq re-reads only the dhcp-hostsfile and addn-hosts on SIGHUP, never
// its configuration file or command line. Comparing the plan that was applied
// with the plan for the new definition therefore gives libvirt's rules
// without listing them per section: DHCP host and DNS host changes are a
// refresh; txt, srv, domain, range, bridge changes, and a DHCP host that
// turns DHCP on, change the configuration and need a restart.

#include "driver/dnsmasq/dnsmasq_config.h"

namespace virtnat::driver {

enum class DnsmasqAction {
  kNone,     // nothing dnsmasq reads has changed
  kStart,    // it was not needed and now is
  kStop,     // it was needed and no longer is
  kRefresh,  // rewrite the two hosts files, then SIGHUP (same pid, leases kept)
  kRestart,  // stop, write the new files, start (the lease file is kept)
};

const char* DnsmasqActionName(DnsmasqAction action);

// `applied`: the plan dnsmasq runs with (from the network's record);
// `wanted`: the plan for the new definition.
DnsmasqAction DnsmasqUpdateAction(const DnsmasqPlan& applied, const DnsmasqPlan& wanted);

}  // namespace virtnat::driver
