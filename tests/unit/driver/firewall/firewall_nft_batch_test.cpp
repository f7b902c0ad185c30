// Shape of the start and stop batches (no root: built, never sent).

#include <gtest/gtest.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <algorithm>

#include "driver/firewall/firewall_plan.h"
#include "driver/firewall/nft_batch.h"
#include "tests/support/firewall_test_cases.h"

namespace virtnat::driver {
namespace {

std::vector<std::string> Messages(const NftBatch& batch) {
  std::vector<std::string> out;
  for (uint32_t seq = batch.first_seq(); seq < batch.end_seq(); ++seq) {
    out.push_back(batch.Describe(seq));
  }
  return out;
}

size_t Count(const std::vector<std::string>& v, const std::string& prefix) {
  return std::count_if(v.begin(), v.end(),
                       [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

TEST(FirewallNftBatch, StartAddsBaseThenChainsThenElementsInOneBatch) {
  xml::NetworkDef def = FirewallCase("port-forwards");
  auto plan = PlanFirewall(def, FirewallFacts{"virbr0"});
  ASSERT_TRUE(plan.ok());
  auto batch = BuildAddBatch(plan->Base(), plan->rules, 100);
  ASSERT_TRUE(batch.ok());
  std::vector<std::string> m = Messages(*batch);
  EXPECT_EQ(batch->first_seq(), 100u);
  EXPECT_EQ(m.front(), "");  // batch begin
  EXPECT_EQ(m.back(), "");   // batch end
  EXPECT_EQ(m[1], "add table inet virtnat");
  EXPECT_EQ(Count(m, "add map "), plan->Base().maps.size());
  EXPECT_EQ(Count(m, "flush chain "), plan->Base().chains.size());
  EXPECT_EQ(Count(m, "add element "), plan->rules->elements.size());
  size_t rules = 0;
  for (const auto& c : plan->Base().chains) rules += c.rules.size();
  for (const auto& c : plan->rules->chains) rules += c.rules.size();
  EXPECT_EQ(Count(m, "add rule "), rules);
  // Elements jump to chains, so they come after every chain and rule.
  auto first_element = std::find_if(
      m.begin(), m.end(), [](const std::string& s) { return s.rfind("add element", 0) == 0; });
  EXPECT_EQ(std::count_if(first_element, m.end(),
                          [](const std::string& s) { return s.rfind("add rule", 0) == 0; }),
            0);
  EXPECT_EQ(batch->Describe(99), "");
  EXPECT_EQ(batch->Describe(batch->end_seq()), "");
}

TEST(FirewallNftBatch, StopRemovesExactlyTheRecordAndTheTableOnlyWhenAsked) {
  auto plan = PlanFirewall(FirewallCase("nat-default"), FirewallFacts{"virbr0"});
  ASSERT_TRUE(plan.ok());
  auto keep = BuildRemoveBatch(plan->rules, false, 1);
  ASSERT_TRUE(keep.ok());
  std::vector<std::string> m = Messages(*keep);
  EXPECT_EQ(Count(m, "delete element "), plan->rules->elements.size());
  EXPECT_EQ(Count(m, "flush chain "), plan->rules->chains.size());
  EXPECT_EQ(Count(m, "delete chain "), plan->rules->chains.size());
  EXPECT_EQ(Count(m, "delete table"), 0u);
  EXPECT_EQ(m[1], "delete element host_in { \"virbr0\" : jump virbr0_hostin }");
  auto last = BuildRemoveBatch(plan->rules, true, 1);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(Messages(*last)[last->message_count() - 2], "delete table inet virtnat");
}

TEST(FirewallNftBatch, RestoreRebuildsTheTableWithEveryNetworkInOneBatch) {
  auto a = PlanFirewall(FirewallCase("nat-default"), FirewallFacts{"virbr0"});
  auto b = PlanFirewall(FirewallCase("route-default"), FirewallFacts{"virbr1"});
  ASSERT_TRUE(a.ok() && b.ok());
  auto batch = BuildRestoreBatch(VirtnatBase(), {a->rules, NftNetworkRules{}, b->rules}, 1);
  ASSERT_TRUE(batch.ok());
  std::vector<std::string> m = Messages(*batch);
  // Markers, create (so the delete cannot fail), delete, then a fresh table.
  EXPECT_EQ(m[1], "add table inet virtnat");
  EXPECT_EQ(m[2], "delete table inet virtnat");
  EXPECT_EQ(m[3], "add table inet virtnat");
  EXPECT_EQ(Count(m, "add element "), a->rules->elements.size() + b->rules->elements.size());
  EXPECT_EQ(Count(m, "add chain virbr0_"), a->rules->chains.size());
  EXPECT_EQ(Count(m, "add chain virbr1_"), b->rules->chains.size());
  EXPECT_EQ(m.back(), "");

  // With no rules left the table only goes.
  auto empty = BuildRestoreBatch(VirtnatBase(), {NftNetworkRules{}}, 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(Messages(*empty), (std::vector<std::string>{"", "add table inet virtnat",
                                                        "delete table inet virtnat", ""}));
}

}  // namespace
}  // namespace virtnat::driver
