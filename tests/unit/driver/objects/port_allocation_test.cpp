// What a network puts into a new port (libvirt 9.0's networkAllocatePort:
// the merged settings, then the plug of driver/ports), the RECLAIM rules of
// networkPortCreateXML and networkNotifyPort's checks, with libvirt's error
// texts; then the same through NetworkObjects (flags,
// connections, the live-change hook that rewrites the status record, and
// ports taken back after a restart).

#include "driver/objects/port_allocation.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "xml/network_parse.h"

namespace virtnat::driver {
namespace {

xml::NetworkDef Net(const std::string& body, const std::string& attrs = "") {
  Result<xml::NetworkDef> def = xml::ParseNetworkXml(
      "<network" + attrs + "><name>n</name><uuid>11111111-2222-3333-4444-555555555501</uuid>" +
      "<bridge name='virbr9'/>" + body + "</network>");
  EXPECT_TRUE(def.ok()) << def.error().message;
  return def.ok() ? *def : xml::NetworkDef{};
}

std::string PortXml(const std::string& body = "", char n = '1') {
  return std::string("<networkport><uuid>a1a1a1a1-0000-4000-8000-00000000000") + n +
         "</uuid><owner><name>vm</name><uuid>a1a1a1a1-0000-4000-8000-000000000000</uuid>"
         "</owner><mac address='52:54:00:a1:00:0" +
         n + "'/>" + body + "</networkport>";
}

PortDef Port(const std::string& body = "") { return *ParsePortXml(PortXml(body)); }

// networkAllocatePort's plug for a port with no others on the network.
Status Plug(const xml::NetworkDef& net, PortDef& port) {
  ASSIGN_OR_RETURN(port.plug, AllocatePlug(net, {}, port.virtualport));
  return Status::Ok();
}

void Counter(uint8_t* out, size_t len) {
  for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(i);
}

TEST(PortAllocationTest, SettingsComeFromThePortgroupThenTheNetwork) {
  xml::NetworkDef net =
      Net("<port isolated='yes'/><vlan><tag id='7'/></vlan>"
          "<portgroup name='web' trustGuestRxFilters='no'><vlan><tag id='42'/></vlan>"
          "<bandwidth><inbound average='100'/></bandwidth></portgroup>"
          "<portgroup name='dflt' default='yes'><bandwidth><outbound average='5'/></bandwidth>"
          "</portgroup>",
          " trustGuestRxFilters='yes'");
  PortDef web = Port("<group>web</group>");
  ASSERT_TRUE(MergePortSettings(net, web).ok());
  ASSERT_TRUE(web.bandwidth && web.bandwidth->inbound);
  EXPECT_EQ(web.bandwidth->inbound->average, 100u);
  ASSERT_TRUE(web.vlan);
  EXPECT_EQ(web.vlan->tags[0].id, 42u);
  EXPECT_EQ(web.trust_guest_rx_filters, xml::TriState::kNo);
  EXPECT_EQ(web.isolated, xml::TriState::kYes);

  // No group: the default portgroup's bandwidth, the network's vlan and
  // rx filter trust; a port's own settings win.
  PortDef plain = Port("<port isolated='no'/><rxfilters trustGuest='no'/>");
  ASSERT_TRUE(MergePortSettings(net, plain).ok());
  ASSERT_TRUE(plain.bandwidth && plain.bandwidth->outbound);
  EXPECT_EQ(plain.vlan->tags[0].id, 7u);
  EXPECT_EQ(plain.trust_guest_rx_filters, xml::TriState::kNo);
  EXPECT_EQ(plain.isolated, xml::TriState::kNo);

  ASSERT_TRUE(Plug(net, plain).ok());
  EXPECT_EQ(FormatPortXml(plain),
            "<networkport>\n"
            "  <uuid>a1a1a1a1-0000-4000-8000-000000000001</uuid>\n"
            "  <owner>\n"
            "    <name>vm</name>\n"
            "    <uuid>a1a1a1a1-0000-4000-8000-000000000000</uuid>\n"
            "  </owner>\n"
            "  <mac address='52:54:00:a1:00:01'/>\n"
            "  <bandwidth>\n"
            "    <outbound average='5'/>\n"
            "  </bandwidth>\n"
            "  <vlan>\n"
            "    <tag id='7'/>\n"
            "  </vlan>\n"
            "  <port isolated='no'/>\n"
            "  <rxfilters trustGuest='no'/>\n"
            "  <plug type='network' bridge='virbr9'/>\n"
            "</networkport>\n");
}

TEST(PortAllocationTest, PlugCarriesTheMacTableManager) {
  xml::NetworkDef net = Net("");
  net.bridge.mac_table_manager = xml::MacTableManager::kLibvirt;
  PortDef port = Port();
  ASSERT_TRUE(Plug(net, port).ok());
  EXPECT_NE(FormatPortXml(port).find("<plug type='network' bridge='virbr9' "
                                     "macTableManager='libvirt'/>"),
            std::string::npos);
}

TEST(PortAllocationTest, VirtualportsMergeAndAreRefusedOnIpForwarding) {
  xml::NetworkDef net =
      Net("<virtualport type='openvswitch'/>"
          "<portgroup name='a'><virtualport type='openvswitch'><parameters profileid='p1'/>"
          "</virtualport></portgroup>"
          "<portgroup name='b'><virtualport type='802.1Qbh'/></portgroup>");
  PortDef a = Port("<group>a</group><virtualport><parameters profileid='p2'/></virtualport>");
  Status st = MergePortSettings(net, a);
  EXPECT_EQ(st.message(),
            "XML error: attempt to merge virtualports with mismatched profileids ('p2' and 'p1')");
  PortDef b = Port("<group>b</group>");
  EXPECT_EQ(MergePortSettings(net, b).message(),
            "XML error: attempt to merge virtualports with mismatched types (openvswitch and "
            "802.1Qbh)");
  PortDef ok = Port("<group>a</group>");
  ASSERT_TRUE(MergePortSettings(net, ok).ok());
  ASSERT_TRUE(ok.virtualport);
  EXPECT_EQ(ok.virtualport->profile_id, "p1");
  // The network has IP forwarding (isolated: none), where libvirt refuses
  // any virtualport.
  Status plug = Plug(net, ok);
  EXPECT_EQ(plug.code(), VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_EQ(plug.message(),
            "unsupported configuration: <virtualport type='openvswitch'> not supported for "
            "network 'n' which uses IP forwarding");
  // A missing openvswitch interfaceid is generated.
  ASSERT_TRUE(CompleteVirtualPort(ok, Counter).ok());
  EXPECT_EQ(ok.virtualport->interface_id, "00010203-0405-4607-8809-0a0b0c0d0e0f");
  PortDef qbh = Port("<virtualport type='802.1Qbh'/>");
  EXPECT_EQ(CompleteVirtualPort(qbh, Counter).message(),
            "XML error: missing profileid in <virtualport type='802.1Qbh'>");
}

TEST(PortAllocationTest, ReclaimRules) {
  PortDef none = Port();
  PortDef plugged = Port("<plug type='network' bridge='virbr9'/>");
  EXPECT_TRUE(CheckReclaimFlag(none, false).ok());
  EXPECT_TRUE(CheckReclaimFlag(plugged, true).ok());
  Status st = CheckReclaimFlag(none, true);
  EXPECT_EQ(st.code(), VIR_ERR_INVALID_ARG);
  EXPECT_EQ(st.message(), "invalid argument: Port reclaim requested but plug type is none");
  EXPECT_EQ(CheckReclaimFlag(plugged, false).message(),
            "invalid argument: Port reclaim not requested but plug type is not none");

  xml::NetworkDef net = Net("");
  EXPECT_TRUE(ConfirmPlug(net, {}, plugged.plug, plugged.virtualport, "u").ok());
  net.bridge.name.clear();
  EXPECT_EQ(ConfirmPlug(net, {}, plugged.plug, plugged.virtualport, "u").message(),
            "internal error: Unexpectedly got a network port without a network bridge");
  PortDef direct = Port("<plug type='direct' dev='eth1' mode='bridge'/>");
  EXPECT_EQ(ConfirmPlug(net, {}, direct.plug, direct.virtualport, "u").message(),
            "internal error: network 'n' doesn't have dev='eth1' in use by network port 'u'");
}

// Through the object layer, with the real codec.
class PortObjectsTest : public testing::Test {
 protected:
  PortObjectsTest() {
    driver_.SetLiveChangeHook([this](const NetworkRef& net) { changes_.push_back(net.name); });
    driver_.SetRandomSource(Counter);
    Result<NetworkRef> net = driver_.CreateXml(
        "<network><name>n</name><uuid>11111111-2222-3333-4444-555555555501</uuid>"
        "<bridge name='virbr9'/><port isolated='yes'/></network>",
        0);
    EXPECT_TRUE(net.ok()) << net.error().message;
    net_ = *net;
  }
  std::string Live() { return *driver_.GetXmlDesc(net_, 0); }

  XmlCodec codec_;
  NullRealizer realizer_;
  MemoryStore store_;
  NetworkObjects driver_{codec_, realizer_, store_};
  NetworkRef net_;
  std::vector<std::string> changes_;
};

TEST_F(PortObjectsTest, CreateFillsThePortAndCountsConnections) {
  Result<PortRef> a = driver_.PortCreateXml(net_, PortXml("", '1'), 0);
  ASSERT_TRUE(a.ok()) << a.error().message;
  Result<PortRef> b = driver_.PortCreateXml(net_, PortXml("", '2'), 0);
  ASSERT_TRUE(b.ok());
  std::string xml = *driver_.PortGetXmlDesc(*a, 0);
  EXPECT_NE(xml.find("  <port isolated='yes'/>\n  <plug type='network' bridge='virbr9'/>\n"),
            std::string::npos)
      << xml;
  EXPECT_EQ(Live().substr(0, 26), "<network connections='2'>\n");
  EXPECT_EQ(changes_, (std::vector<std::string>{"n", "n"}));
  ASSERT_TRUE(driver_.PortDelete(*a, 0).ok());
  EXPECT_EQ(Live().substr(0, 26), "<network connections='1'>\n");
  EXPECT_EQ(changes_.size(), 3u);
}

TEST_F(PortObjectsTest, FlagsFollowLibvirt) {
  Result<PortRef> r = driver_.PortCreateXml(net_, PortXml(), VIR_NETWORK_PORT_CREATE_RECLAIM);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid argument: Port reclaim requested but plug type is none");
  r = driver_.PortCreateXml(net_, PortXml("<plug type='network' bridge='virbr9'/>"), 0);
  EXPECT_EQ(r.error().message,
            "invalid argument: Port reclaim not requested but plug type is not none");
  r = driver_.PortCreateXml(net_, PortXml("<bogus/>"), VIR_NETWORK_PORT_CREATE_VALIDATE);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, VIR_ERR_XML_INVALID_SCHEMA);
  EXPECT_TRUE(changes_.empty());
  // A floor needs the network's <inbound> (libvirt's networkCheckBandwidth).
  r = driver_.PortCreateXml(net_,
                            PortXml("<bandwidth classID='3'><inbound average='1' floor='1'/>"
                                    "</bandwidth><plug type='network' bridge='virbr9'/>"),
                            VIR_NETWORK_PORT_CREATE_RECLAIM);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, VIR_ERR_OPERATION_UNSUPPORTED);
  // A reclaimed port comes back exactly as given, and counts.
  const std::string reclaimed = PortXml(
      "<bandwidth classID='3'><inbound average='1'/></bandwidth>"
      "<plug type='network' bridge='virbr9' macTableManager='kernel'/>");
  r = driver_.PortCreateXml(net_, reclaimed,
                            VIR_NETWORK_PORT_CREATE_RECLAIM | VIR_NETWORK_PORT_CREATE_VALIDATE);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*driver_.PortGetXmlDesc(*r, 0), FormatPortXml(*ParsePortXml(reclaimed)));
  EXPECT_EQ(Live().substr(0, 26), "<network connections='1'>\n");
}

TEST_F(PortObjectsTest, RecordedPortsAreTakenBack) {
  Result<PortRef> a = driver_.PortCreateXml(net_, PortXml("", '1'), 0);
  ASSERT_TRUE(a.ok());
  const std::string xml = *driver_.PortGetXmlDesc(*a, 0);
  ASSERT_TRUE(driver_.PortDelete(*a, 0).ok());
  std::vector<std::string> problems = driver_.AdoptPorts(
      net_, {xml, "<networkport/>", PortXml("<plug type='direct' dev='e'/>", '3')});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0],
            "network 'n': a recorded port is unreadable: internal error: network port has no uuid");
  EXPECT_EQ(Live().substr(0, 26), "<network connections='1'>\n");
  EXPECT_EQ(*driver_.PortGetXmlDesc(*a, 0), xml);
  EXPECT_TRUE(driver_.PortDelete(*a, 0).ok());
}

// Class ids as libvirt's classIdMap: a recorded port keeps its own while no
// other holds it, else (and a floor without one) the lowest free from 3.
TEST_F(PortObjectsTest, RecordedFloorsKeepOrGetTheLowestFreeClassId) {
  const std::string plug = "<plug type='network' bridge='virbr9'/>";
  auto floor = [&](const char* class_id, char n) {
    return PortXml(std::string("<bandwidth") + class_id +
                       "><inbound average='1' floor='1'/></bandwidth>" + plug,
                   n);
  };
  std::vector<std::string> problems = driver_.AdoptPorts(
      net_, {floor(" classID='4'", '1'), floor(" classID='4'", '2'), floor("", '3')});
  EXPECT_TRUE(problems.empty());
  std::vector<std::string> ids;
  Result<std::vector<PortRef>> ports = driver_.ListAllPorts(net_, 0);
  ASSERT_TRUE(ports.ok());
  for (const PortRef& p : *ports) {
    const std::string xml = *driver_.PortGetXmlDesc(p, 0);
    const size_t at = xml.find("classID='");
    ASSERT_NE(at, std::string::npos) << xml;
    ids.push_back(xml.substr(at + 9, 1));
  }
  // Ports list by uuid: ...1 keeps 4, ...2 gets 3, ...3 gets 5.
  EXPECT_EQ(ids, (std::vector<std::string>{"4", "3", "5"}));
}

}  // namespace
}  // namespace virtnat::driver
