#pragma once
// A status record (status_record.h) as re-adoption and cleanup use it: its
// live definition parsed once and planned once, and the firewall objects it
// names read once, so that the driver, the realizer and the firewall all
// work from the same values.

#include <optional>
#include <vector>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"
#include "driver/objects/definition_codec.h"
#include "driver/realize/network_plan.h"
#include "driver/state/status_record.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct RecordedNetwork {
  StatusRecord record;
  // The live definition (DefinitionCodec::Parse without schema validation)
  // and its plan. When either fails, it is empty (`plan` too when `def`
  // is) and `unusable` holds the parser's or planner's error.
  std::optional<xml::NetworkDef> def;
  std::optional<NetworkPlan> plan;
  Status unusable;
  // The firewall objects the record names (firewall_record.h; chains come
  // without their rules). Empty when it names none or its text does not
  // parse; then `rules_unreadable` holds the parser's error.
  std::optional<NftNetworkRules> recorded_rules;
  Status rules_unreadable;
};

// Parses and plans `record` with `facts` (the realizer's: where dnsmasq's
// files go). Never fails: what cannot be read is said in the value.
RecordedNetwork ReadRecordedNetwork(StatusRecord record, DefinitionCodec& codec,
                                    const NetworkPlanFacts& facts);
std::vector<RecordedNetwork> ReadRecordedNetworks(std::vector<StatusRecord> records,
                                                  DefinitionCodec& codec,
                                                  const NetworkPlanFacts& facts);

// Whether `a` and `b` name the same chains (rules aside) and map elements:
// a status record's firewall objects (firewall_record.h) against a plan's.
bool SameFirewallObjects(const NftNetworkRules& a, const NftNetworkRules& b);

}  // namespace virtnat::driver
