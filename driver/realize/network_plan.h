#pragma once
// Everything a network needs on the host, as one value: a pure function of
// the definition and a few facts the definition does not hold (where files
// go, which user dnsmasq runs as). The realizer (host_realizer.h) applies it
// in the order of host-effects.md §2.1 and records it, so that stop and
// live updates work from what was applied, not from a definition that may
// have changed since.

#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/status.h"
#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/drift/input_audit.h"
#include "driver/firewall/firewall_plan.h"
#include "driver/firewalld/firewalld_zone.h"
#include "driver/link/bridge.h"
#include "driver/qos/qos_plan.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct NetworkPlanFacts {
  std::string state_dir;  // dnsmasq's .conf, .hostsfile, .addnhosts, .leases
  std::string run_dir;    // dnsmasq's pid file
  std::string dnsmasq_binary = "/usr/sbin/dnsmasq";
  std::string dnsmasq_user;   // --user=; empty: none on the command line
  std::string dnsmasq_group;  // --group=; empty: none on the command line
};

// Kernel settings (host-effects.md §3.2, §3.3).
struct SysctlPlan {
  bool bridge_ipv6 = false;      // disable_ipv6 = 0 on the bridge (else 1)
  bool ipv4_forwarding = false;  // net/ipv4/ip_forward = 1
  bool ipv6_forwarding = false;  // accept_ra check, then conf/all/forwarding = 1
  bool operator==(const SysctlPlan&) const = default;
};

// An IPv4 subnet the start must find unrouted (libvirt's collision check).
struct RouteCheck {
  IpAddress address;
  unsigned prefix = 0;
  bool is_route = false;     // a <route>, else an <ip>
  std::string address_text;  // the <route address> as written, for the message
};

struct NetworkPlan {
  std::string network;  // the definition's name
  // Forward modes bridge (a host bridge), private, vepa, passthrough and
  // hostdev: the network has no bridge, address, rule or dnsmasq of its own
  // (`bridge.name` is empty); at most the <bandwidth> tree of a host bridge.
  bool external = false;
  BridgeSpec bridge;
  std::vector<InterfaceAddress> addresses;  // in document order
  std::vector<StaticRoute> routes;          // <route>s with a gateway
  SysctlPlan sysctls;
  std::vector<RouteCheck> route_checks;
  FirewallPlan firewall;
  DnsmasqPaths dnsmasq_paths;
  DnsmasqPlan dnsmasq;     // dnsmasq.needed: whether it runs at all
  QosPlan qos;             // the <bandwidth> tree; empty without <bandwidth>
  ZonePlan zone;           // the bridge's firewalld zone (firewalld_zone.h)
  GuestServices services;  // what dnsmasq serves guests (when it runs)
};

// REQUIRES: `def` parsed, defaulted (bridge name chosen) and validated.
// The modes without a managed bridge get an external plan (libvirt's
// networkStartNetworkBridge / networkStartNetworkExternal: nothing but the
// <bandwidth> of a host bridge). Fails with libvirt's "network 'NAME' has
// no bridge name defined" without a bridge name, with VIR_ERR_CONFIG_UNSUPPORTED
// for macTableManager='libvirt' on a host bridge (its VLAN filtering is not
// realized), and with the firewall's or dnsmasq's planning errors.
Result<NetworkPlan> PlanNetwork(const xml::NetworkDef& def, const NetworkPlanFacts& facts);

// The parts a change of a running network touches (host-effects.md §4.5).
struct PlanChanges {
  bool link = false;  // bridge (and its zone), addresses, routes, sysctls: not changeable live
  bool firewall = false;
  bool dnsmasq = false;
  // The <bandwidth> tree. libvirt's net-update has no section for the
  // network's own <bandwidth> (a portgroup's does not touch the bridge), so
  // only a reload from another definition gets here; it is replaced live.
  bool qos = false;
};
PlanChanges ComparePlans(const NetworkPlan& applied, const NetworkPlan& wanted);

// The plan as text, one step per line in the order a start applies them
// (host-effects.md §2.1 a-o), for golden tests and logs. File contents are
// left to the dnsmasq golden tests; the firewall shows the network's map
// elements and chain names (the rules are in the firewall golden files).
std::string DescribeNetworkPlan(const NetworkPlan& plan);

}  // namespace virtnat::driver
