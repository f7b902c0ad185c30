#pragma once
// Networks and the inventory the kernel would report for them, for the
// drift tests: the "kernel" is an NftInventory the test then damages.

#include <linux/netfilter.h>

#include <map>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "driver/drift/firewall_audit.h"
#include "driver/firewall/firewall_plan.h"
#include "xml/network_def.h"

namespace virtnat::driver {

inline xml::NetworkDef DriftNet(const std::string& name, const std::string& bridge,
                                xml::ForwardMode mode, const char* address) {
  xml::NetworkDef def;
  def.name = name;
  def.bridge.name = bridge;
  def.forward.mode = mode;
  xml::IpDef ip;
  ip.address = *IpAddress::Parse(address);
  ip.prefix = 24;
  def.ips.push_back(ip);
  return def;
}

inline NftNetworkRules DriftRules(const xml::NetworkDef& def) {
  Result<FirewallPlan> plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
  return plan.ok() ? *plan->rules : NftNetworkRules{};
}

// What `table inet virtnat` holds with the base and these networks' rules
// applied, counted as ReadNftInventory counts it.
inline NftInventory IntactInventory(const std::vector<NftNetworkRules>& networks) {
  NftInventory inv;
  inv.tables = {{NFPROTO_INET, kNftTable}};
  NftBase base = VirtnatBase();
  std::map<std::string, size_t> elements;
  for (const NftNetworkRules& rules : networks) {
    for (const NftChain& chain : rules.chains) {
      NftChainInfo info;
      info.family = NFPROTO_INET;
      info.table = kNftTable;
      info.name = chain.name;
      info.rules = chain.rules.size();
      inv.chains.push_back(info);
    }
    for (const NftElement& el : rules.elements) ++elements[el.map];
  }
  for (const NftChain& chain : base.chains) {
    NftChainInfo info;
    info.family = NFPROTO_INET;
    info.table = kNftTable;
    info.name = chain.name;
    info.base = true;
    info.rules = chain.rules.size();
    inv.chains.push_back(info);
  }
  for (const NftMap& map : base.maps) {
    inv.sets.push_back(NftSetInfo{NFPROTO_INET, kNftTable, map.name, elements[map.name]});
  }
  return inv;
}

inline NftChainInfo* FindChainInfo(NftInventory& inv, const std::string& name) {
  for (NftChainInfo& c : inv.chains) {
    if (c.table == kNftTable && c.name == name) return &c;
  }
  return nullptr;
}

inline NftSetInfo* FindSetInfo(NftInventory& inv, const std::string& name) {
  for (NftSetInfo& s : inv.sets) {
    if (s.table == kNftTable && s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace virtnat::driver
