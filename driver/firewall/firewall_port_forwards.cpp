#include "driver/firewall/firewall_port_forwards.h"

#include <algorithm>
#include <utility>

namespace virtnat::driver {
namespace {

using xml::ForwardMode;
using xml::NetworkDef;
using xml::PortForward;
using xml::PortForwardRange;

// nft has no syntax for "host port P goes to guest port P + k" over a range
// (the kernel's offset flag is not exposed), so such a range becomes one
// rule per port; this bounds it.
constexpr unsigned kMaxShiftedPorts = 256;

uint8_t Proto(const PortForward& pf) {
  return pf.proto == xml::PortProtocol::kUdp ? kProtoUdp : kProtoTcp;
}

unsigned FullPrefix(const IpAddress& a) { return FamilyBits(a.family()); }

Status Invalid(const NetworkDef& def, const std::string& what) {
  return ConfigUnsupported("port forward of network '" + def.name + "': " + what);
}

// The part of a DNAT rule that selects traffic for the host:
//   [iifname DEV] ip daddr ADDR              (listen address)
//   [iifname DEV] meta nfproto ipv4 fib daddr type local
std::vector<NftExpr> HostMatch(const PortForward& pf) {
  std::vector<NftExpr> m;
  if (!pf.dev.empty()) m.push_back(IfNameMatch{true, pf.dev});
  if (pf.address) {
    m.push_back(AddrMatch{false, false, *pf.address, FullPrefix(*pf.address)});
  } else {
    m.push_back(NfProtoMatch{pf.guest.family()});
    m.push_back(FibLocalMatch{});
  }
  return m;
}

NftRule Dnat(const PortForward& pf, PortSpan host, std::optional<PortSpan> guest) {
  std::vector<NftExpr> e = HostMatch(pf);
  e.push_back(PortMatch{Proto(pf), host});
  e.push_back(NatStmt{true, pf.guest, pf.guest, guest});
  return NftRule{std::move(e)};
}

}  // namespace

Result<PortForwardRules> PlanPortForwards(const NetworkDef& def, const std::string& bridge) {
  PortForwardRules out;
  if (def.port_forwards.empty()) return out;
  if (def.forward.mode == ForwardMode::kNone) {
    return Invalid(def, "an isolated network cannot be reached from outside");
  }
  NftChain dnat{NetworkChainName(bridge, "dnat"), ChainHook::kNone, false, 0, {}};
  NftChain hairpin{NetworkChainName(bridge, "hairpin"), ChainHook::kNone, false, 0, {}};
  std::vector<ProtoPortsKey> keys;

  for (const PortForward& pf : def.port_forwards) {
    const uint8_t proto = Proto(pf);
    if (!pf.guest.valid()) return Invalid(def, "missing guest address");
    if (pf.address && pf.address->family() != pf.guest.family()) {
      return Invalid(def, "listen address " + pf.address->ToString() + " and guest " +
                              pf.guest.ToString() + " are of different families");
    }
    for (const PortForwardRange& r : pf.ranges) {
      const unsigned first = r.start;
      const unsigned last = std::max(r.end, r.start);
      const unsigned to = r.to ? r.to : r.start;
      if (first == 0 || last > 65535 || to + (last - first) > 65535) {
        return Invalid(def, "port out of range 1-65535");
      }
      const PortSpan host{first, last};
      const PortSpan guest{to, to + (last - first)};
      ProtoPortsKey key{proto, host};
      bool duplicate = false;
      for (const ProtoPortsKey& k : keys) {
        if (k.proto != proto || k.ports.last < first || k.ports.first > last) continue;
        if (k.ports == host) {
          duplicate = true;  // same ports on another address: one map entry
          continue;
        }
        return Invalid(def, std::string(ProtoName(proto)) + " ports " + std::to_string(first) +
                                "-" + std::to_string(last) + " overlap another forward");
      }
      if (!duplicate) {
        keys.push_back(key);
        out.elements.push_back({kMapDnat, key, VerdictStmt{VerdictKind::kJump, dnat.name}});
      }

      if (to == first) {
        // Ports unchanged: the kernel keeps the destination port.
        dnat.rules.push_back(Dnat(pf, host, std::nullopt));
      } else if (first == last) {
        dnat.rules.push_back(Dnat(pf, host, guest));
      } else {
        if (last - first + 1 > kMaxShiftedPorts) {
          return Invalid(def, "a range mapped to other guest ports may have at most " +
                                  std::to_string(kMaxShiftedPorts) + " ports");
        }
        for (unsigned p = first; p <= last; ++p) {
          unsigned g = to + (p - first);
          dnat.rules.push_back(Dnat(pf, PortSpan{p, p}, PortSpan{g, g}));
        }
      }

      const AddrMatch to_guest{false, false, pf.guest, FullPrefix(pf.guest)};
      // ip daddr GUEST tcp dport P ct status dnat return: only translated
      // connections pass; a direct connection to the guest's address stays
      // refused. `return` rather than accept: the forward chain then still
      // asks the sender's network (@fwd_out), so a guest of an isolated
      // network is refused there instead of reaching this guest.
      out.forward_accepts.push_back(NftRule{{to_guest, PortMatch{proto, guest}, CtDnatMatch{},
                                             VerdictStmt{VerdictKind::kReturn, {}}}});
      // Hairpin: a guest of this network reaching the host's port. Without
      // masquerade the guest would answer its neighbour directly, from an
      // address the neighbour never connected to.
      for (const xml::IpDef& ip : def.ips) {
        if (ip.family() != pf.guest.family()) continue;
        unsigned prefix = ip.EffectivePrefix();
        hairpin.rules.push_back(
            NftRule{{AddrMatch{true, false, ip.address.NetworkAddress(prefix), prefix}, to_guest,
                     PortMatch{proto, guest}, CtDnatMatch{}, MasqueradeStmt{}}});
      }
    }
  }
  if (!hairpin.rules.empty()) {
    out.elements.push_back(
        {kMapHairpin, IfNameKey{bridge}, VerdictStmt{VerdictKind::kJump, hairpin.name}});
  }
  out.chains.push_back(std::move(dnat));
  if (!hairpin.rules.empty()) out.chains.push_back(std::move(hairpin));
  return out;
}

}  // namespace virtnat::driver
