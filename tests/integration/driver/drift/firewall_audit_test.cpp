// The audit against a real kernel, inside a namespace each test creates and
// deletes: iptables-nft's FORWARD policy and foreign nftables forward chains
// are read back through libnftnl and named in the findings.

#include "driver/drift/firewall_audit.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>

#include <string>
#include <vector>

#include "driver/drift/nft_dump.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::NetNs;

const std::vector<AuditNetwork> kDefault = {{"default", true, false}};

std::vector<std::string> Audit(NetNs& ns, const std::vector<AuditNetwork>& networks = kDefault) {
  std::vector<std::string> messages;
  ns.Run([&] {
    auto findings = AuditForwardDrops(networks);
    ASSERT_TRUE(findings.ok()) << findings.error().message;
    for (const auto& f : *findings) messages.push_back(f.message);
  });
  return messages;
}

void Sh(NetNs& ns, const std::string& command) {
  auto r = ns.Exec(command);
  ASSERT_EQ(r.exit_status, 0) << command << ": " << r.output;
}

void NftFile(NetNs& ns, const std::string& ruleset) {
  Sh(ns, "nft -f - <<'EOF'\n" + ruleset + "EOF");
}

class FirewallAuditIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ns_.ok()); }
  NetNs ns_{"audit"};
};

TEST_F(FirewallAuditIntegrationTest, EmptyRulesetHasNoFindings) {
  EXPECT_EQ(Audit(ns_), std::vector<std::string>{});
}

TEST_F(FirewallAuditIntegrationTest, IptablesForwardPolicyDropIsNamed) {
  Sh(ns_, "iptables -P FORWARD DROP");
  EXPECT_EQ(Audit(ns_), (std::vector<std::string>{
                            "table ip filter chain FORWARD (hook forward, priority 0) has policy "
                            "drop: forwarded traffic of network 'default' may be dropped there"}));
  // An IPv6-only network does not go through iptables' IPv4 table.
  EXPECT_EQ(Audit(ns_, {{"v6only", false, true}}), std::vector<std::string>{});
}

TEST_F(FirewallAuditIntegrationTest, IptablesForwardPolicyAcceptIsFine) {
  Sh(ns_, "iptables -P FORWARD DROP && iptables -P FORWARD ACCEPT");
  Sh(ns_, "iptables -A FORWARD -s 192.0.2.1 -j DROP");  // conditional: not everything
  EXPECT_EQ(Audit(ns_), std::vector<std::string>{});
}

TEST_F(FirewallAuditIntegrationTest, IptablesFinalDropRuleIsNamed) {
  Sh(ns_, "iptables -A FORWARD -s 192.0.2.1 -j ACCEPT && iptables -A FORWARD -j DROP");
  EXPECT_EQ(Audit(ns_), (std::vector<std::string>{
                            "table ip filter chain FORWARD (hook forward, priority 0) ends in a "
                            "rule that drops all: forwarded traffic of network 'default' may be "
                            "dropped there"}));
}

TEST_F(FirewallAuditIntegrationTest, ForeignInetForwardChainWithPolicyDropIsFound) {
  NftFile(ns_, R"(
table inet fw {
  chain guard { type filter hook forward priority 10; policy drop; }
  chain guard_in { type filter hook input priority 0; policy drop; }
}
table inet virtnat {
  chain forward { type filter hook forward priority 0; policy drop; }
}
)");
  EXPECT_EQ(Audit(ns_, {{"a", true, false}, {"b", false, true}}),
            (std::vector<std::string>{
                "table inet fw chain guard (hook forward, priority 10) has policy drop: forwarded "
                "traffic of network 'a' may be dropped there",
                "table inet fw chain guard (hook forward, priority 10) has policy drop: forwarded "
                "traffic of network 'b' may be dropped there"}));
}

TEST_F(FirewallAuditIntegrationTest, FinalDropsAreFoundConditionalOnesAreNot) {
  NftFile(ns_, R"(
table bridge br {
  chain forward { type filter hook forward priority 0; counter drop; }
}
table inet rj {
  chain forward { type filter hook forward priority 5; log; reject; }
}
table ip6 six {
  chain forward { type filter hook forward priority -10; ip6 saddr ::1 drop; }
}
table ip four {
  chain forward { type filter hook forward priority 0; jump c; }
  chain c { counter drop; }
}
)");
  EXPECT_EQ(Audit(ns_, {{"n", true, true}}),
            (std::vector<std::string>{
                "table inet rj chain forward (hook forward, priority 5) ends in a rule that "
                "drops all: forwarded traffic of network 'n' may be dropped there",
                "table bridge br chain forward (hook forward, priority 0) ends in a rule that "
                "drops all: traffic bridged between guests of network 'n' may be dropped there"}));
}

TEST_F(FirewallAuditIntegrationTest, InventoryReadsBaseChainsAndCountsRules) {
  NftFile(ns_, R"(
table inet virtnat {
  chain forward { type filter hook forward priority 0; policy accept; counter; counter; }
  chain vnbr0_in { counter; }
}
)");
  ns_.Run([&] {
    auto inventory = ReadNftInventory({{NFPROTO_INET, "virtnat"}});
    ASSERT_TRUE(inventory.ok()) << inventory.error().message;
    EXPECT_EQ(inventory->tables, (std::vector<NftTableInfo>{{NFPROTO_INET, "virtnat"}}));
    ASSERT_EQ(inventory->chains.size(), 2u);
    for (const NftChainInfo& c : inventory->chains) {
      if (c.name == "forward") {
        EXPECT_TRUE(c.base);
        EXPECT_EQ(c.hook, 2u);
        EXPECT_FALSE(c.policy_drop);
        EXPECT_EQ(c.rules, 2u);
      } else {
        EXPECT_EQ(c.name, "vnbr0_in");
        EXPECT_FALSE(c.base);
        EXPECT_EQ(c.rules, 1u);
      }
    }
  });
}

TEST_F(FirewallAuditIntegrationTest, SetElementsAreCountedAndLostOnesFound) {
  NftFile(ns_, R"(
table inet virtnat {
  map fwd_in { type ifname : verdict; elements = { "vnbr0" : accept, "vnbr1" : drop }; }
  map nat4 { type ipv4_addr : verdict; flags interval;
             elements = { 192.0.2.0/24 : accept, 198.51.100.0/25 : accept }; }
  map portfwd { type inet_proto . inet_service : verdict; flags interval;
                elements = { tcp . 8000-8100 : accept }; }
}
)");
  const std::vector<ExpectedNftSet> expected = {
      {NFPROTO_INET, "virtnat", "fwd_in", 2},
      {NFPROTO_INET, "virtnat", "nat4", 2},
      {NFPROTO_INET, "virtnat", "portfwd", 1},
  };
  ns_.Run([&] {
    auto drift = CheckSets(expected);
    ASSERT_TRUE(drift.ok()) << drift.error().message;
    EXPECT_TRUE(drift->empty()) << DescribeDrift(drift->front());
  });
  Sh(ns_, "nft flush map inet virtnat nat4 && nft delete map inet virtnat portfwd");
  Sh(ns_, "nft delete element inet virtnat fwd_in '{ \"vnbr1\" }'");
  ns_.Run([&] {
    auto drift = CheckSets(expected);
    ASSERT_TRUE(drift.ok()) << drift.error().message;
    std::vector<std::string> text;
    for (const auto& d : *drift) text.push_back(DescribeDrift(d));
    EXPECT_EQ(text, (std::vector<std::string>{"set inet virtnat fwd_in has 1 of 2 elements",
                                              "set inet virtnat nat4 has 0 of 2 elements",
                                              "set inet virtnat portfwd is missing"}));
  });
}

}  // namespace
}  // namespace virtnat::driver
