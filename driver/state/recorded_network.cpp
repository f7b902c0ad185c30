#include "driver/state/recorded_network.h"

#include <utility>

#include "driver/firewall/firewall_record.h"

namespace virtnat::driver {

RecordedNetwork ReadRecordedNetwork(StatusRecord record, DefinitionCodec& codec,
                                    const NetworkPlanFacts& facts) {
  RecordedNetwork net;
  net.record = std::move(record);
  if (Result<xml::NetworkDef> def = codec.Parse(net.record.live_xml, false); !def.ok()) {
    net.unusable = def.status();
  } else if (Result<NetworkPlan> plan = PlanNetwork(*def, facts); !plan.ok()) {
    net.def = std::move(def).value();
    net.unusable = plan.status();
  } else {
    net.def = std::move(def).value();
    net.plan = std::move(plan).value();
  }
  if (!net.record.firewall.empty()) {
    if (Result<NftNetworkRules> rules = ParseFirewallRecord(net.record.firewall); rules.ok()) {
      net.recorded_rules = std::move(rules).value();
    } else {
      net.rules_unreadable = rules.status();
    }
  }
  return net;
}

std::vector<RecordedNetwork> ReadRecordedNetworks(std::vector<StatusRecord> records,
                                                  DefinitionCodec& codec,
                                                  const NetworkPlanFacts& facts) {
  std::vector<RecordedNetwork> out;
  out.reserve(records.size());
  for (StatusRecord& record : records) {
    out.push_back(ReadRecordedNetwork(std::move(record), codec, facts));
  }
  return out;
}

bool SameFirewallObjects(const NftNetworkRules& a, const NftNetworkRules& b) {
  if (a.elements != b.elements || a.chains.size() != b.chains.size()) return false;
  for (size_t i = 0; i < a.chains.size(); ++i) {
    if (a.chains[i].name != b.chains[i].name) return false;
  }
  return true;
}

}  // namespace virtnat::driver
