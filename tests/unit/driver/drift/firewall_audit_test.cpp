// The audit's pure half: drift of expected chains and foreign forward drops,
// computed from inventories written here as the kernel would report them.

#include "driver/drift/firewall_audit.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>

namespace virtnat::driver {
namespace {

NftChainInfo Regular(uint8_t family, const char* table, const char* name, size_t rules = 0) {
  NftChainInfo c;
  c.family = family;
  c.table = table;
  c.name = name;
  c.rules = rules;
  return c;
}

NftChainInfo Base(uint8_t family, const char* table, const char* name, uint32_t hook,
                  int32_t priority, bool policy_drop, bool ends_in_drop = false) {
  NftChainInfo c = Regular(family, table, name);
  c.base = true;
  c.hook = hook;
  c.priority = priority;
  c.policy_drop = policy_drop;
  c.ends_in_drop = ends_in_drop;
  return c;
}

std::vector<std::string> Messages(const std::vector<ForwardDropFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.message);
  return out;
}

TEST(FindChainDriftTest, ReportsMissingChainsAndLostRulesInGivenOrder) {
  NftInventory inv;
  inv.tables = {{NFPROTO_INET, "virtnat"}};
  inv.chains = {Regular(NFPROTO_INET, "virtnat", "forward", 2),
                Regular(NFPROTO_INET, "virtnat", "virbr0_in", 0),
                Regular(NFPROTO_IPV4, "other", "virbr0_nat", 5)};
  std::vector<ExpectedNftChain> expected = {
      {NFPROTO_INET, "virtnat", "virbr0_nat", 3},  // only in another table
      {NFPROTO_INET, "virtnat", "forward", 2},     // complete
      {NFPROTO_INET, "virtnat", "virbr0_in", 1},   // flushed
      {NFPROTO_INET, "virtnat", "virbr0_out", 0},  // gone
  };
  std::vector<NftChainDrift> drift = FindChainDrift(expected, inv);
  ASSERT_EQ(drift.size(), 3u);
  EXPECT_EQ(drift[0], (NftChainDrift{expected[0], true, 0}));
  EXPECT_EQ(drift[1], (NftChainDrift{expected[2], false, 0}));
  EXPECT_EQ(drift[2], (NftChainDrift{expected[3], true, 0}));
  EXPECT_EQ(DescribeDrift(drift[0]), "chain inet virtnat virbr0_nat is missing");
  EXPECT_EQ(DescribeDrift(drift[1]), "chain inet virtnat virbr0_in has 0 of 1 rules");
}

TEST(FindChainDriftTest, NothingExpectedNothingReported) {
  NftInventory inv;
  EXPECT_TRUE(FindChainDrift({}, inv).empty());
  inv.chains = {Regular(NFPROTO_INET, "virtnat", "forward", 7)};
  EXPECT_TRUE(FindChainDrift({{NFPROTO_INET, "virtnat", "forward", 7}}, inv).empty());
}

TEST(FindSetDriftTest, ReportsMissingSetsAndLostElements) {
  NftInventory inv;
  inv.sets = {{NFPROTO_INET, "virtnat", "fwd_in", 1}, {NFPROTO_INET, "virtnat", "nat4", 3}};
  std::vector<ExpectedNftSet> expected = {
      {NFPROTO_INET, "virtnat", "fwd_in", 2},
      {NFPROTO_INET, "virtnat", "nat4", 3},
      {NFPROTO_INET, "virtnat", "nat6", 0},
  };
  std::vector<NftSetDrift> drift = FindSetDrift(expected, inv);
  ASSERT_EQ(drift.size(), 2u);
  EXPECT_EQ(drift[0], (NftSetDrift{expected[0], false, 1}));
  EXPECT_EQ(drift[1], (NftSetDrift{expected[2], true, 0}));
  EXPECT_EQ(DescribeDrift(drift[0]), "set inet virtnat fwd_in has 1 of 2 elements");
  EXPECT_EQ(DescribeDrift(drift[1]), "set inet virtnat nat6 is missing");
}

TEST(FindForwardDropsTest, IptablesForwardPolicyDropIsNamed) {
  NftInventory inv;
  inv.chains = {Base(NFPROTO_IPV4, "filter", "FORWARD", NF_INET_FORWARD, 0, true)};
  std::vector<ForwardDropFinding> findings = FindForwardDrops(inv, {{"default", true, false}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "table ip filter chain FORWARD (hook forward, priority 0) has policy drop: "
            "forwarded traffic of network 'default' may be dropped there");
  EXPECT_EQ(findings[0].table, "filter");
  EXPECT_EQ(findings[0].chain, "FORWARD");
  EXPECT_EQ(findings[0].network, "default");
  EXPECT_TRUE(findings[0].policy_drop);
}

TEST(FindForwardDropsTest, AcceptingAndUnrelatedChainsAreNotFindings) {
  NftInventory inv;
  inv.chains = {
      Base(NFPROTO_IPV4, "filter", "FORWARD", NF_INET_FORWARD, 0, false),
      Base(NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, true),
      Regular(NFPROTO_IPV4, "filter", "DOCKER"),
      Base(NFPROTO_INET, "virtnat", "forward", NF_INET_FORWARD, 0, true),  // our own
      Base(NFPROTO_ARP, "a", "c", 2, 0, true),  // arp has no forward hook of IP traffic
      Base(NFPROTO_NETDEV, "n", "c", 0, 0, true),
  };
  EXPECT_TRUE(FindForwardDrops(inv, {{"default", true, true}}).empty());
}

TEST(FindForwardDropsTest, FamiliesMatchTheTrafficANetworkForwards) {
  NftInventory inv;
  inv.chains = {
      Base(NFPROTO_IPV6, "six", "fwd", NF_INET_FORWARD, 10, true),
      Base(NFPROTO_INET, "fw", "forward", NF_INET_FORWARD, -5, true),
      Base(NFPROTO_BRIDGE, "br", "forward", NF_INET_FORWARD, 0, false, true),
      Base(NFPROTO_IPV4, "four", "fwd", NF_INET_FORWARD, 0, false, true),
  };
  EXPECT_EQ(
      Messages(FindForwardDrops(inv, {{"v4", true, false}, {"v6", false, true}})),
      (std::vector<std::string>{
          // Ordered by NFPROTO number: inet 1, ip 2, bridge 7, ip6 10.
          "table inet fw chain forward (hook forward, priority -5) has policy drop: "
          "forwarded traffic of network 'v4' may be dropped there",
          "table ip four chain fwd (hook forward, priority 0) ends in a rule that drops all: "
          "forwarded traffic of network 'v4' may be dropped there",
          "table bridge br chain forward (hook forward, priority 0) ends in a rule that drops "
          "all: traffic bridged between guests of network 'v4' may be dropped there",
          "table inet fw chain forward (hook forward, priority -5) has policy drop: "
          "forwarded traffic of network 'v6' may be dropped there",
          "table bridge br chain forward (hook forward, priority 0) ends in a rule that drops "
          "all: traffic bridged between guests of network 'v6' may be dropped there",
          "table ip6 six chain fwd (hook forward, priority 10) has policy drop: "
          "forwarded traffic of network 'v6' may be dropped there",
      }));
}

TEST(FindForwardDropsTest, NoNetworksNoFindings) {
  NftInventory inv;
  inv.chains = {Base(NFPROTO_IPV4, "filter", "FORWARD", NF_INET_FORWARD, 0, true)};
  EXPECT_TRUE(FindForwardDrops(inv, {}).empty());
}

}  // namespace
}  // namespace virtnat::driver
