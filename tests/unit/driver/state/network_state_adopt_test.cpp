// Re-adoption checks each status record against the host
// (network_state_adopt.h); the host is faked (fake_adoption_host.h).

#include "driver/state/network_state_adopt.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "driver/firewall/firewall_record.h"
#include "driver/firewall/nft_ruleset.h"
#include "tests/support/fake_adoption_host.h"

namespace virtnat::driver {
namespace {

InterfaceAddress Address(const char* ip, unsigned prefix) {
  return InterfaceAddress{*IpAddress::Parse(ip), prefix};
}

// A record as ReadRecordedNetwork leaves it when its definition parses and
// plans.
RecordedNetwork Recorded(StatusRecord record) {
  RecordedNetwork net;
  net.def = xml::NetworkDef{};
  net.def->name = record.name;
  net.plan = NetworkPlan{};
  net.plan->network = record.name;
  net.record = std::move(record);
  return net;
}

class AdoptTest : public ::testing::Test {
 protected:
  AdoptTest() { host_.addresses = {{"br1", {Address("fe80::1", 64), Address("10.0.0.1", 24)}}}; }

  static RecordedNetwork Record(const std::string& name, const std::string& bridge, pid_t pid) {
    StatusRecord r;
    r.name = name;
    r.live_xml = "<network/>";
    r.bridge = bridge;
    r.addresses = {Address("10.0.0.1", 24)};
    r.firewall = "chain " + bridge + "_in";
    r.dnsmasq = DnsmasqStatus{pid, 1, {"/usr/sbin/dnsmasq"}};
    return Recorded(std::move(r));
  }

  testing::FakeAdoptionHost host_;
};

TEST_F(AdoptTest, IntactNetworkIsAdoptedWithoutChanges) {
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_TRUE(report.cleaned_up.empty());
  EXPECT_TRUE(report.repairs.empty());
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(host_.calls,
            (std::vector<std::string>{"adopt host a", "ensure rules a", "adopt driver a"}));
}

TEST_F(AdoptTest, RecordedPortsGoToTheDriverWithTheNetwork) {
  RecordedNetwork net = Record("a", "br1", 100);
  net.record.ports = {"<networkport>1</networkport>", "<networkport>2</networkport>"};
  AdoptionReport report = AdoptRecordedNetworks({net}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"adopt host a", "ensure rules a",
                                                   "adopt driver a with 2 ports"}));
}

TEST_F(AdoptTest, GoneBridgeIsCleanedUpAndReportedByName) {
  RecordedNetwork good = Record("a", "br1", 100);
  RecordedNetwork gone = Record("b", "br2", 4242);  // its dnsmasq pid is not ours: left alone
  AdoptionReport report = AdoptRecordedNetworks({gone, good}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"b"});
  EXPECT_EQ(report.problems, std::vector<std::string>{
                                 "network 'b': its bridge 'br2' is gone; cleaning up what is left "
                                 "of it"});
  EXPECT_EQ(host_.calls,
            (std::vector<std::string>{"remove rules b", "remove record b", "adopt host a",
                                      "ensure rules a", "adopt driver a"}));
}

// A start an earlier daemon did not finish is torn down even though its
// bridge is there: the network never ran as far as the client knows.
TEST_F(AdoptTest, StartCutOffByACrashIsCleanedUp) {
  RecordedNetwork intent = Recorded(StartIntentRecord("a", "<network/>", "br1", "chain br1_in"));
  AdoptionReport report = AdoptRecordedNetworks({intent}, host_);
  EXPECT_TRUE(report.adopted.empty());
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': it was being started by an earlier daemon; "
                                     "cleaning up what is left of it"});
  EXPECT_EQ(host_.calls,
            (std::vector<std::string>{"remove rules a", "delete bridge br1", "remove record a"}));
}

// Even one whose definition no longer parses: the record says what to undo.
TEST_F(AdoptTest, StartCutOffByACrashIsCleanedUpWhateverItsDefinition) {
  RecordedNetwork intent = Recorded(StartIntentRecord("a", "<network/>", "br1", "chain br1_in"));
  intent.def.reset();
  intent.plan.reset();
  intent.unusable = InternalError("unparseable");
  AdoptionReport report = AdoptRecordedNetworks({intent}, host_);
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_TRUE(report.left_alone.empty());
  EXPECT_EQ(host_.calls,
            (std::vector<std::string>{"remove rules a", "delete bridge br1", "remove record a"}));
}

TEST_F(AdoptTest, NetworkTheDriverCannotTakeIsLeftAlone) {
  AdoptionReport report =
      AdoptRecordedNetworks({Record("a", "br1", 100), Record("taken", "br1", 100)}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.left_alone, std::vector<std::string>{"taken"});
  EXPECT_TRUE(report.cleaned_up.empty());
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'taken': cannot re-adopt it: internal error: name "
                                     "taken; left as it is, status record kept"});
  // Nothing of it was touched: no host call, no record removed.
  EXPECT_EQ(host_.calls,
            (std::vector<std::string>{"adopt host a", "ensure rules a", "adopt driver a"}));
}

// A live definition that does not parse is one the driver cannot take: the
// parser's error is reported and nothing is touched, as libvirt leaves a
// status file it cannot load.
TEST_F(AdoptTest, UnparseableDefinitionIsLeftAlone) {
  RecordedNetwork net = Record("a", "br1", 100);
  net.def.reset();
  net.plan.reset();
  net.unusable = InternalError("malformed uuid element");
  AdoptionReport report = AdoptRecordedNetworks({net}, host_);
  EXPECT_EQ(report.left_alone, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': cannot re-adopt it: internal error: malformed "
                                     "uuid element; left as it is, status record kept"});
  EXPECT_TRUE(host_.calls.empty());
}

// A definition the driver takes but that cannot be planned any more: the
// host side cannot be taken, so what the record names is torn down; the
// bridge's addresses were checked first, as for any other network.
TEST_F(AdoptTest, DefinitionThatCannotBePlannedIsCleanedUpFromTheRecord) {
  RecordedNetwork net = Record("a", "br1", 100);
  net.plan.reset();
  net.unusable = InternalError("no plan");
  host_.addresses["br1"] = {};
  AdoptionReport report = AdoptRecordedNetworks({net}, host_);
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': cannot take over: internal error: no plan; "
                                     "cleaning up what is left of it"});
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"add 10.0.0.1/24 to br1", "remove rules a",
                                                   "delete bridge br1", "remove record a"}));
}

TEST_F(AdoptTest, MissingAddressIsPutBack) {
  host_.addresses["br1"] = {Address("fe80::1", 64)};
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs, std::vector<std::string>{
                                "network 'a': address 10.0.0.1/24 was missing from bridge 'br1'; "
                                "restored"});
  EXPECT_EQ(host_.calls.front(), "add 10.0.0.1/24 to br1");
}

// Addresses compare as values: the same address with another prefix is
// another address; IPv6 ones are written compressed in the reports.
TEST_F(AdoptTest, AddressesCompareByAddressAndPrefix) {
  RecordedNetwork net = Record("a", "br1", 100);
  net.record.addresses = {Address("10.0.0.1", 24), Address("fd00:0150:0000::1", 64)};
  host_.addresses["br1"] = {Address("10.0.0.1", 16), Address("fd00:150::1", 64)};
  AdoptionReport report = AdoptRecordedNetworks({net}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs, std::vector<std::string>{
                                "network 'a': address 10.0.0.1/24 was missing from bridge 'br1'; "
                                "restored"});
  EXPECT_EQ(host_.calls.front(), "add 10.0.0.1/24 to br1");
}

TEST_F(AdoptTest, AddressThatCannotBePutBackTearsTheNetworkDown) {
  host_.addresses["br1"] = {};
  host_.add_address_status = InternalError("no");
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_TRUE(report.adopted.empty());
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': address 10.0.0.1/24 is missing from bridge "
                                     "'br1' and cannot be put back: internal error: no; cleaning "
                                     "up what is left of it"});
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"add 10.0.0.1/24 to br1", "remove rules a",
                                                   "delete bridge br1", "remove record a"}));
}

TEST_F(AdoptTest, DeadOrForeignDnsmasqGetsANewOneAndIsReported) {
  // pid 4242 is not the recorded dnsmasq any more (dead, or another program).
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 4242)}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': its recorded dnsmasq (pid 4242) is no longer "
                                     "running; now served by dnsmasq pid 777"});
  EXPECT_EQ(host_.calls[0], "adopt host a new dnsmasq");
}

TEST_F(AdoptTest, DeadDnsmasqThatCannotBeReplacedIsReported) {
  host_.dnsmasq_pid.reset();
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 4242)}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': its recorded dnsmasq (pid 4242) is no longer "
                                     "running; no dnsmasq runs"});
}

TEST_F(AdoptTest, MissingRulesPutBackAreReported) {
  host_.missing_rules = {"chain inet virtnat br1_in is missing"};
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': firewall rules were missing (chain inet "
                                     "virtnat br1_in is missing); restored"});
  // One line per network, however much was missing.
  host_.missing_rules = {
      "chain inet virtnat br1_in is missing", "set inet virtnat fwd_in is missing",
      "chain inet virtnat forward is missing", "the rules of network 'b' as well"};
  report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': firewall rules were missing (chain inet virtnat "
                                     "br1_in is missing, set inet virtnat fwd_in is missing, chain "
                                     "inet virtnat forward is missing and 1 more); restored"});
}

TEST_F(AdoptTest, HostSideThatCannotBeTakenIsCleanedUpFromTheRecord) {
  host_.adopt_host_status = InternalError("no plan");
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': cannot take over: internal error: no plan; "
                                     "cleaning up what is left of it"});
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"adopt host a", "remove rules a",
                                                   "delete bridge br1", "remove record a"}));
}

TEST_F(AdoptTest, RecordWithoutDnsmasqLetsTheHostSideFindOrStartOne) {
  RecordedNetwork r = Record("a", "br1", 100);
  r.record.dnsmasq.reset();
  AdoptionReport report = AdoptRecordedNetworks({r}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(host_.calls[0], "adopt host a new dnsmasq");
  EXPECT_EQ(report.repairs,
            std::vector<std::string>{"network 'a': no dnsmasq was recorded; now served by dnsmasq "
                                     "pid 777"});
  // A network without dnsmasq before and after: nothing to report.
  host_.dnsmasq_pid.reset();
  report = AdoptRecordedNetworks({r}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"a"});
  EXPECT_TRUE(report.repairs.empty());
}

// Forward modes bridge, macvtap, hostdev: no bridge of its own to find.
TEST_F(AdoptTest, ExternalNetworkWithoutABridgeIsAdopted) {
  StatusRecord r;
  r.name = "mv";
  r.live_xml = "<network/>";
  RecordedNetwork net = Recorded(std::move(r));
  net.plan->external = true;
  host_.dnsmasq_pid.reset();
  AdoptionReport report = AdoptRecordedNetworks({net}, host_);
  EXPECT_EQ(report.adopted, std::vector<std::string>{"mv"});
  EXPECT_TRUE(report.problems.empty());
  EXPECT_TRUE(report.cleaned_up.empty());
  // The same record of a network with a bridge of its own is a gone bridge.
  net.plan->external = false;
  report = AdoptRecordedNetworks({net}, host_);
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"mv"});
}

TEST_F(AdoptTest, RulesThatCannotBeRestoredReleaseTheHostSide) {
  host_.ensure_rules_status = InternalError("table busy");
  AdoptionReport report = AdoptRecordedNetworks({Record("a", "br1", 100)}, host_);
  EXPECT_TRUE(report.adopted.empty());
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"a"});
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"network 'a': cannot take over: internal error: table busy; "
                                     "cleaning up what is left of it"});
  // Torn down through the realizer that took it over, not from the record.
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"adopt host a", "ensure rules a",
                                                   "release host a", "remove record a"}));
}

TEST_F(AdoptTest, RecordThatCannotBeRemovedIsReported) {
  host_.remove_record_status = InternalError("read-only file system");
  AdoptionReport report = AdoptRecordedNetworks({Record("b", "br2", 4242)}, host_);
  EXPECT_EQ(report.cleaned_up, std::vector<std::string>{"b"});
  EXPECT_EQ(report.problems,
            (std::vector<std::string>{
                "network 'b': its bridge 'br2' is gone; cleaning up what is left of it",
                "network 'b': internal error: read-only file system"}));
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
