#include "driver/firewall/nft_text.h"

#include <algorithm>

namespace virtnat::driver {
namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

std::string Ports(const PortSpan& p) {
  std::string s = std::to_string(p.first);
  if (p.last != p.first) s += "-" + std::to_string(p.last);
  return s;
}

std::string Address(const IpAddress& a, unsigned prefix) {
  std::string s = a.ToString();
  if (prefix < FamilyBits(a.family())) s += "/" + std::to_string(prefix);
  return s;
}

const char* FamilyWord(IpFamily f) { return f == IpFamily::kV6 ? "ip6" : "ip"; }

std::string Verdict(const VerdictStmt& v) {
  switch (v.kind) {
    case VerdictKind::kAccept:
      return "accept";
    case VerdictKind::kReturn:
      return "return";
    case VerdictKind::kJump:
      return "jump " + v.chain;
  }
  return "";
}

// `snat ip to 10.0.0.1-10.0.0.5:1024-65535`, `dnat ip6 to [2001:db8::2]:80`.
std::string Nat(const NatStmt& n) {
  const bool v6 = n.first.is_v6();
  std::string s = n.destination ? "dnat " : "snat ";
  s += FamilyWord(n.first.family());
  s += " to ";
  auto addr = [&](const IpAddress& a) {
    return v6 && n.ports ? "[" + a.ToString() + "]" : a.ToString();
  };
  s += addr(n.first);
  if (n.last != n.first) s += "-" + addr(n.last);
  if (n.ports) s += ":" + Ports(*n.ports);
  return s;
}

std::string Expr(const NftExpr& expr) {
  return std::visit(
      Overload{
          [](const IfNameMatch& m) {
            return std::string(m.input ? "iifname \"" : "oifname \"") + m.name + "\"";
          },
          [](const NfProtoMatch& m) {
            return std::string("meta nfproto ") + (m.family == IpFamily::kV6 ? "ipv6" : "ipv4");
          },
          [](const L4ProtoMatch& m) { return std::string("meta l4proto ") + ProtoName(m.proto); },
          [](const AddrMatch& m) {
            return std::string(FamilyWord(m.address.family())) +
                   (m.source ? " saddr " : " daddr ") + (m.negate ? "!= " : "") +
                   Address(m.address, m.prefix);
          },
          [](const PortMatch& m) {
            return std::string(ProtoName(m.proto)) + " dport " + Ports(m.ports);
          },
          [](const CtEstablishedMatch&) { return std::string("ct state established,related"); },
          [](const CtDnatMatch&) { return std::string("ct status dnat"); },
          [](const FibLocalMatch&) { return std::string("fib daddr type local"); },
          [](const VmapStmt& v) {
            const char* key = "";
            switch (v.key) {
              case MapKey::kIifname:
                key = "iifname";
                break;
              case MapKey::kOifname:
                key = "oifname";
                break;
              case MapKey::kSaddr4:
                key = "ip saddr";
                break;
              case MapKey::kSaddr6:
                key = "ip6 saddr";
                break;
              case MapKey::kL4protoDport:
                key = "meta l4proto . th dport";
                break;
            }
            return std::string(key) + " vmap @" + v.map;
          },
          [](const VerdictStmt& v) { return Verdict(v); },
          [](const RejectStmt& r) {
            switch (r.family) {
              case IpFamily::kV4:
                return std::string("reject with icmp port-unreachable");
              case IpFamily::kV6:
                return std::string("reject with icmpv6 port-unreachable");
              case IpFamily::kNone:
                break;
            }
            return std::string("reject");
          },
          [](const MasqueradeStmt& m) {
            return m.ports ? "masquerade to :" + Ports(*m.ports) : std::string("masquerade");
          },
          [](const NatStmt& n) { return Nat(n); },
      },
      expr);
}

const char* KeyType(MapKeyType t) {
  switch (t) {
    case MapKeyType::kIfname:
      return "ifname";
    case MapKeyType::kIpv4Prefix:
      return "ipv4_addr";
    case MapKeyType::kIpv6Prefix:
      return "ipv6_addr";
    case MapKeyType::kProtoPorts:
      return "inet_proto . inet_service";
  }
  return "";
}

bool IsInterval(MapKeyType t) { return t != MapKeyType::kIfname; }

bool KeyLess(const NftKey& a, const NftKey& b) {
  const auto* pa = std::get_if<PrefixKey>(&a);
  const auto* pb = std::get_if<PrefixKey>(&b);
  return pa && pb && pa->network < pb->network;
}

std::string Key(const NftKey& key) {
  return std::visit(Overload{
                        [](const IfNameKey& k) { return "\"" + k.name + "\""; },
                        [](const PrefixKey& k) { return Address(k.network, k.prefix); },
                        [](const ProtoPortsKey& k) {
                          return std::string(ProtoName(k.proto)) + " . " + Ports(k.ports);
                        },
                    },
                    key);
}

// nft's names for the standard priorities of the hooks used here.
std::string Priority(const NftChain& c) {
  if (!c.nat && c.priority == 0) return "filter";
  if (c.nat && c.priority == -100 && c.hook == ChainHook::kPrerouting) return "dstnat";
  if (c.nat && c.priority == -100 && c.hook == ChainHook::kOutput) return "-100";
  if (c.nat && c.priority == 100 && c.hook == ChainHook::kPostrouting) return "srcnat";
  return std::to_string(c.priority);
}

const char* HookName(ChainHook h) {
  switch (h) {
    case ChainHook::kPrerouting:
      return "prerouting";
    case ChainHook::kInput:
      return "input";
    case ChainHook::kForward:
      return "forward";
    case ChainHook::kOutput:
      return "output";
    case ChainHook::kPostrouting:
      return "postrouting";
    case ChainHook::kNone:
      break;
  }
  return "";
}

void AppendChain(const NftChain& c, std::string* out) {
  *out += "\tchain " + c.name + " {\n";
  if (c.hook != ChainHook::kNone) {
    *out += std::string("\t\ttype ") + (c.nat ? "nat" : "filter") + " hook " + HookName(c.hook) +
            " priority " + Priority(c) + "; policy accept;\n";
  }
  for (const NftRule& r : c.rules) *out += "\t\t" + RenderRule(r) + "\n";
  *out += "\t}\n";
}

}  // namespace

std::string RenderRule(const NftRule& rule) {
  std::string s;
  for (const NftExpr& e : rule.exprs) {
    if (!s.empty()) s += ' ';
    s += Expr(e);
  }
  return s;
}

std::string RenderElement(const NftElement& element) {
  return Key(element.key) + " : " + Verdict(element.verdict);
}

std::string RenderTable(const NftBase& base, const std::vector<const NftNetworkRules*>& networks) {
  std::vector<std::string> blocks;
  for (const NftMap& map : base.maps) {
    std::vector<const NftElement*> elements;
    for (const NftNetworkRules* n : networks) {
      for (const NftElement& e : n->elements) {
        if (e.map == map.name) elements.push_back(&e);
      }
    }
    // Prefix maps (an rbtree in the kernel) list in key order; concatenated
    // ranges (pipapo) and hashes in insertion order.
    if (map.key_type == MapKeyType::kIpv4Prefix || map.key_type == MapKeyType::kIpv6Prefix) {
      std::stable_sort(
          elements.begin(), elements.end(),
          [](const NftElement* a, const NftElement* b) { return KeyLess(a->key, b->key); });
    }
    std::string b = "\tmap " + map.name + " {\n\t\ttype " + KeyType(map.key_type) + " : verdict\n";
    if (IsInterval(map.key_type)) b += "\t\tflags interval\n";
    if (!elements.empty()) {
      b += "\t\telements = { ";
      // nft puts two IPv4 keys on a line and every other key type on its own.
      const size_t per_line = map.key_type == MapKeyType::kIpv4Prefix ? 2 : 1;
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) b += i % per_line ? ", " : ",\n\t\t\t     ";
        b += RenderElement(*elements[i]);
      }
      b += " }\n";
    }
    b += "\t}\n";
    blocks.push_back(std::move(b));
  }
  for (const NftChain& c : base.chains) AppendChain(c, &blocks.emplace_back());
  for (const NftNetworkRules* n : networks) {
    for (const NftChain& c : n->chains) AppendChain(c, &blocks.emplace_back());
  }
  std::string out = std::string("table inet ") + kNftTable + " {\n";
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) out += "\n";
    out += blocks[i];
  }
  out += "}\n";
  return out;
}

std::string RenderPlan(const FirewallPlan& plan) {
  if (plan.rules->empty()) return "";
  return RenderTable(plan.Base(), {&plan.rules.get()});
}

}  // namespace virtnat::driver
