// Which re-adopted networks get their rules applied again, from inventories
// written here as the kernel would report them.

#include "driver/adopted_rules.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>

#include <map>

namespace virtnat::driver {
namespace {

FirewallPlan NatPlan(const std::string& bridge, const char* address) {
  xml::NetworkDef def;
  def.name = bridge + "-net";
  def.bridge.name = bridge;
  def.forward.mode = xml::ForwardMode::kNat;
  xml::IpDef ip;
  ip.address = *IpAddress::Parse(address);
  ip.prefix = 24;
  def.ips.push_back(ip);
  Result<FirewallPlan> plan = PlanFirewall(def, FirewallFacts{bridge});
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  return plan.ok() ? *plan : FirewallPlan{};
}

// What nftables reports when every plan is applied in full.
NftInventory Intact(const std::vector<const FirewallPlan*>& plans) {
  NftInventory inv;
  inv.tables = {{NFPROTO_INET, kNftTable}};
  std::map<std::string, size_t> elements;
  for (const NftMap& map : plans[0]->base.maps) elements[map.name] = 0;
  auto add_chain = [&](const NftChain& chain) {
    NftChainInfo info;
    info.family = NFPROTO_INET;
    info.table = kNftTable;
    info.name = chain.name;
    info.rules = chain.rules.size();
    inv.chains.push_back(info);
  };
  for (const NftChain& chain : plans[0]->base.chains) add_chain(chain);
  for (const FirewallPlan* plan : plans) {
    for (const NftChain& chain : plan->rules.chains) add_chain(chain);
    for (const NftElement& element : plan->rules.elements) ++elements[element.map];
  }
  for (const auto& [map, count] : elements) {
    inv.sets.push_back(NftSetInfo{NFPROTO_INET, kNftTable, map, count});
  }
  return inv;
}

NftChainInfo* Chain(NftInventory& inv, const std::string& name) {
  for (NftChainInfo& chain : inv.chains) {
    if (chain.name == name) return &chain;
  }
  return nullptr;
}

class FindRulesToRestoreTest : public ::testing::Test {
 protected:
  FirewallPlan a_ = NatPlan("virbr0", "192.168.122.1");
  FirewallPlan b_ = NatPlan("virbr1", "192.168.100.1");
  std::vector<std::pair<std::string, const FirewallPlan*>> adopted_{{"a", &a_}, {"b", &b_}};
  NftInventory inv_ = Intact({&a_, &b_});
};

TEST_F(FindRulesToRestoreTest, IntactRulesAreLeftAlone) {
  RulesToRestore found = FindRulesToRestore(adopted_, inv_);
  EXPECT_FALSE(found.rebuild);
  EXPECT_TRUE(found.networks.empty());
  EXPECT_TRUE(FindRulesToRestore({}, NftInventory{}).networks.empty());
}

TEST_F(FindRulesToRestoreTest, AMissingOrEmptiedChainMarksItsNetwork) {
  std::erase_if(inv_.chains, [](const NftChainInfo& c) { return c.name == "virbr1_in"; });
  RulesToRestore found = FindRulesToRestore(adopted_, inv_);
  EXPECT_FALSE(found.rebuild);
  EXPECT_EQ(found.networks, std::vector<std::string>{"b"});
  inv_ = Intact({&a_, &b_});
  Chain(inv_, "virbr0_nat")->rules = 0;
  EXPECT_EQ(FindRulesToRestore(adopted_, inv_).networks, std::vector<std::string>{"a"});
}

TEST_F(FindRulesToRestoreTest, AMapShortOfElementsMarksEveryNetworkWithElementsInIt) {
  for (NftSetInfo& set : inv_.sets) {
    if (set.name == "nat4") --set.elements;
  }
  EXPECT_EQ(FindRulesToRestore(adopted_, inv_).networks, (std::vector<std::string>{"a", "b"}));
}

TEST_F(FindRulesToRestoreTest, DamagedBaseRebuildsEveryNetwork) {
  Chain(inv_, "forward")->rules = 0;
  RulesToRestore found = FindRulesToRestore(adopted_, inv_);
  EXPECT_TRUE(found.rebuild);
  EXPECT_EQ(found.networks, (std::vector<std::string>{"a", "b"}));
  // A flushed ruleset: nothing of the table is left.
  found = FindRulesToRestore(adopted_, NftInventory{});
  EXPECT_TRUE(found.rebuild);
  EXPECT_EQ(found.networks, (std::vector<std::string>{"a", "b"}));
}

TEST_F(FindRulesToRestoreTest, NetworksWithoutRulesAreNeverMarked) {
  FirewallPlan open;
  open.base = a_.base;
  adopted_.push_back({"open", &open});
  EXPECT_EQ(FindRulesToRestore(adopted_, NftInventory{}).networks,
            (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace virtnat::driver
