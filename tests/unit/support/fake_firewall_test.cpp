#include "tests/support/fake_firewall.h"

#include <gtest/gtest.h>

namespace virtnat::driver {
namespace {

TEST(FakeFirewall, RecordsCallsAndInjectsOneFailure) {
  FakeFirewall fw;
  FirewallPlan plan;
  plan.rules = NftNetworkRules{{NftChain{"virbr0_in", ChainHook::kNone, false, 0, {}}}, {}};
  fw.fail_next = InternalError("boom");
  EXPECT_FALSE(fw.Apply("a", plan).ok());
  EXPECT_TRUE(fw.applied.empty());
  EXPECT_TRUE(fw.Apply("a", plan).ok());
  EXPECT_FALSE(fw.Apply("a", plan).ok());  // already applied
  EXPECT_EQ(fw.applied.at("a"), plan.rules);
  EXPECT_TRUE(fw.Remove("a").ok());
  EXPECT_TRUE(fw.applied.empty());
  EXPECT_EQ(fw.calls, (std::vector<FakeFirewall::Call>{
                          {"apply", "a"}, {"apply", "a"}, {"apply", "a"}, {"remove", "a"}}));
}

}  // namespace
}  // namespace virtnat::driver
