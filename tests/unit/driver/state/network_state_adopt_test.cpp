// Re-adoption checks each status record against the host
// (network_state_adopt.h); the host is faked through the hooks.

#include "driver/state/network_state_adopt.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "driver/firewall/nft_ruleset.h"

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
    hooks_.check_driver = [this](const StatusRecord& r) {
      return r.name == "taken" ? Status(InternalError("name taken")) : Status::Ok();
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

// A start an earlier daemon did not finish is torn down even though its
// bridge is there: the network never ran as far as the client knows.
TEST_F(AdoptTest, StartCutOffByACrashIsCleanedUp) {
  StatusRecord intent = StartIntentRecord("a", "<network/>", "br1", "chain br1_in");
  AdoptionReport report = AdoptRecordedNetworks({intent}, hooks_);
  EXPECT_TRUE(report.adopted.empty());
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': it was being started by an earlier daemon; "
                                     "cleaning up what is left of it"});
  EXPECT_EQ(calls_,
            (std::vector<std::string>{"remove rules a", "delete bridge br1", "remove record a"}));
}

TEST_F(AdoptTest, NetworkTheDriverCannotTakeIsLeftAlone) {
  AdoptionReport report =
      AdoptRecordedNetworks({Record("a", "br1", 100), Record("taken", "br1", 100)}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.left_alone, std::vector<std::string>{"taken"});
  EXPECT_TRUE(report.cleaned_up.empty());
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'taken': cannot re-adopt it: internal error: name "
                                     "taken; left as it is, status record kept"});
  // Nothing of it was touched: no host call, no record removed.
  EXPECT_EQ(calls_, (std::vector<std::string>{"adopt host a", "ensure rules a", "adopt driver a"}));
}

TEST_F(AdoptTest, MissingAddressIsPutBack) {
  addresses_["br1"] = {"fe80::1/64"};
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs, std::vector<std::string>{
                                "network 'a': address 10.0.0.1/24 was missing from bridge 'br1'; "
                                "restored"});
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
                                     "virtnat br1_in is missing); restored"});
  // One line per network, however much was missing.
  missing_rules_ = {"chain inet virtnat br1_in is missing", "set inet virtnat fwd_in is missing",
                    "chain inet virtnat forward is missing", "the rules of network 'b' as well"};
  report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': firewall rules were missing (chain inet virtnat "
                                     "br1_in is missing, set inet virtnat fwd_in is missing, chain "
                                     "inet virtnat forward is missing and 1 more); restored"});
}

TEST_F(AdoptTest, HostSideThatCannotBeTakenIsCleanedUpFromTheRecord) {
  hooks_.adopt_host = [this](const StatusRecord& r, bool) -> Status {
    calls_.push_back("adopt host " + r.name);
    return InternalError("no plan");
  };
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, hooks_);
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': cannot take over: internal error: no plan; "
                                     "cleaning up what is left of it"});
  EXPECT_EQ(calls_, (std::vector<std::string>{"adopt host a", "remove rules a", "delete bridge br1",
                                              "remove record a"}));
}

TEST_F(AdoptTest, RecordWithoutDnsmasqLetsTheHostSideFindOrStartOne) {
  StatusRecord r = Record("a", "br1", 100);
  r.dnsmasq.reset();
  AdoptionReport report = AdoptRecordedNetworks({r}, hooks_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(calls_[0], "adopt host a new dnsmasq");
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': no dnsmasq was recorded; now served by dnsmasq "
                                     "pid 777"});
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

TEST(SameFirewallObjectsTest, ComparesChainNamesAndElementsNotRules) {
  NftNetworkRules planned;
  planned.chains = {NftChain{"br1_in", ChainHook::kNone, false, 0, {NftRule{}, NftRule{}}}};
  planned.elements = {NftElement{"fwd_in", IfNameKey{"br1"}, {}}};
  NftNetworkRules recorded = planned;
  recorded.chains[0].rules.clear();  // a record names chains only
  EXPECT_TRUE(SameFirewallObjects(recorded, planned));
  recorded.chains[0].name = "br2_in";
  EXPECT_FALSE(SameFirewallObjects(recorded, planned));
  recorded = planned;
  recorded.elements.push_back(NftElement{"fwd_out", IfNameKey{"br1"}, {}});
  EXPECT_FALSE(SameFirewallObjects(recorded, planned));
  recorded = planned;
  recorded.chains.push_back(NftChain{"br1_out", ChainHook::kNone, false, 0, {}});
  EXPECT_FALSE(SameFirewallObjects(recorded, planned));
}

}  // namespace
}  // namespace virtnat::driver
