#include "driver/firewall/firewall_plan.h"

#include <utility>

#include "driver/firewall/firewall_port_forwards.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;
using xml::IpDef;
using xml::NetworkDef;

NftRule Rule(std::vector<NftExpr> exprs) { return NftRule{std::move(exprs)}; }

VerdictStmt Accept() { return VerdictStmt{VerdictKind::kAccept, {}}; }
VerdictStmt Return() { return VerdictStmt{VerdictKind::kReturn, {}}; }
VerdictStmt Jump(std::string chain) { return VerdictStmt{VerdictKind::kJump, std::move(chain)}; }

NftChain BaseChain(const char* name, ChainHook hook, bool nat, int priority,
                   std::vector<NftRule> rules) {
  return NftChain{name, hook, nat, priority, std::move(rules)};
}

NftRule VmapRule(MapKey key, const char* map) { return Rule({VmapStmt{key, map}}); }

AddrMatch Subnet(const IpDef& ip, bool source, bool negate = false) {
  unsigned prefix = ip.EffectivePrefix();
  return AddrMatch{source, negate, ip.address.NetworkAddress(prefix), prefix};
}

// Host services a guest reaches on the bridge address. libvirt's iptables
// backend accepts these in INPUT/OUTPUT (§6.2); in nftables an accept cannot
// override a drop of another table, so these only document the traffic and
// count nothing — kept so the two backends' rule lists stay comparable.
std::vector<NftRule> HostInRules(bool tftp, bool v6) {
  std::vector<NftRule> rules;
  if (tftp) rules.push_back(Rule({PortMatch{kProtoUdp, {69, 69}}, Accept()}));
  for (unsigned port : {53u, 67u}) {
    rules.push_back(Rule({PortMatch{kProtoUdp, {port, port}}, Accept()}));
    rules.push_back(Rule({PortMatch{kProtoTcp, {port, port}}, Accept()}));
  }
  if (v6) rules.push_back(Rule({PortMatch{kProtoUdp, {547, 547}}, Accept()}));
  return rules;
}

std::vector<NftRule> HostOutRules(bool tftp, bool v6) {
  std::vector<NftRule> rules;
  if (tftp) rules.push_back(Rule({PortMatch{kProtoUdp, {69, 69}}, Accept()}));
  for (unsigned port : {53u, 68u}) {
    rules.push_back(Rule({PortMatch{kProtoUdp, {port, port}}, Accept()}));
    rules.push_back(Rule({PortMatch{kProtoTcp, {port, port}}, Accept()}));
  }
  if (v6) rules.push_back(Rule({PortMatch{kProtoUdp, {546, 546}}, Accept()}));
  return rules;
}

// libvirt's guest_nat rules for one subnet (§7.2): multicast and broadcast
// leave untouched, then tcp and udp with the port range, then the rest.
void AddNatRules(const NetworkDef& def, const IpDef& ip, std::vector<NftRule>* rules) {
  const auto& fwd = def.forward;
  std::vector<NftExpr> uplink;
  if (!fwd.dev.empty()) uplink.push_back(IfNameMatch{false, fwd.dev});
  auto with = [&](std::vector<NftExpr> head, NftExpr last) {
    head.insert(head.end(), uplink.begin(), uplink.end());
    head.push_back(std::move(last));
    return Rule(std::move(head));
  };
  AddrMatch from = Subnet(ip, true);
  AddrMatch not_local = Subnet(ip, false, true);
  if (ip.address.is_v4()) {
    rules->push_back(
        with({from, AddrMatch{false, false, *IpAddress::ParseV4("224.0.0.0"), 24}}, Return()));
    rules->push_back(with(
        {from, AddrMatch{false, false, *IpAddress::ParseV4("255.255.255.255"), 32}}, Return()));
  } else {
    rules->push_back(
        with({from, AddrMatch{false, false, *IpAddress::ParseV6("ff02::"), 16}}, Return()));
  }
  PortSpan ports{1024, 65535};
  if (fwd.nat_port) ports = PortSpan{fwd.nat_port->start, fwd.nat_port->end};
  // <nat><address> is IPv4 only in libvirt; IPv6 always masquerades.
  bool snat = fwd.nat_address && ip.address.is_v4();
  for (uint8_t proto : {kProtoTcp, kProtoUdp}) {
    NftExpr stmt = MasqueradeStmt{ports};
    if (snat) stmt = NatStmt{false, fwd.nat_address->start, fwd.nat_address->end, ports};
    rules->push_back(with({L4ProtoMatch{proto}, from, not_local}, stmt));
  }
  NftExpr stmt = MasqueradeStmt{};
  if (snat) stmt = NatStmt{false, fwd.nat_address->start, fwd.nat_address->end, std::nullopt};
  rules->push_back(with({from, not_local}, stmt));
}

bool Masquerades(const NetworkDef& def, const IpDef& ip) {
  if (def.forward.mode != ForwardMode::kNat) return false;
  return ip.address.is_v4() || def.forward.nat_ipv6 == xml::TriState::kYes;
}

}  // namespace

NftBase VirtnatBase() {
  NftBase base;
  base.maps = {
      {kMapHostIn, MapKeyType::kIfname},   {kMapHostOut, MapKeyType::kIfname},
      {kMapFwdIn, MapKeyType::kIfname},    {kMapFwdOut, MapKeyType::kIfname},
      {kMapDnat, MapKeyType::kProtoPorts}, {kMapHairpin, MapKeyType::kIfname},
      {kMapNat4, MapKeyType::kIpv4Prefix}, {kMapNat6, MapKeyType::kIpv6Prefix},
  };
  // Priorities as libvirt's chains (filter 0, srcnat 100) and the standard
  // dstnat -100, so ordering against other tables matches libvirt's.
  base.chains = {
      BaseChain("input", ChainHook::kInput, false, 0, {VmapRule(MapKey::kIifname, kMapHostIn)}),
      BaseChain("forward", ChainHook::kForward, false, 0,
                {VmapRule(MapKey::kOifname, kMapFwdIn), VmapRule(MapKey::kIifname, kMapFwdOut)}),
      BaseChain("output", ChainHook::kOutput, false, 0, {VmapRule(MapKey::kOifname, kMapHostOut)}),
      BaseChain("dstnat", ChainHook::kPrerouting, true, -100,
                {VmapRule(MapKey::kL4protoDport, kMapDnat)}),
      // A translated loopback connection could not leave the host (the
      // kernel drops 127/8 sources on other devices): leave them alone.
      BaseChain("dstnatlocal", ChainHook::kOutput, true, -100,
                {Rule({AddrMatch{false, false, *IpAddress::ParseV4("127.0.0.0"), 8}, Return()}),
                 Rule({AddrMatch{false, false, *IpAddress::ParseV6("::1"), 128}, Return()}),
                 VmapRule(MapKey::kL4protoDport, kMapDnat)}),
      BaseChain("srcnat", ChainHook::kPostrouting, true, 100,
                {VmapRule(MapKey::kOifname, kMapHairpin), VmapRule(MapKey::kSaddr4, kMapNat4),
                 VmapRule(MapKey::kSaddr6, kMapNat6)}),
  };
  return base;
}

std::shared_ptr<const NftBase> SharedVirtnatBase() {
  static const std::shared_ptr<const NftBase> shared =
      std::make_shared<const NftBase>(VirtnatBase());
  return shared;
}

const NftBase& FirewallPlan::Base() const {
  static const NftBase empty;
  return base ? *base : empty;
}

Result<FirewallPlan> PlanFirewall(const NetworkDef& def, const FirewallFacts& facts) {
  const ForwardMode mode = def.forward.mode;
  if (!xml::HasManagedBridge(mode)) {
    return ConfigUnsupported(std::string("no firewall rules for forward mode '") +
                             xml::ForwardModeName(mode) + "' of network '" + def.name + "'");
  }
  if (facts.bridge.empty()) {
    return InternalError("network '" + def.name + "' has no bridge name");
  }
  const std::string& br = facts.bridge;
  FirewallPlan plan;
  plan.base = SharedVirtnatBase();
  NftNetworkRules out;

  ASSIGN_OR_RETURN(PortForwardRules forwards, PlanPortForwards(def, br));

  if (mode != ForwardMode::kOpen) {
    bool has_v6 = false, tftp = false;
    for (const IpDef& ip : def.ips) {
      has_v6 |= ip.address.is_v6();
      tftp |= ip.address.is_v4() && !ip.tftp_root.empty();
    }
    // libvirt's IPv4 "general" rules always exist; the IPv6 ones only with an
    // IPv6 address or ipv6='yes'. In one inet chain: reject both families, or
    // IPv4 only so that IPv6 passes as it does with libvirt.
    const bool v6_general = has_v6 || def.ipv6;
    const std::string& uplink = def.forward.dev;

    NftChain in{NetworkChainName(br, "in"), ChainHook::kNone, false, 0, {}};
    NftChain fwd_out{NetworkChainName(br, "out"), ChainHook::kNone, false, 0, {}};
    NftChain nat{NetworkChainName(br, "nat"), ChainHook::kNone, false, 0, {}};
    // Guest to guest on the same bridge first, as libvirt's guest_cross.
    in.rules.push_back(Rule({IfNameMatch{true, br}, Accept()}));
    bool nat4 = false, nat6 = false;
    if (mode != ForwardMode::kNone) {
      for (const IpDef& ip : def.ips) {
        std::vector<NftExpr> to_guests, from_guests;
        if (!uplink.empty()) to_guests.push_back(IfNameMatch{true, uplink});
        to_guests.push_back(Subnet(ip, false));
        from_guests.push_back(Subnet(ip, true));
        if (!uplink.empty()) from_guests.push_back(IfNameMatch{false, uplink});
        if (Masquerades(def, ip)) {
          to_guests.push_back(CtEstablishedMatch{});
          AddNatRules(def, ip, &nat.rules);
          (ip.address.is_v4() ? nat4 : nat6) = true;
          unsigned prefix = ip.EffectivePrefix();
          out.elements.push_back({ip.address.is_v4() ? kMapNat4 : kMapNat6,
                                  PrefixKey{ip.address.NetworkAddress(prefix), prefix},
                                  Jump(nat.name)});
        }
        to_guests.push_back(Accept());
        from_guests.push_back(Accept());
        in.rules.push_back(Rule(std::move(to_guests)));
        fwd_out.rules.push_back(Rule(std::move(from_guests)));
      }
    }
    for (NftRule& rule : forwards.forward_accepts) in.rules.push_back(std::move(rule));
    RejectStmt reject{v6_general ? IpFamily::kNone : IpFamily::kV4};
    in.rules.push_back(Rule({reject}));
    fwd_out.rules.push_back(Rule({reject}));

    NftChain host_in{NetworkChainName(br, "hostin"), ChainHook::kNone, false, 0,
                     HostInRules(tftp, has_v6)};
    NftChain host_out{NetworkChainName(br, "hostout"), ChainHook::kNone, false, 0,
                      HostOutRules(tftp, has_v6)};
    out.elements.insert(out.elements.begin(), {{kMapHostIn, IfNameKey{br}, Jump(host_in.name)},
                                               {kMapHostOut, IfNameKey{br}, Jump(host_out.name)},
                                               {kMapFwdIn, IfNameKey{br}, Jump(in.name)},
                                               {kMapFwdOut, IfNameKey{br}, Jump(fwd_out.name)}});
    out.chains.push_back(std::move(host_in));
    out.chains.push_back(std::move(host_out));
    out.chains.push_back(std::move(in));
    out.chains.push_back(std::move(fwd_out));
    if (nat4 || nat6) out.chains.push_back(std::move(nat));
  }
  for (NftChain& chain : forwards.chains) out.chains.push_back(std::move(chain));
  for (NftElement& element : forwards.elements) out.elements.push_back(std::move(element));
  plan.rules = std::move(out);
  return plan;
}

}  // namespace virtnat::driver
