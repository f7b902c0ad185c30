// Re-adoption checks each status record against the host
// (network_state_adopt.h); the host is faked through the hooks.

#include "driver/network_state_adopt.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <unistd.h>

#include <set>

#include "driver/firewall_plan.h"
#include "driver/nft_ruleset.h"

namespace virtnat::driver {
namespace {

class AdoptTest : public ::testing::Test {
 protected:
  AdoptTest() {
    hooks_.cleanup.interface_exists = [this](const std::string& ifname) {
      return bridges_.count(ifname) > 0;
    };
    hooks_.cleanup.delete_bridge = [this](const std::string& ifname) {
      calls_.push_back("delete bridge " + ifname);
      return Status::Ok();
    };
    hooks_.cleanup.remove_firewall = [this](const std::string& network, const std::string&) {
      calls_.push_back("remove rules " + network);
      return Status::Ok();
    };
    hooks_.interface_addresses = [this](const std::string& ifname) {
      return Result<std::vector<std::string>>(addresses_[ifname]);
    };
    hooks_.add_address = [this](const std::string& ifname, const std::string& address) {
      calls_.push_back("add " + address + " to " + ifname);
      return add_address_status_;
    };
    hooks_.dnsmasq_matches = [this](const DnsmasqStatus& d) { return live_pids_.count(d.pid); };
    hooks_.adopt_host = [this](const StatusRecord& r, bool gone) {
      calls_.push_back("adopt host " + r.name + (gone ? " new dnsmasq" : ""));
      return Status::Ok();
    };
    hooks_.dnsmasq_pid = [](const std::string&) { return std::optional<pid_t>(777); };
    hooks_.ensure_rules = [this](const StatusRecord& r) -> Result<std::vector<std::string>> {
      calls_.push_back("ensure rules " + r.name);
      if (!ensure_rules_status_.ok()) return ensure_rules_status_;
      return missing_rules_;
    };
    hooks_.adopt_driver = [this](const StatusRecord& r) {
      calls_.push_back("adopt driver " + r.name);
      return Status::Ok();
    };
    hooks_.release_host = [this](const StatusRecord& r) {
      calls_.push_back("release host " + r.name);
      return Status::Ok();
    };
    hooks_.remove_record = [this](const std::string& name) {
      calls_.push_back("remove record " + name);
      return Status::Ok();
    };
  }

  static StatusRecord Record(const std::string& name, const std::string& bridge, pid_t pid) {
    StatusRecord r;
    r.name = name;
    r.live_xml = "<network/>";
    r.bridge = bridge;
    r.addresses = {"10.0.0.1/24"};
    r.firewall = "chain " + bridge + "_in";
    r.dnsmasq = DnsmasqStatus{pid, 1, {"/usr/sbin/dnsmasq"}};
    return r;
  }

  AdoptHooks hooks_;
  std::set<std::string> bridges_ = {"br1"};
  std::map<std::string, std::vector<std::string>> addresses_ = {
      {"br1", {"fe80::1/64", "10.0.0.1/24"}}};
  std::set<pid_t> live_pids_ = {100};
  Status add_address_status_;
  Status ensure_rules_status_;
  std::vector<std::string> missing_rules_;
  std::vector<std::string> calls_;
};

TEST_F(AdoptTest, IntactNetworkIsAdoptedWithoutChanges) {
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_TRUE(report.cleaned_up.empty());
  EXPECT_TRUE(report.repairs.empty());
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(calls_, (std::vector<std::string>{"adopt host a", "ensure rules a", "adopt driver a"}));
}

TEST_F(AdoptTest, GoneBridgeIsCleanedUpAndReportedByName) {
  StatusRecord good = Record("a", "br1", 100);
  StatusRecord gone = Record("b", "br2", 4242);  // its dnsmasq pid is not ours: left alone
  AdoptionReport report = AdoptRecordedNetworks({gone, good}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"b"});
  EXPECT_EQ(report.problems, std::vector<std::string>{
                                 "network 'b': its bridge 'br2' is gone; cleaning up what is left "
                                 "of it"});
  EXPECT_EQ(calls_, (std::vector<std::string>{"remove rules b", "remove record b", "adopt host a",
                                              "ensure rules a", "adopt driver a"}));
}

TEST_F(AdoptTest, MissingAddressIsPutBack) {
  addresses_["br1"] = {"fe80::1/64"};
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs, std::vector<std::string>{
                                "network 'a': address 10.0.0.1/24 was missing from bridge 'br1'; "
                                "put back"});
  EXPECT_EQ(calls_.front(), "add 10.0.0.1/24 to br1");
}

TEST_F(AdoptTest, AddressThatCannotBePutBackTearsTheNetworkDown) {
  addresses_["br1"] = {};
  add_address_status_ = InternalError("no");
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_TRUE(report.adopted.empty());
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].rfind("network 'a': address 10.0.0.1/24 is missing", 0), 0u);
  EXPECT_EQ(calls_, (std::vector<std::string>{"add 10.0.0.1/24 to br1", "remove rules a",
                                              "delete bridge br1", "remove record a"}));
}

TEST_F(AdoptTest, DeadOrForeignDnsmasqGetsANewOneAndIsReported) {
  // pid 4242 is not the recorded dnsmasq any more (dead, or another program).
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 4242)}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': its recorded dnsmasq (pid 4242) is no longer "
                                     "running; now served by dnsmasq pid 777"});
  EXPECT_EQ(calls_[0], "adopt host a new dnsmasq");
}

TEST_F(AdoptTest, MissingRulesPutBackAreReported) {
  missing_rules_ = {"chain inet virtnat br1_in is missing"};
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': firewall rules were missing (chain inet "
                                     "virtnat br1_in is missing); put back"});
}

TEST_F(AdoptTest, RulesThatCannotBeRestoredReleaseTheHostSide) {
  ensure_rules_status_ = InternalError("table busy");
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_TRUE(report.adopted.empty());
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': cannot take over: internal error: table busy; "
                                     "cleaning up what is left of it"});
  // Torn down through the realizer that took it over, not from the record.
  EXPECT_EQ(calls_, (std::vector<std::string>{"adopt host a", "ensure rules a", "release host a",
                                              "remove record a"}));
}

TEST(ExpectedObjectsTest, ChainsWithRuleCountsAndMapsWithElementCounts) {
  FirewallPlan plan;
  plan.base.maps = {NftMap{"fwd_in", MapKeyType::kIfname}, NftMap{"nat4", MapKeyType::kIpv4Prefix}};
  plan.base.chains = {NftChain{"forward", ChainHook::kForward, false, 0, {NftRule{}, NftRule{}}}};
  plan.rules.chains = {NftChain{"br1_in", ChainHook::kNone, false, 0, {NftRule{}}}};
  plan.rules.elements = {NftElement{"fwd_in", IfNameKey{"br1"}, {}}};
  ExpectedNftObjects expected = ExpectedObjectsOf(plan);
  EXPECT_EQ(expected.chains,
            (std::vector<ExpectedNftChain>{{NFPROTO_INET, "virtnat", "forward", 2},
                                           {NFPROTO_INET, "virtnat", "br1_in", 1}}));
  EXPECT_EQ(expected.sets, (std::vector<ExpectedNftSet>{{NFPROTO_INET, "virtnat", "fwd_in", 1},
                                                        {NFPROTO_INET, "virtnat", "nat4", 0}}));

  NftInventory inventory;
  inventory.tables = {{NFPROTO_INET, "virtnat"}};
  inventory.chains = {
      NftChainInfo{NFPROTO_INET, "virtnat", "forward", true, 2, 0, false, false, 2}};
  inventory.sets = {NftSetInfo{NFPROTO_INET, "virtnat", "fwd_in", 0},
                    NftSetInfo{NFPROTO_INET, "virtnat", "nat4", 0}};
  EXPECT_EQ(DescribeMissing(expected, inventory),
            (std::vector<std::string>{"chain inet virtnat br1_in is missing",
                                      "set inet virtnat fwd_in has 0 of 1 elements"}));
  inventory.chains.push_back(
      NftChainInfo{NFPROTO_INET, "virtnat", "br1_in", false, 0, 0, false, false, 1});
  inventory.sets[0].elements = 1;
  EXPECT_TRUE(DescribeMissing(expected, inventory).empty());
  // An open network without forwards puts nothing into the kernel.
  EXPECT_TRUE(ExpectedObjectsOf(FirewallPlan{}).chains.empty());
}

}  // namespace
}  // namespace virtnat::driver
