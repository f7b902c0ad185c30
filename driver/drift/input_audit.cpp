#include "driver/drift/input_audit.h"

#include <linux/in.h>
#include <linux/netfilter.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "driver/firewall/nft_ruleset.h"

namespace virtnat::driver {
namespace {

// NF_CT_STATE_BIT of new and established connections (nf_conntrack_common.h).
constexpr uint32_t kCtNew = 1u << 3;
constexpr uint32_t kCtEstablished = 1u << 1;
// A client's source port for DNS and TFTP queries: any unprivileged one.
constexpr uint16_t kClientPort = 40000;
// Chains jumped to deeper than this are not followed (nftables itself stops at 16).
constexpr int kMaxDepth = 16;

enum class Outcome { kYes, kNo, kMaybe };

bool NameMatches(const NftMatch& m, const std::string& name) {
  if (name.empty()) return false;
  return m.prefix ? name.compare(0, m.name.size(), m.name) == 0 : name == m.name;
}

Outcome Test(const NftMatch& m, const NftPacket& p) {
  bool yes = false;
  switch (m.field) {
    case NftMatch::Field::kUnknown:
      return Outcome::kMaybe;
    case NftMatch::Field::kIifname:
      yes = NameMatches(m, p.iif);
      break;
    case NftMatch::Field::kOifname:
      yes = NameMatches(m, p.oif);
      break;
    case NftMatch::Field::kNfproto:
      yes = m.value == p.nfproto;
      break;
    case NftMatch::Field::kL4proto:
      yes = m.value == p.l4proto;
      break;
    case NftMatch::Field::kSourcePort:
      yes = m.value == p.sport;
      break;
    case NftMatch::Field::kDestPort:
      yes = m.value == p.dport;
      break;
    case NftMatch::Field::kCtState:
      yes = (m.value & p.ct_state) != 0;
      break;
  }
  return yes != m.negated ? Outcome::kYes : Outcome::kNo;
}

Outcome TestRule(const NftRuleInfo& rule, const NftPacket& p) {
  Outcome result = Outcome::kYes;
  for (const NftMatch& m : rule.matches) {
    Outcome o = Test(m, p);
    if (o == Outcome::kNo) return o;
    if (o == Outcome::kMaybe) result = o;
  }
  return result;
}

// The walk of one chain: decided (accepted or dropped), or fell through.
struct Walk {
  bool decided = false;
  ChainVerdict verdict;
};

const NftChainInfo* FindChain(const NftInventory& inventory, const NftChainInfo& from,
                              const std::string& name) {
  for (const NftChainInfo& c : inventory.chains) {
    if (c.family == from.family && c.table == from.table && c.name == name) return &c;
  }
  return nullptr;
}

Walk WalkChain(const NftInventory& inventory, const NftChainInfo& chain, const NftPacket& p,
               int depth) {
  using V = NftRuleInfo::Verdict;
  for (size_t i = 0; i < chain.rule_list.size(); ++i) {
    const NftRuleInfo& rule = chain.rule_list[i];
    Outcome o = TestRule(rule, p);
    if (o == Outcome::kNo || rule.verdict == V::kNone) continue;
    if (rule.verdict == V::kAccept) return Walk{true, {}};
    if (rule.verdict == V::kDrop) {
      if (o == Outcome::kYes) {
        return Walk{true, ChainVerdict{ChainVerdict::Kind::kRuleDrop, chain.name, i + 1}};
      }
      continue;  // may not drop this packet
    }
    if (rule.verdict == V::kReturn) {
      if (o == Outcome::kYes) return Walk{};
      continue;
    }
    if (rule.verdict == V::kJump || rule.verdict == V::kGoto) {
      const NftChainInfo* target = FindChain(inventory, chain, rule.target);
      if (target == nullptr || depth >= kMaxDepth) return Walk{true, {}};  // cannot tell
      Walk inner = WalkChain(inventory, *target, p, depth + 1);
      if (inner.decided) {
        // A drop only maybe reached is no finding.
        if (o == Outcome::kMaybe && inner.verdict.kind != ChainVerdict::Kind::kAccepted) continue;
        return inner;
      }
      if (rule.verdict == V::kGoto && o == Outcome::kYes) return Walk{};
      continue;
    }
    return Walk{true, {}};  // queue, continue: not understood, take it as accepted
  }
  return Walk{};
}

struct Service {
  const char* label;  // "DHCP (udp 67)"
  NftPacket packet;
};

NftPacket In(uint8_t family, const std::string& bridge, uint8_t proto, uint16_t sport,
             uint16_t dport) {
  return NftPacket{family, bridge, "", proto, sport, dport, kCtNew};
}

NftPacket Out(uint8_t family, const std::string& bridge, uint8_t proto, uint16_t sport,
              uint16_t dport, uint32_t state) {
  return NftPacket{family, "", bridge, proto, sport, dport, state};
}

// The packets a network's guests send to the host (input) and the host
// sends back (output). A DHCP reply is no reply to a tracked connection (the
// request went to the broadcast address): it is new for conntrack.
std::vector<Service> Services(const InputAuditNetwork& n, bool input) {
  const GuestServices& s = n.services;
  const std::string& br = n.bridge;
  std::vector<Service> out;
  if (input) {
    if (s.dhcp4) out.push_back({"DHCP (udp 67)", In(NFPROTO_IPV4, br, IPPROTO_UDP, 68, 67)});
    if (s.dhcp6) out.push_back({"DHCPv6 (udp 547)", In(NFPROTO_IPV6, br, IPPROTO_UDP, 546, 547)});
    for (uint8_t proto : {uint8_t{IPPROTO_UDP}, uint8_t{IPPROTO_TCP}}) {
      const char* label = proto == IPPROTO_UDP ? "DNS (udp 53)" : "DNS (tcp 53)";
      if (s.dns4) out.push_back({label, In(NFPROTO_IPV4, br, proto, kClientPort, 53)});
      if (s.dns6) out.push_back({label, In(NFPROTO_IPV6, br, proto, kClientPort, 53)});
    }
    if (s.tftp)
      out.push_back({"TFTP (udp 69)", In(NFPROTO_IPV4, br, IPPROTO_UDP, kClientPort, 69)});
    return out;
  }
  if (s.dhcp4) {
    out.push_back({"DHCP replies (udp 68)", Out(NFPROTO_IPV4, br, IPPROTO_UDP, 67, 68, kCtNew)});
  }
  if (s.dhcp6) {
    out.push_back(
        {"DHCPv6 replies (udp 546)", Out(NFPROTO_IPV6, br, IPPROTO_UDP, 547, 546, kCtNew)});
  }
  if (s.dns4) {
    out.push_back({"DNS answers (udp 53)",
                   Out(NFPROTO_IPV4, br, IPPROTO_UDP, 53, kClientPort, kCtEstablished)});
  }
  if (s.dns6) {
    out.push_back({"DNS answers (udp 53)",
                   Out(NFPROTO_IPV6, br, IPPROTO_UDP, 53, kClientPort, kCtEstablished)});
  }
  return out;
}

bool SeesFamily(const NftChainInfo& chain, uint8_t nfproto) {
  return chain.family == NFPROTO_INET || chain.family == nfproto;
}

std::string Advice(const NftChainInfo& chain, const std::string& bridge, bool input) {
  const std::string br = bridge.empty() ? "BRIDGE" : bridge;
  if (chain.table == "filter" && (chain.name == "INPUT" || chain.name == "OUTPUT") &&
      (chain.family == NFPROTO_IPV4 || chain.family == NFPROTO_IPV6)) {
    std::string tool = chain.family == NFPROTO_IPV4 ? "iptables" : "ip6tables";
    return "accept them there (" + tool + " -I " + chain.name + (input ? " -i " : " -o ") + br +
           " -j ACCEPT)";
  }
  return "accept them there (nft insert rule " + NftFamilyName(chain.family) + " " + chain.table +
         " " + chain.name + (input ? " iifname \"" : " oifname \"") + br + "\" accept)";
}

std::string Why(const ChainVerdict& v, const NftChainInfo& base) {
  if (v.kind == ChainVerdict::Kind::kPolicyDrop) return "policy drop";
  std::string where = v.chain == base.name ? "" : " of chain " + v.chain;
  return "rule " + std::to_string(v.rule) + where + " drops them";
}

}  // namespace

bool IsHostBaseChain(const NftChainInfo& chain) {
  bool family =
      chain.family == NFPROTO_IPV4 || chain.family == NFPROTO_IPV6 || chain.family == NFPROTO_INET;
  bool hook = chain.hook == NF_INET_LOCAL_IN || chain.hook == NF_INET_LOCAL_OUT;
  return chain.base && family && hook &&
         !(chain.family == NFPROTO_INET && chain.table == kNftTable);
}

ChainVerdict EvaluateChain(const NftInventory& inventory, const NftChainInfo& base,
                           const NftPacket& packet) {
  Walk walk = WalkChain(inventory, base, packet, 0);
  if (walk.decided) return walk.verdict;
  return ChainVerdict{
      base.policy_drop ? ChainVerdict::Kind::kPolicyDrop : ChainVerdict::Kind::kAccepted, "", 0};
}

std::vector<InputDropFinding> FindInputDrops(const NftInventory& inventory,
                                             const std::vector<InputAuditNetwork>& networks) {
  std::vector<const NftChainInfo*> chains;
  for (const NftChainInfo& chain : inventory.chains) {
    if (IsHostBaseChain(chain)) chains.push_back(&chain);
  }
  std::sort(chains.begin(), chains.end(), [](const NftChainInfo* a, const NftChainInfo* b) {
    return std::tie(a->hook, a->family, a->table, a->name) <
           std::tie(b->hook, b->family, b->table, b->name);
  });
  std::vector<InputDropFinding> findings;
  for (const InputAuditNetwork& network : networks) {
    for (const NftChainInfo* chain : chains) {
      const bool input = chain->hook == NF_INET_LOCAL_IN;
      std::vector<std::string> dropped;
      ChainVerdict first;
      for (const Service& service : Services(network, input)) {
        if (!SeesFamily(*chain, service.packet.nfproto)) continue;
        ChainVerdict v = EvaluateChain(inventory, *chain, service.packet);
        if (v.kind == ChainVerdict::Kind::kAccepted) continue;
        if (dropped.empty()) first = v;
        if (std::find(dropped.begin(), dropped.end(), service.label) == dropped.end()) {
          dropped.push_back(service.label);
        }
      }
      if (dropped.empty()) continue;
      std::string list;
      for (const std::string& label : dropped) list += (list.empty() ? "" : ", ") + label;
      InputDropFinding f{chain->family, chain->table, chain->name, chain->hook, network.name, ""};
      f.message = "table " + NftFamilyName(chain->family) + " " + chain->table + " chain " +
                  chain->name + " (hook " + (input ? "input" : "output") + ", priority " +
                  std::to_string(chain->priority) + ") may drop " + list +
                  (input ? " that guests of network '" + network.name + "' send to the host"
                         : " the host sends to guests of network '" + network.name + "'") +
                  " (" + Why(first, *chain) + "); " + Advice(*chain, network.bridge, input);
      findings.push_back(std::move(f));
    }
  }
  return findings;
}

}  // namespace virtnat::driver
