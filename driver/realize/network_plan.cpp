#include "driver/realize/network_plan.h"

#include <sstream>

#include "driver/firewall/nft_text.h"

namespace virtnat::driver {
namespace {

bool SameBridge(const BridgeSpec& a, const BridgeSpec& b) {
  return a.name == b.name && a.mac == b.mac && a.mtu == b.mtu && a.stp == b.stp &&
         a.delay_seconds == b.delay_seconds;
}

bool SameAddresses(const std::vector<InterfaceAddress>& a, const std::vector<InterfaceAddress>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].address != b[i].address || a[i].prefix != b[i].prefix) return false;
  }
  return true;
}

bool SameRoutes(const std::vector<StaticRoute>& a, const std::vector<StaticRoute>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].destination != b[i].destination || a[i].prefix != b[i].prefix ||
        a[i].gateway != b[i].gateway || a[i].metric != b[i].metric) {
      return false;
    }
  }
  return true;
}

bool SameDnsmasq(const DnsmasqPlan& a, const DnsmasqPlan& b) {
  return a.needed == b.needed && a.conf == b.conf && a.hosts_file == b.hosts_file &&
         a.addn_hosts == b.addn_hosts && a.argv == b.argv;
}

// libvirt starts these modes without touching the host, but for the
// <bandwidth> of a host bridge (mode bridge with <bridge name>).
Result<NetworkPlan> PlanExternalNetwork(const xml::NetworkDef& def) {
  NetworkPlan plan;
  plan.network = def.name;
  plan.external = true;
  const bool host_bridge =
      def.forward.mode == xml::ForwardMode::kBridge && !def.bridge.name.empty();
  if (!host_bridge) return plan;
  if (def.bridge.mac_table_manager == xml::MacTableManager::kLibvirt) {
    return ConfigUnsupported("network '" + def.name +
                             "': macTableManager='libvirt' would turn on VLAN filtering of host "
                             "bridge '" +
                             def.bridge.name +
                             "', which virtnat does not do; remove the attribute");
  }
  ASSIGN_OR_RETURN(plan.qos, PlanQos(def.name, def.bridge.name, def.bandwidth));
  return plan;
}

// libvirt's dnsmasq answers DNS on every address of the bridge unless
// <dns enable='no'>, DHCP per family with a <dhcp> block, TFTP (IPv4) with
// a <tftp> root.
GuestServices PlanGuestServices(const xml::NetworkDef& def) {
  GuestServices s;
  const bool dns = def.dns.enable != xml::TriState::kNo;
  for (const xml::IpDef& ip : def.ips) {
    const bool v6 = ip.address.is_v6();
    (v6 ? s.dns6 : s.dns4) |= dns;
    (v6 ? s.dhcp6 : s.dhcp4) |= ip.has_dhcp();
    s.tftp |= !v6 && !ip.tftp_root.empty();
  }
  return s;
}

}  // namespace

Result<NetworkPlan> PlanNetwork(const xml::NetworkDef& def, const NetworkPlanFacts& facts) {
  if (!xml::HasManagedBridge(def.forward.mode)) return PlanExternalNetwork(def);
  if (def.bridge.name.empty()) {
    return InternalError("network '" + def.name + "' has no bridge name defined");
  }
  NetworkPlan plan;
  plan.network = def.name;
  plan.bridge = BridgeSpec{def.bridge.name, def.mac, def.mtu, def.bridge.stp, def.bridge.delay};

  const bool forwarding = def.forward.mode != xml::ForwardMode::kNone;
  for (const xml::IpDef& ip : def.ips) {
    const unsigned prefix = ip.EffectivePrefix();
    plan.addresses.push_back(InterfaceAddress{ip.address, prefix});
    if (ip.address.is_v4()) {
      plan.sysctls.ipv4_forwarding = forwarding;
      plan.route_checks.push_back(
          RouteCheck{ip.address.NetworkAddress(prefix), prefix, false, ip.address.ToString()});
    } else if (ip.address.is_v6()) {
      plan.sysctls.bridge_ipv6 = true;
      plan.sysctls.ipv6_forwarding = forwarding;
    }
  }
  for (const xml::RouteDef& route : def.routes) {
    const unsigned prefix = route.EffectivePrefix();
    if (route.address.is_v4()) {
      plan.route_checks.push_back(
          RouteCheck{route.address.NetworkAddress(prefix), prefix, true, route.address.ToString()});
    }
    // libvirt adds only routes with a gateway; metric 1 when not given.
    if (!route.gateway.valid()) continue;
    plan.routes.push_back(StaticRoute{route.address.NetworkAddress(prefix), prefix, route.gateway,
                                      route.metric == 0 ? 1u : route.metric});
  }

  ASSIGN_OR_RETURN(plan.firewall, PlanFirewall(def, FirewallFacts{def.bridge.name}));

  plan.dnsmasq_paths = MakeDnsmasqPaths(facts.state_dir, facts.run_dir, def.name);
  plan.dnsmasq_paths.binary = facts.dnsmasq_binary;
  DnsmasqFacts dnsmasq_facts{def.bridge.name, plan.dnsmasq_paths, facts.dnsmasq_user,
                             facts.dnsmasq_group};
  ASSIGN_OR_RETURN(plan.dnsmasq, PlanDnsmasq(def, dnsmasq_facts));
  ASSIGN_OR_RETURN(plan.qos, PlanQos(def.name, def.bridge.name, def.bandwidth));
  plan.zone = PlanZone(def);
  plan.services = PlanGuestServices(def);
  return plan;
}

PlanChanges ComparePlans(const NetworkPlan& applied, const NetworkPlan& wanted) {
  PlanChanges changes;
  changes.link = applied.external != wanted.external ||
                 !SameBridge(applied.bridge, wanted.bridge) || applied.zone != wanted.zone ||
                 !SameAddresses(applied.addresses, wanted.addresses) ||
                 !SameRoutes(applied.routes, wanted.routes) || applied.sysctls != wanted.sysctls;
  changes.firewall = applied.firewall != wanted.firewall;
  changes.dnsmasq = !SameDnsmasq(applied.dnsmasq, wanted.dnsmasq);
  changes.qos = applied.qos != wanted.qos;
  return changes;
}

std::string DescribeNetworkPlan(const NetworkPlan& plan) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + '\n'; };
  if (plan.external) {
    line("external: no bridge, addresses, rules or dnsmasq");
    std::istringstream qos(DescribeQos(plan.qos));
    for (std::string step; std::getline(qos, step);) line("tc " + step);
    return out;
  }
  for (const RouteCheck& check : plan.route_checks) {
    line(std::string("check unrouted ") + (check.is_route ? "route " : "ip ") +
         check.address.ToString() + "/" + std::to_string(check.prefix));
  }
  const BridgeSpec& br = plan.bridge;
  line("create bridge " + br.name + " mac=" + (br.mac ? xml::FormatMac(*br.mac) : "random") +
       " mtu=" + std::to_string(br.mtu) + " stp=" + (br.stp ? "on" : "off") +
       " delay=" + std::to_string(br.delay_seconds));
  line(std::string("sysctl ") + br.name + " ipv6=" + (plan.sysctls.bridge_ipv6 ? "on" : "off") +
       " accept_ra=0 autoconf=0");
  for (const NftChain& chain : plan.firewall.rules->chains) {
    line("firewall chain " + chain.name + " (" + std::to_string(chain.rules.size()) + " rules)");
  }
  for (const NftElement& element : plan.firewall.rules->elements) {
    line("firewall element " + element.map + " " + RenderElement(element));
  }
  for (const InterfaceAddress& a : plan.addresses) {
    line("address " + a.address.ToString() + "/" + std::to_string(a.prefix));
  }
  line("link up " + br.name);
  for (const StaticRoute& r : plan.routes) {
    line("route " + r.destination.ToString() + "/" + std::to_string(r.prefix) + " via " +
         r.gateway.ToString() + " metric " + std::to_string(r.metric));
  }
  if (plan.sysctls.ipv4_forwarding) line("sysctl net.ipv4.ip_forward=1");
  if (plan.sysctls.ipv6_forwarding) line("sysctl accept_ra check; net.ipv6.conf.all.forwarding=1");
  std::istringstream qos(DescribeQos(plan.qos));
  for (std::string step; std::getline(qos, step);) line("tc " + step);
  if (plan.dnsmasq.needed) {
    std::string argv;
    for (const std::string& arg : plan.dnsmasq.argv) argv += (argv.empty() ? "" : " ") + arg;
    line("dnsmasq files " + plan.dnsmasq_paths.conf_file + " " + plan.dnsmasq_paths.hosts_file +
         " " + plan.dnsmasq_paths.addn_hosts_file);
    line("dnsmasq run " + argv);
  } else {
    line("dnsmasq none");
  }
  return out;
}

}  // namespace virtnat::driver
