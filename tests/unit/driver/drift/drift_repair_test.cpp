// The repairer against a fake host: which networks it restores (one batch),
// what it logs, and how it reports foreign forward drops (once, until gone).

#include "driver/drift/drift_repair.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>

#include "tests/support/drift_test_util.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;

// A kernel as an inventory: RestoreFirewall() puts back what Running()
// lists, as NftFirewall::RestoreAll does.
class FakeDriftHost : public DriftHost {
 public:
  std::vector<RunningNetwork> Running() override { return running; }
  Result<NftInventory> ReadInventory(const std::vector<NftTableInfo>& count_in,
                                     CountedTables counted) override {
    ++reads;
    EXPECT_EQ(count_in, DriftCountedTables());
    last_counted = counted;
    if (!read_error.empty()) return InternalError(read_error);
    if (counted == CountedTables::kCount) return kernel;
    // Not counted: virtnat's chains are listed with no rules.
    NftInventory listed = kernel;
    for (NftChainInfo& c : listed.chains) {
      if (c.table == kNftTable) c.rules = 0;
    }
    return listed;
  }
  Status RestoreFirewall() override {
    ++restores;
    if (!restore_error.empty()) return InternalError(restore_error);
    std::vector<NftNetworkRules> rules;
    for (const RunningNetwork& n : running) rules.push_back(*n.rules);
    std::vector<NftChainInfo> foreign;
    for (const NftChainInfo& c : kernel.chains) {
      if (c.table != kNftTable) foreign.push_back(c);
    }
    kernel = IntactInventory(rules);
    kernel.chains.insert(kernel.chains.end(), foreign.begin(), foreign.end());
    return Status::Ok();
  }

  std::vector<RunningNetwork> running;
  NftInventory kernel;
  std::string read_error, restore_error;
  int reads = 0, restores = 0;
  CountedTables last_counted = CountedTables::kCount;
};

RunningNetwork Running(const std::string& name, const std::string& bridge, ForwardMode mode,
                       const char* address) {
  xml::NetworkDef def = DriftNet(name, bridge, mode, address);
  return RunningNetwork{name,  bridge,         DriftRules(def), mode != ForwardMode::kNone,
                        false, GuestServices{}};
}

NftChainInfo ForwardPolicyDrop(uint8_t family, const char* table, const char* chain) {
  NftChainInfo c;
  c.family = family;
  c.table = table;
  c.name = chain;
  c.base = true;
  c.hook = NF_INET_FORWARD;
  c.policy_drop = true;
  return c;
}

class DriftRepairTest : public testing::Test {
 protected:
  void SetUp() override {
    host_.running = {Running("default", "virbr0", ForwardMode::kNat, "10.0.0.1"),
                     Running("isolated", "virbr1", ForwardMode::kNone, "10.0.1.1")};
    host_.kernel = IntactInventory({host_.running[0].rules, host_.running[1].rules});
    repairer_.SetWarningsChanged([this] { ++changes_; });
  }

  FakeDriftHost host_;
  std::vector<std::string> warnings_, infos_;
  int changes_ = 0;
  DriftRepairer repairer_{host_, [this](const std::string& l) { warnings_.push_back(l); },
                          [this](const std::string& l) { infos_.push_back(l); }};
};

TEST_F(DriftRepairTest, IntactRulesAreLeftAlone) {
  repairer_.Check();
  EXPECT_EQ(host_.restores, 0);
  EXPECT_EQ(warnings_, std::vector<std::string>{});
  EXPECT_EQ(repairer_.repairs(), 0);
}

TEST_F(DriftRepairTest, AFlushedRulesetIsRestoredInOneBatchNamingEveryNetwork) {
  host_.kernel = NftInventory{};
  repairer_.Check();
  EXPECT_EQ(host_.restores, 1);
  EXPECT_EQ(repairer_.repairs(), 1);
  EXPECT_EQ(warnings_, (std::vector<std::string>{
                           "network 'default': firewall rules were removed by another program "
                           "(table inet virtnat missing); restored",
                           "network 'isolated': firewall rules were removed by another program "
                           "(table inet virtnat missing); restored"}));
  // Restored: the next check finds nothing to do.
  warnings_.clear();
  repairer_.Check();
  EXPECT_EQ(host_.restores, 1);
  EXPECT_EQ(warnings_, std::vector<std::string>{});
}

TEST_F(DriftRepairTest, OnlyTheDamagedNetworkIsNamed) {
  const std::string chain = host_.running[1].rules->chains.front().name;
  FindChainInfo(host_.kernel, chain)->rules = 0;
  repairer_.Check();
  EXPECT_EQ(host_.restores, 1);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0].rfind("network 'isolated': ", 0), 0u) << warnings_[0];
}

TEST_F(DriftRepairTest, ANetworkStoppedBeforeTheCheckIsNeitherNamedNorRestored) {
  host_.kernel = NftInventory{};
  host_.running.pop_back();  // 'isolated' stopped while the check was pending
  repairer_.Check();
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0].rfind("network 'default': ", 0), 0u) << warnings_[0];
  EXPECT_EQ(FindChainInfo(host_.kernel, "virbr1_in"), nullptr);
}

TEST_F(DriftRepairTest, NothingRunningReadsNothing) {
  host_.running.clear();
  host_.kernel = NftInventory{};
  repairer_.Check();
  EXPECT_EQ(host_.restores, 0);
  EXPECT_EQ(warnings_, std::vector<std::string>{});
}

TEST_F(DriftRepairTest, AFailedRestoreSaysWhy) {
  host_.kernel = NftInventory{};
  host_.restore_error = "Operation not permitted";
  repairer_.Check();
  EXPECT_EQ(repairer_.repairs(), 0);
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_NE(warnings_[0].find("; cannot restore them: internal error: Operation not permitted"),
            std::string::npos)
      << warnings_[0];
}

TEST_F(DriftRepairTest, AnUnreadableRulesetIsReportedOnce) {
  host_.read_error = "Permission denied";
  repairer_.Check();
  repairer_.Check();
  EXPECT_EQ(host_.reads, 2);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("cannot check the firewall rules"), std::string::npos);
}

TEST(DriftRepairStormTest, ARepairStormIsLoggedOnlyAFewTimesAMinute) {
  FakeDriftHost host;
  host.running = {Running("default", "virbr0", ForwardMode::kNat, "10.0.0.1")};
  std::vector<std::string> warnings;
  auto now = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  DriftRepairer repairer(
      host, [&](const std::string& l) { warnings.push_back(l); }, [](const std::string&) {},
      [&] { return now; });
  for (int i = 0; i < 20; ++i) {
    host.kernel = NftInventory{};  // removed again
    repairer.Check();
    now += std::chrono::seconds(1);
  }
  EXPECT_EQ(host.restores, 20);
  EXPECT_EQ(repairer.repairs(), 20);
  ASSERT_EQ(warnings.size(), DriftRepairer::kRepairsLoggedPerMinute + 1u);
  EXPECT_EQ(warnings.back().rfind("another program keeps removing the firewall rules", 0), 0u);
  // A minute later: the count of the quiet ones, then one by one again.
  now += std::chrono::minutes(1);
  host.kernel = NftInventory{};
  repairer.Check();
  ASSERT_EQ(warnings.size(), DriftRepairer::kRepairsLoggedPerMinute + 3u);
  EXPECT_EQ(warnings[warnings.size() - 2],
            "firewall rules were restored 15 more times without a log line each");
  EXPECT_NE(warnings.back().find("network 'default'"), std::string::npos);
}

TEST_F(DriftRepairTest, AForeignForwardDropIsReportedOnceUntilGone) {
  host_.kernel.tables.push_back({NFPROTO_IPV4, "filter"});
  host_.kernel.chains.push_back(ForwardPolicyDrop(NFPROTO_IPV4, "filter", "FORWARD"));
  repairer_.Check();
  repairer_.Check();
  const std::string expected =
      "table ip filter chain FORWARD (hook forward, priority 0) has policy drop: forwarded "
      "traffic of network 'default' may be dropped there; allow it there (iptables -I FORWARD "
      "-i virbr0 -j ACCEPT; iptables -I FORWARD -o virbr0 -j ACCEPT; with Docker, in chain "
      "DOCKER-USER instead of FORWARD) or set the policy to accept (iptables -P FORWARD ACCEPT)";
  // The isolated network forwards nothing: not affected.
  EXPECT_EQ(warnings_, std::vector<std::string>{expected});
  EXPECT_EQ(repairer_.warnings(), std::vector<std::string>{expected});
  EXPECT_EQ(changes_, 1);

  host_.kernel.chains.back().policy_drop = false;
  repairer_.Check();
  EXPECT_EQ(repairer_.warnings(), std::vector<std::string>{});
  EXPECT_EQ(changes_, 2);
  ASSERT_EQ(infos_.size(), 1u);
  EXPECT_EQ(infos_[0].rfind("no longer reported: table ip filter chain FORWARD", 0), 0u);
}

TEST_F(DriftRepairTest, AChangedDropIsReportedAgain) {
  host_.kernel.chains.push_back(ForwardPolicyDrop(NFPROTO_IPV4, "filter", "FORWARD"));
  repairer_.Check();
  host_.kernel.chains.push_back(ForwardPolicyDrop(NFPROTO_INET, "fw", "fwd"));
  repairer_.Check();
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_EQ(warnings_[1],
            "table inet fw chain fwd (hook forward, priority 0) has policy drop: forwarded "
            "traffic of network 'default' may be dropped there; allow it there (nft insert rule "
            "inet fw fwd iifname virbr0 accept; nft insert rule inet fw fwd oifname virbr0 "
            "accept) or set the chain's policy to accept");
  EXPECT_EQ(repairer_.warnings().size(), 2u);
}

TEST_F(DriftRepairTest, ADropIsCheckedAfterARepairToo) {
  host_.kernel = NftInventory{};
  host_.kernel.chains.push_back(ForwardPolicyDrop(NFPROTO_IPV4, "filter", "FORWARD"));
  repairer_.Check();
  EXPECT_EQ(host_.restores, 1);
  EXPECT_EQ(repairer_.warnings().size(), 1u);
}

TEST_F(DriftRepairTest, AfterItsOwnChangeOnlyTheOtherTablesAreAudited) {
  host_.kernel.tables.push_back({NFPROTO_IPV4, "filter"});
  host_.kernel.chains.push_back(ForwardPolicyDrop(NFPROTO_IPV4, "filter", "FORWARD"));
  repairer_.CheckAfterOwnChange();
  // virtnat's rules were not counted: they are not taken for missing.
  EXPECT_EQ(host_.last_counted, CountedTables::kSkip);
  EXPECT_EQ(host_.restores, 0);
  // The foreign drop is reported as by a full check.
  ASSERT_EQ(repairer_.warnings().size(), 1u);
  EXPECT_EQ(repairer_.warnings()[0].rfind("table ip filter chain FORWARD", 0), 0u);

  // Another program's change still gets the full check, which repairs.
  host_.kernel = NftInventory{};
  repairer_.Check();
  EXPECT_EQ(host_.last_counted, CountedTables::kCount);
  EXPECT_EQ(host_.restores, 1);
}

}  // namespace
}  // namespace virtnat::driver
