#include "driver/firewall/firewall_conflicts.h"

#include <algorithm>

#include "driver/firewall/firewall_plan.h"

namespace virtnat::driver {
namespace {

bool PrefixesOverlap(const PrefixKey& a, const PrefixKey& b) {
  if (a.network.family() != b.network.family()) return false;
  unsigned shorter = std::min(a.prefix, b.prefix);
  return a.network.NetworkAddress(shorter) == b.network.NetworkAddress(shorter);
}

bool Overlap(const NftKey& a, const NftKey& b) {
  if (const auto* x = std::get_if<IfNameKey>(&a)) {
    const auto* y = std::get_if<IfNameKey>(&b);
    return y && x->name == y->name;
  }
  if (const auto* x = std::get_if<PrefixKey>(&a)) {
    const auto* y = std::get_if<PrefixKey>(&b);
    return y && PrefixesOverlap(*x, *y);
  }
  const auto& x = std::get<ProtoPortsKey>(a);
  const auto* y = std::get_if<ProtoPortsKey>(&b);
  return y && x.proto == y->proto && x.ports.first <= y->ports.last &&
         y->ports.first <= x.ports.last;
}

std::string Describe(const NftElement& e) {
  if (const auto* k = std::get_if<ProtoPortsKey>(&e.key)) {
    std::string ports = std::to_string(k->ports.first);
    if (k->ports.last != k->ports.first) ports += "-" + std::to_string(k->ports.last);
    return std::string("host port ") + ProtoName(k->proto) + " " + ports;
  }
  if (const auto* k = std::get_if<PrefixKey>(&e.key)) {
    return "subnet " + k->network.ToString() + "/" + std::to_string(k->prefix);
  }
  return "interface " + std::get<IfNameKey>(e.key).name;
}

}  // namespace

Status CheckElementConflicts(const std::string& network, const NftNetworkRules& candidate,
                             const std::map<std::string, SharedRules>& applied) {
  for (const NftElement& mine : candidate.elements) {
    for (const auto& [other, rules] : applied) {
      if (other == network) continue;
      for (const NftElement& theirs : rules->elements) {
        if (theirs.map != mine.map || !Overlap(mine.key, theirs.key)) continue;
        std::string verb = mine.map == kMapDnat ? "is already forwarded by" : "is already used by";
        return OperationInvalid(Describe(mine) + " " + verb + " network '" + other + "' (" +
                                Describe(theirs) + ")");
      }
    }
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
