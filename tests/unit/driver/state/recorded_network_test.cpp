// A status record is read once into a RecordedNetwork (recorded_network.h),
// and start-up adoption (network_state_adopt.h AdoptOrCleanUp) works from
// that one value: one parse and one plan per record, whatever happens next.

#include "driver/state/recorded_network.h"

#include <gtest/gtest.h>
#include <libvirt/virterror.h>

#include "driver/firewall/firewall_record.h"
#include "driver/objects/xml_codec.h"
#include "driver/state/network_state_adopt.h"
#include "tests/support/fake_adoption_host.h"

namespace virtnat::driver {
namespace {

constexpr const char* kNat = R"(<network>
  <name>nat</name>
  <uuid>5a0c2f7e-3b1d-4c8e-9f20-7d41c2b9e811</uuid>
  <forward mode='nat'/>
  <bridge name='br1'/>
  <ip address='10.0.0.1' prefix='24'>
    <dhcp><range start='10.0.0.10' end='10.0.0.99'/></dhcp>
  </ip>
</network>
)";

// The real codec, counting its parses.
class CountingCodec final : public XmlCodec {
 public:
  Result<xml::NetworkDef> Parse(std::string_view text, bool validate_schema) override {
    ++parses;
    return XmlCodec::Parse(text, validate_schema);
  }
  int parses = 0;
};

NetworkPlanFacts Facts() {
  NetworkPlanFacts facts;
  facts.state_dir = "/var/lib/virtnat/dnsmasq";
  facts.run_dir = "/run/virtnat/dnsmasq";
  return facts;
}

// The record a running kNat-like network leaves: its plan's addresses and
// firewall objects.
StatusRecord RecordOf(const std::string& xml, const std::string& name, pid_t dnsmasq) {
  XmlCodec codec;
  Result<xml::NetworkDef> def = codec.Parse(xml, false);
  EXPECT_TRUE(def.ok());
  Result<NetworkPlan> plan = PlanNetwork(*def, Facts());
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  StatusRecord record;
  record.name = name;
  record.live_xml = xml;
  record.bridge = plan->bridge.name;
  record.addresses = plan->addresses;
  record.firewall = FormatFirewallRecord(plan->firewall.rules);
  record.dnsmasq = DnsmasqStatus{dnsmasq, 1, {"/usr/sbin/dnsmasq"}};
  return record;
}

TEST(RecordedNetworkTest, ParsesAndPlansOnce) {
  CountingCodec codec;
  RecordedNetwork net = ReadRecordedNetwork(RecordOf(kNat, "nat", 100), codec, Facts());
  EXPECT_EQ(codec.parses, 1);
  EXPECT_TRUE(net.unusable.ok());
  ASSERT_TRUE(net.def && net.plan);
  EXPECT_EQ(net.def->name, "nat");
  EXPECT_EQ(net.plan->bridge.name, "br1");
  EXPECT_EQ(net.plan->addresses, net.record.addresses);
  // Planned with the facts given: the realizer's dnsmasq directories.
  EXPECT_EQ(net.plan->dnsmasq_paths.conf_file, "/var/lib/virtnat/dnsmasq/nat.conf");
  EXPECT_EQ(net.plan->dnsmasq_paths.pid_file, "/run/virtnat/dnsmasq/nat.pid");
  ASSERT_TRUE(net.recorded_rules);
  EXPECT_TRUE(net.rules_unreadable.ok());
  EXPECT_TRUE(SameFirewallObjects(*net.recorded_rules, net.plan->firewall.rules));
  // Chains come back from the record without their rules.
  ASSERT_FALSE(net.recorded_rules->chains.empty());
  EXPECT_TRUE(net.recorded_rules->chains[0].rules.empty());
}

TEST(RecordedNetworkTest, SaysWhatCannotBeRead) {
  CountingCodec codec;
  StatusRecord record = RecordOf(kNat, "nat", 100);
  record.live_xml = "<network><name>nat</name><uuid>bogus</uuid></network>";
  record.firewall = "chain br1_in\nnonsense";
  RecordedNetwork net = ReadRecordedNetwork(record, codec, Facts());
  EXPECT_FALSE(net.def);
  EXPECT_FALSE(net.plan);
  EXPECT_FALSE(net.unusable.ok());
  EXPECT_EQ(net.unusable.message(), codec.Parse(record.live_xml, false).status().message());
  EXPECT_FALSE(net.recorded_rules);
  EXPECT_EQ(net.rules_unreadable.message(),
            ParseFirewallRecord(record.firewall).status().message());

  // A definition that parses but cannot be planned (VLAN filtering of a
  // host bridge is not realized).
  record.live_xml =
      "<network><name>nat</name><uuid>5a0c2f7e-3b1d-4c8e-9f20-7d41c2b9e811</uuid>"
      "<forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/></network>";
  record.firewall.clear();
  net = ReadRecordedNetwork(record, codec, Facts());
  ASSERT_TRUE(net.def);
  EXPECT_FALSE(net.plan);
  EXPECT_EQ(net.unusable.error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_FALSE(net.recorded_rules);
  EXPECT_TRUE(net.rules_unreadable.ok());
}

class AdoptOrCleanUpTest : public ::testing::Test {
 protected:
  CountingCodec codec_;
  testing::FakeAdoptionHost host_;
};

TEST_F(AdoptOrCleanUpTest, UnreadableRecordsAreOneWarning) {
  AdoptOrCleanUp(Result<LoadedStatus>(InternalError("cannot open '/run/virtnat'")), codec_, Facts(),
                 host_);
  EXPECT_EQ(host_.log, std::vector<std::string>{"warning: cannot read status records: internal "
                                                "error: cannot open '/run/virtnat'"});
  EXPECT_TRUE(host_.calls.empty());
}

// Every record parsed once; the firewall takes every readable record's
// rules before anything is adopted or torn down; adopted networks get
// their records rewritten; a network torn down is forgotten unless the
// driver knows it. Messages come in the daemon's order: skipped records,
// adoptions, repairs, problems.
TEST_F(AdoptOrCleanUpTest, AdoptsCleansUpAndLogsInOrder) {
  host_.addresses["br1"] = {};
  host_.known_networks = {"kept"};
  LoadedStatus loaded;
  loaded.problems = {"/run/virtnat/cut.status: malformed"};
  std::string gone_xml = kNat;
  gone_xml.replace(gone_xml.find("br1"), 3, "br2");
  std::string kept_xml = gone_xml;
  kept_xml.replace(kept_xml.find("e811"), 4, "e812");
  loaded.records = {RecordOf(gone_xml, "gone", 4242), RecordOf(kNat, "nat", 100),
                    RecordOf(kept_xml, "kept", 4242)};
  loaded.records[2].bridge = "br3";
  AdoptOrCleanUp(loaded, codec_, Facts(), host_);
  EXPECT_EQ(codec_.parses, 3);
  EXPECT_EQ(host_.calls,
            (std::vector<std::string>{
                "take rules of [gone nat kept]", "remove rules gone", "remove record gone",
                "add 10.0.0.1/24 to br1", "adopt host nat", "ensure rules nat", "adopt driver nat",
                "remove rules kept", "remove record kept", "rewrite record nat", "forget gone"}));
  EXPECT_EQ(host_.log,
            (std::vector<std::string>{
                "warning: skipped a status record: /run/virtnat/cut.status: malformed",
                "info: network 'nat' left running by an earlier daemon re-adopted",
                "warning: network 'nat': address 10.0.0.1/24 was missing from bridge 'br1'; "
                "restored",
                "warning: network 'gone': its bridge 'br2' is gone; cleaning up what is left of it",
                "warning: network 'kept': its bridge 'br3' is gone; cleaning up what is left of "
                "it"}));
}

TEST_F(AdoptOrCleanUpTest, ForgetFailuresAreWarnings) {
  host_.bridges.clear();
  host_.forget_status = InternalError("cannot remove 'nat.leases'");
  LoadedStatus loaded;
  loaded.records = {RecordOf(kNat, "nat", 4242)};
  AdoptOrCleanUp(loaded, codec_, Facts(), host_);
  EXPECT_EQ(host_.log.back(), "warning: internal error: cannot remove 'nat.leases'");
}

}  // namespace
}  // namespace virtnat::driver
