// Restoring virtnat's table against a real kernel, in a namespace each test
// creates and deletes: RestoreAll() puts back exactly what the records say
// after a flush, a deleted table or a flushed map; a removal after drift
// still forgets the network; the drift check finds no drift in a freshly
// applied ruleset; and the monitor + repairer put rules back within a
// second of `nft flush ruleset` without reacting to their own batch.

#include <glib.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/glib_handle.h"
#include "driver/drift/drift_check.h"
#include "driver/drift/drift_repair.h"
#include "driver/drift/firewall_drift_host.h"
#include "driver/drift/nft_dump.h"
#include "driver/drift/nft_monitor.h"
#include "driver/firewall/firewall_nft.h"
#include "driver/firewall/nft_text.h"
#include "tests/support/drift_test_util.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using virtnat::testing::NetNs;
using xml::ForwardMode;

// Named after its bridge, so the tests read by bridge.
xml::NetworkDef Net(const std::string& bridge, ForwardMode mode, const char* address) {
  return DriftNet(bridge + "-net", bridge, mode, address);
}

class FirewallNftRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ns_.ok());
    ns_.Run([&] {
      auto fw = NftFirewall::Open();
      ASSERT_TRUE(fw.ok()) << fw.error().message;
      fw_ = std::move(*fw);
    });
    ASSERT_TRUE(fw_);
    Apply(Net("vnr0", ForwardMode::kNat, "10.80.0.1"));
    xml::NetworkDef routed = Net("vnr1", ForwardMode::kRoute, "10.80.1.1");
    xml::IpDef ip6;
    ip6.address = *IpAddress::Parse("2001:db8:80::1");
    ip6.prefix = 64;
    routed.ips.push_back(ip6);
    Apply(routed);
    Apply(Net("vnr2", ForwardMode::kNone, "10.80.2.1"));
    applied_ = Ruleset();
    ASSERT_NE(applied_, "");
  }

  void Apply(const xml::NetworkDef& def) {
    auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    Status s = fw_->Apply(def.name, *plan);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::string Sh(const std::string& command) {
    auto r = ns_.Exec(command);
    EXPECT_EQ(r.exit_status, 0) << command << ": " << r.output;
    return r.output;
  }
  std::string Ruleset() { return Sh("nft list ruleset"); }

  std::vector<NetworkDrift> Drift() {
    return ns_.Run([&] {
      auto inventory = ReadNftInventory(DriftCountedTables());
      EXPECT_TRUE(inventory.ok()) << inventory.error().message;
      FirewallDriftHost host(*fw_, nullptr);
      std::vector<RecordedRules> recorded;
      for (const RunningNetwork& n : host.Running()) recorded.push_back({n.name, n.rules});
      return inventory.ok() ? FindFirewallDrift(VirtnatBase(), recorded, *inventory)
                            : std::vector<NetworkDrift>{};
    });
  }

  NetNs ns_{"restore"};
  std::unique_ptr<NftFirewall> fw_;
  std::string applied_;
};

TEST_F(FirewallNftRestoreTest, AFreshlyAppliedRulesetHasNoDrift) {
  EXPECT_EQ(Drift(), std::vector<NetworkDrift>{});
}

TEST_F(FirewallNftRestoreTest, AFlushedRulesetIsRestoredExactlyAndForeignTablesStay) {
  Sh("nft flush ruleset");
  EXPECT_EQ(Drift().size(), 3u);
  Sh("nft add table ip foreign");
  const std::string foreign = Ruleset();
  Status s = fw_->RestoreAll();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Ruleset(), foreign + applied_);
  EXPECT_EQ(Drift(), std::vector<NetworkDrift>{});
}

TEST_F(FirewallNftRestoreTest, APartlyChangedTableIsRebuiltFromTheRecords) {
  Sh("nft flush map inet virtnat nat4");
  Sh("nft flush chain inet virtnat vnr1_out");
  Sh("nft add chain inet virtnat stranger");
  auto drift = Drift();
  ASSERT_EQ(drift.size(), 2u);
  EXPECT_EQ(drift[0], (NetworkDrift{"vnr0-net", {"set inet virtnat nat4 has 0 of 1 elements"}}));
  EXPECT_EQ(drift[1].network, "vnr1-net");
  ASSERT_TRUE(fw_->RestoreAll().ok());
  EXPECT_EQ(Ruleset(), applied_);
  // Intact: a restore changes nothing.
  ASSERT_TRUE(fw_->RestoreAll().ok());
  EXPECT_EQ(Ruleset(), applied_);
}

TEST_F(FirewallNftRestoreTest, RemovingANetworkAfterItsTableWasDeletedForgetsIt) {
  Sh("nft delete table inet virtnat");
  Status s = fw_->Remove("vnr0-net");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(fw_->Applied("vnr0-net"), nullptr);
  // The removal leaves the others to the drift repair; once it has run, the
  // others are back and the removed one is not.
  ASSERT_TRUE(fw_->RestoreAll().ok());
  const std::string rules = Ruleset();
  EXPECT_EQ(rules.find("vnr0"), std::string::npos) << rules;
  EXPECT_NE(rules.find("vnr1_out"), std::string::npos) << rules;
  EXPECT_EQ(Drift(), std::vector<NetworkDrift>{});
  ASSERT_TRUE(fw_->Remove("vnr1-net").ok());
  ASSERT_TRUE(fw_->Remove("vnr2-net").ok());
  EXPECT_EQ(Ruleset(), "");
}

TEST_F(FirewallNftRestoreTest, MonitorAndRepairerRestoreWithinASecondWithoutLooping) {
  ns_.Run([&] {
    GMainContextPtr context(g_main_context_new());
    FirewallDriftHost host(*fw_, nullptr);
    std::vector<std::string> warnings;
    DriftRepairer repairer(
        host, [&](const std::string& l) { warnings.push_back(l); }, [](const std::string&) {});
    int reports = 0;
    auto monitor = NftMonitor::Start(context.get(), [&](const NftChanges&) {
      ++reports;
      repairer.Check();
    });
    ASSERT_TRUE(monitor.ok()) << monitor.error().message;
    (*monitor)->IgnoreChangesFrom(fw_->portid());
    auto iterate = [&](const std::function<bool()>& done, milliseconds timeout) {
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (!done() && std::chrono::steady_clock::now() < deadline) {
        if (!g_main_context_iteration(context.get(), FALSE)) g_usleep(2000);
      }
      return done();
    };

    auto flushed = virtnat::testing::RunCommand("nft flush ruleset");
    ASSERT_EQ(flushed.exit_status, 0) << flushed.output;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(iterate([&] { return repairer.repairs() == 1; }, milliseconds(1000)));
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
    EXPECT_EQ(warnings.size(), 3u);
    // The restore's own notifications start no second round.
    iterate([] { return false; }, milliseconds(300));
    EXPECT_EQ(reports, 1);
    EXPECT_EQ(repairer.repairs(), 1);
  });
  EXPECT_EQ(Ruleset(), applied_);
}

}  // namespace
}  // namespace virtnat::driver
