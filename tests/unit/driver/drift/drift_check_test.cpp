// Which networks need their rules restored, given what nftables holds:
// inventories written here as the kernel would report them, then damaged as
// `nft flush ruleset`, `nft delete table`, `nft flush chain` or `nft flush
// map` would damage them.

#include "driver/drift/drift_check.h"

#include <gtest/gtest.h>

#include "tests/support/drift_test_util.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;

class DriftCheckTest : public testing::Test {
 protected:
  void SetUp() override {
    nat_ = {"default", DriftRules(DriftNet("default", "virbr0", ForwardMode::kNat, "10.0.0.1"))};
    route_ = {"routed", DriftRules(DriftNet("routed", "virbr1", ForwardMode::kRoute, "10.0.1.1"))};
    open_ = {"open", DriftRules(DriftNet("open", "virbr2", ForwardMode::kOpen, "10.0.2.1"))};
    ASSERT_FALSE(nat_.rules->empty());
    ASSERT_FALSE(route_.rules->empty());
    ASSERT_TRUE(open_.rules->empty());
    inventory_ = IntactInventory({nat_.rules, route_.rules});
  }

  std::vector<NetworkDrift> Drift() {
    return FindFirewallDrift(VirtnatBase(), {nat_, route_, open_}, inventory_);
  }

  RecordedRules nat_, route_, open_;
  NftInventory inventory_;
};

TEST_F(DriftCheckTest, IntactRulesetNeedsNothing) {
  EXPECT_EQ(Drift(), std::vector<NetworkDrift>{});
}

TEST_F(DriftCheckTest, ForeignTablesAndExtraObjectsAreNotDrift) {
  inventory_.tables.push_back({NFPROTO_IPV4, "filter"});
  NftChainInfo extra;
  extra.family = NFPROTO_INET;
  extra.table = kNftTable;
  extra.name = "someone_elses";
  inventory_.chains.push_back(extra);
  FindSetInfo(inventory_, kMapFwdIn)->elements += 3;
  EXPECT_EQ(Drift(), std::vector<NetworkDrift>{});
}

TEST_F(DriftCheckTest, FlushedRulesetTouchesEveryNetworkWithRules) {
  inventory_ = NftInventory{};
  const std::vector<std::string> gone = {"table inet virtnat missing"};
  EXPECT_EQ(Drift(), (std::vector<NetworkDrift>{{"default", gone}, {"routed", gone}}));
}

TEST_F(DriftCheckTest, NoNetworkWithRulesMeansNoTableIsExpected) {
  inventory_ = NftInventory{};
  EXPECT_EQ(FindFirewallDrift(VirtnatBase(), {open_}, inventory_), std::vector<NetworkDrift>{});
  EXPECT_EQ(FindFirewallDrift(VirtnatBase(), {}, inventory_), std::vector<NetworkDrift>{});
}

TEST_F(DriftCheckTest, AStoppedNetworkIsNotListedEvenIfItsRulesAreGone) {
  // Only what is passed in runs: the routed network was stopped.
  inventory_ = IntactInventory({nat_.rules});
  EXPECT_EQ(FindFirewallDrift(VirtnatBase(), {nat_}, inventory_), std::vector<NetworkDrift>{});
  inventory_ = NftInventory{};
  auto drift = FindFirewallDrift(VirtnatBase(), {nat_}, inventory_);
  ASSERT_EQ(drift.size(), 1u);
  EXPECT_EQ(drift[0].network, "default");
}

TEST_F(DriftCheckTest, AMissingChainTouchesOnlyItsNetwork) {
  const std::string chain = nat_.rules->chains.front().name;
  std::erase_if(inventory_.chains, [&](const NftChainInfo& c) { return c.name == chain; });
  EXPECT_EQ(
      Drift(),
      (std::vector<NetworkDrift>{{"default", {"chain inet virtnat " + chain + " is missing"}}}));
}

TEST_F(DriftCheckTest, AFlushedNetworkChainIsDrift) {
  const NftChain& chain = route_.rules->chains.back();
  FindChainInfo(inventory_, chain.name)->rules = 0;
  EXPECT_EQ(Drift(),
            (std::vector<NetworkDrift>{{"routed",
                                        {"chain inet virtnat " + chain.name + " has 0 of " +
                                         std::to_string(chain.rules.size()) + " rules"}}}));
}

TEST_F(DriftCheckTest, AFlushedBaseChainTouchesEveryNetworkWithRules) {
  FindChainInfo(inventory_, "forward")->rules = 0;
  const std::vector<std::string> problem = {"chain inet virtnat forward has 0 of 2 rules"};
  EXPECT_EQ(Drift(), (std::vector<NetworkDrift>{{"default", problem}, {"routed", problem}}));
}

TEST_F(DriftCheckTest, AFlushedMapTouchesTheNetworksWithElementsInIt) {
  // Only the NAT network masquerades.
  FindSetInfo(inventory_, kMapNat4)->elements = 0;
  EXPECT_EQ(
      Drift(),
      (std::vector<NetworkDrift>{{"default", {"set inet virtnat nat4 has 0 of 1 elements"}}}));
  // Both forward: both lose their fwd_in element.
  FindSetInfo(inventory_, kMapFwdIn)->elements = 1;
  auto drift = Drift();
  ASSERT_EQ(drift.size(), 2u);
  EXPECT_EQ(drift[1], (NetworkDrift{"routed", {"set inet virtnat fwd_in has 1 of 2 elements"}}));
}

TEST_F(DriftCheckTest, ADeletedMapTouchesEveryNetworkWithRules) {
  std::erase_if(inventory_.sets, [](const NftSetInfo& s) { return s.name == kMapDnat; });
  const std::vector<std::string> problem = {"set inet virtnat portfwd is missing"};
  EXPECT_EQ(Drift(), (std::vector<NetworkDrift>{{"default", problem}, {"routed", problem}}));
}

TEST(DescribeNetworkDriftTest, NamesTheNetworkAndAFewProblems) {
  EXPECT_EQ(DescribeNetworkDrift({"default", {"table inet virtnat missing"}}),
            "network 'default': firewall rules were removed by another program (table inet "
            "virtnat missing)");
  EXPECT_EQ(DescribeNetworkDrift({"n", {"a", "b", "c", "d", "e"}}),
            "network 'n': firewall rules were removed by another program (a, b, c and 2 more)");
}

}  // namespace
}  // namespace virtnat::driver
