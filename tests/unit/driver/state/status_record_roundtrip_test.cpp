// A status record holds everything needed to re-adopt a running network or
// tear it down exactly: written for a real NAT network with a port forward
// and read back, it gives the same live definition (port forward included),
// the same firewall objects (the forward's map element included), the
// bridge's addresses and dnsmasq's files.

#include <gtest/gtest.h>
#include <unistd.h>

#include "driver/firewall/firewall_record.h"
#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/realize/network_plan.h"
#include "driver/state/network_state.h"
#include "driver/state/status_record.h"
#include "driver/store/definition_store.h"

namespace virtnat::driver {
namespace {

constexpr const char* kNetwork = R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>pf</name>
  <uuid>5a0c2f7e-3b1d-4c8e-9f20-7d41c2b9e801</uuid>
  <forward mode='nat'/>
  <bridge name='vnpf0'/>
  <ip address='192.168.150.1' prefix='24'>
    <dhcp>
      <range start='192.168.150.10' end='192.168.150.99'/>
      <host mac='52:54:00:15:00:01' name='web' ip='192.168.150.5'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:150::1' prefix='64'/>
  <vn:portForward guest='192.168.150.5'>
    <vn:range start='8080' to='80'/>
    <vn:range start='5353' protocol='udp'/>
  </vn:portForward>
</network>
)";

class StatusRecordRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<NetworkRef> net = driver_.CreateXml(kNetwork, 0);
    ASSERT_TRUE(net.ok()) << net.status().message();
    net_ = *net;
    Result<std::string> live = driver_.GetXmlDesc(net_, 0);
    ASSERT_TRUE(live.ok());
    live_ = *live;
    Result<xml::NetworkDef> def = codec_.Parse(live_, false);
    ASSERT_TRUE(def.ok());
    NetworkPlanFacts paths;
    paths.state_dir = "/var/lib/virtnat/dnsmasq";
    paths.run_dir = "/run/virtnat/dnsmasq";
    Result<NetworkPlan> plan = PlanNetwork(*def, paths);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    plan_ = *plan;
  }

  XmlCodec codec_;
  NullRealizer realizer_;
  MemoryStore store_;
  NetworkObjects driver_{codec_, realizer_, store_};
  NetworkRef net_;
  std::string live_;
  NetworkPlan plan_;
};

TEST_F(StatusRecordRoundTripTest, HoldsWhatTeardownAndReAdoptionNeed) {
  RunningFacts facts;
  facts.bridge = plan_.bridge.name;
  facts.addresses = plan_.addresses;
  facts.firewall = FormatFirewallRecord(plan_.firewall.rules);
  facts.dnsmasq_pid = getpid();
  facts.files = {plan_.dnsmasq_paths.conf_file, plan_.dnsmasq_paths.hosts_file,
                 plan_.dnsmasq_paths.addn_hosts_file, plan_.dnsmasq_paths.pid_file};
  Result<StatusRecord> record = BuildStatusRecord("pf", live_, facts);
  ASSERT_TRUE(record.ok()) << record.status().message();
  Result<std::string> text = FormatStatusRecord(*record);
  ASSERT_TRUE(text.ok()) << text.status().message();
  Result<StatusRecord> back = ParseStatusRecord(*text, "pf.status");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, *record);

  EXPECT_EQ(back->bridge, "vnpf0");
  EXPECT_EQ(back->addresses,
            (std::vector<InterfaceAddress>{{*IpAddress::Parse("192.168.150.1"), 24},
                                           {*IpAddress::Parse("fd00:150::1"), 64}}));
  EXPECT_EQ(back->files,
            (std::vector<std::string>{
                "/var/lib/virtnat/dnsmasq/pf.conf", "/var/lib/virtnat/dnsmasq/pf.hostsfile",
                "/var/lib/virtnat/dnsmasq/pf.addnhosts", "/run/virtnat/dnsmasq/pf.pid"}));

  // The live definition: the port forward is in it, and a fresh driver that
  // adopts it prints it byte for byte.
  Result<xml::NetworkDef> def = codec_.Parse(back->live_xml, false);
  ASSERT_TRUE(def.ok());
  ASSERT_EQ(def->port_forwards.size(), 1u);
  EXPECT_EQ(def->port_forwards[0].ranges.size(), 2u);
  NullRealizer realizer;
  MemoryStore store;
  NetworkObjects restarted(codec_, realizer, store);
  ASSERT_TRUE(restarted.AdoptRunning(back->live_xml).ok());
  Result<NetworkRef> again = restarted.LookupByName("pf");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*restarted.GetXmlDesc(*again, 0), live_);
  EXPECT_TRUE(*restarted.IsActive(*again));

  // The firewall objects: every map element (the forward's ports among
  // them) and every chain name come back; chains without their rules.
  Result<NftNetworkRules> rules = ParseFirewallRecord(back->firewall);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_EQ(rules->elements, plan_.firewall.rules->elements);
  ASSERT_EQ(rules->chains.size(), plan_.firewall.rules->chains.size());
  for (size_t i = 0; i < rules->chains.size(); ++i) {
    EXPECT_EQ(rules->chains[i].name, plan_.firewall.rules->chains[i].name);
  }
  size_t port_elements = 0;
  for (const NftElement& e : rules->elements) {
    if (std::holds_alternative<ProtoPortsKey>(e.key)) ++port_elements;
  }
  EXPECT_EQ(port_elements, 2u);
}

}  // namespace
}  // namespace virtnat::driver
