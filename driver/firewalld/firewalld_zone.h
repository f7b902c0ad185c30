#pragma once
// Which firewalld zone a network's bridge goes into, as libvirt decides it
// (networkAddFirewallRules, networkRemoveFirewallRules):
//  - <bridge zone='Z'/>: the bridge goes into Z; without firewalld running
//    the start fails ("zone Z requested for network N but firewalld is not
//    active").
//  - no zone, forward mode nat, route or isolated, firewalld running: the
//    'libvirt-routed' zone for mode route when firewalld has that zone and
//    the 'libvirt-routed-out' policy, else the 'libvirt' zone; without a
//    'libvirt' zone the start fails as libvirt's does. Without firewalld,
//    nothing.
//  - mode open without a zone: no zone.
// At stop the bridge leaves its zone whenever a start put it in one (and
// firewalld runs), as libvirt does: firewalld keeps an interface name in a
// zone after the device is gone.

#include <optional>
#include <string>

#include "common/status.h"
#include "driver/firewalld/firewalld.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct ZonePlan {
  std::string network;
  std::string bridge;        // empty: the network has no bridge of its own
  std::string requested;     // <bridge zone>; empty: none asked for
  bool use_default = false;  // no zone asked for, and the mode takes libvirt's
  bool routed = false;       // forward mode route
  bool operator==(const ZonePlan&) const = default;
  // Nothing to do with firewalld, whether it runs or not.
  bool empty() const { return bridge.empty() || (requested.empty() && !use_default); }
};

// REQUIRES: `def` with its bridge name chosen. The modes without a bridge of
// their own get an empty plan.
ZonePlan PlanZone(const xml::NetworkDef& def);

// The zone the bridge goes into now, or nullopt for none; libvirt's errors.
Result<std::optional<std::string>> ChooseZone(const ZonePlan& plan, Firewalld& firewalld);

// Chooses and sets the zone (a start, a firewalld reload, a re-adoption).
Status JoinZone(const ZonePlan& plan, Firewalld& firewalld);

// Takes the bridge out of its zone at stop when firewalld runs; failures
// are logged (debug), as libvirt ignores them.
void LeaveZone(const ZonePlan& plan, Firewalld& firewalld);

}  // namespace virtnat::driver
