// Networks of forward modes bridge, macvtap and hostdev on the object layer
// with the real XML codec: start, ports and their plugs, per-device
// connection counts in the live XML, a <pf>'s pool from the realizer.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/store/definition_store.h"
#include "tests/support/fake_hook_runner.h"

namespace virtnat::driver {
namespace {

// A host whose PF eth0 has three VFs, the second without a network device.
class SriovRealizer : public NullRealizer {
 public:
  Result<std::vector<VirtualFunction>> VirtualFunctions(const std::string& pf) override {
    if (pf != "eth0") return std::vector<VirtualFunction>{};
    return std::vector<VirtualFunction>{
        {{0, 3, 0x10, 0}, "eth0v0"}, {{0, 3, 0x10, 2}, ""}, {{0, 3, 0x10, 4}, "eth0v2"}};
  }
};

std::string PortXml(int n) {
  std::string id = std::to_string(10 + n);
  return "<networkport><uuid>a1a1a1a1-0000-4000-8000-0000000000" + id + "</uuid><owner><name>vm" +
         id +
         "</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>"
         "<mac address='52:54:00:a1:00:" +
         id + "'/></networkport>";
}

class NetworkObjectsModesTest : public ::testing::Test {
 protected:
  NetworkRef Start(const std::string& name, const std::string& body) {
    auto net = driver_.DefineXml("<network><name>" + name + "</name>" + body + "</network>", 0);
    EXPECT_TRUE(net.ok()) << net.error().message;
    if (!net.ok()) return {};
    Status started = driver_.Create(*net);
    EXPECT_TRUE(started.ok()) << started.message();
    return *net;
  }
  // The port's <plug> line(s), or the error.
  std::string Plug(const NetworkRef& net, int n) {
    Result<PortRef> port = driver_.PortCreateXml(net, PortXml(n), 0);
    if (!port.ok()) return port.error().message;
    std::string xml = *driver_.PortGetXmlDesc(*port, 0);
    return xml.substr(xml.find("  <plug"), xml.find("</networkport>") - xml.find("  <plug"));
  }
  std::string Live(const NetworkRef& net) { return *driver_.GetXmlDesc(net, 0); }

  XmlCodec codec_;
  SriovRealizer realizer_;
  MemoryStore store_;
  NetworkObjects driver_{codec_, realizer_, store_};
};

TEST_F(NetworkObjectsModesTest, HostBridgePortsGetABridgePlug) {
  NetworkRef net = Start("host-br", "<forward mode='bridge'/><bridge name='br0'/>");
  EXPECT_EQ(Plug(net, 1), "  <plug type='bridge' bridge='br0'/>\n");
  EXPECT_EQ(Plug(net, 2), "  <plug type='bridge' bridge='br0'/>\n");
  EXPECT_NE(Live(net).find("<network connections='2'>"), std::string::npos) << Live(net);
}

TEST_F(NetworkObjectsModesTest, HostBridgesAreSharedButNotWithAManagedBridge) {
  Start("host-a", "<forward mode='bridge'/><bridge name='br0'/>");
  Start("host-ovs",
        "<forward mode='bridge'/><bridge name='br0'/>"
        "<virtualport type='openvswitch'/>");
  auto nat = driver_.DefineXml("<network><name>nat</name><bridge name='br0'/></network>", 0);
  ASSERT_FALSE(nat.ok());
  EXPECT_EQ(nat.error().message, "internal error: bridge name 'br0' already in use.");
}

TEST_F(NetworkObjectsModesTest, MacvtapPoolSpreadsAndCountsPerDevice) {
  NetworkRef net = Start("mv",
                         "<forward mode='vepa'><interface dev='eth1'/>"
                         "<interface dev='eth2'/></forward>");
  EXPECT_EQ(Plug(net, 1), "  <plug type='direct' dev='eth1' mode='vepa'/>\n");
  EXPECT_EQ(Plug(net, 2), "  <plug type='direct' dev='eth2' mode='vepa'/>\n");
  EXPECT_EQ(Plug(net, 3), "  <plug type='direct' dev='eth1' mode='vepa'/>\n");
  std::string live = Live(net);
  EXPECT_NE(live.find("<interface dev='eth1' connections='2'/>"), std::string::npos) << live;
  EXPECT_NE(live.find("<interface dev='eth2' connections='1'/>"), std::string::npos) << live;
  // The inactive form has no counts.
  EXPECT_EQ(driver_.GetXmlDesc(net, VIR_NETWORK_XML_INACTIVE)->find("connections"),
            std::string::npos);
  ASSERT_TRUE(driver_
                  .PortDelete(*driver_.PortLookupByUuid(
                                  net, *xml::ParseUuid("a1a1a1a1-0000-4000-8000-000000000012")),
                              0)
                  .ok());
  EXPECT_NE(Live(net).find("<interface dev='eth2'/>"), std::string::npos) << Live(net);
  EXPECT_EQ(Plug(net, 4), "  <plug type='direct' dev='eth2' mode='vepa'/>\n");
}

TEST_F(NetworkObjectsModesTest, PortHooksSeeTheDeviceCounts) {
  std::vector<std::string> log;
  testing::FakeHookRunner hooks(&log);
  driver_.SetHookRunner(hooks);
  NetworkRef net = Start("mvh",
                         "<forward mode='private'><interface dev='eth1'/>"
                         "<interface dev='eth2'/></forward>");
  Plug(net, 1);
  Plug(net, 2);
  ASSERT_FALSE(hooks.calls.empty());
  // libvirt counts the new port on its device before "port-created".
  const std::string& created = hooks.calls.back().input;
  EXPECT_NE(created.find("<interface dev='eth1' connections='1'/>"), std::string::npos) << created;
  EXPECT_NE(created.find("<interface dev='eth2' connections='1'/>"), std::string::npos) << created;
  ASSERT_TRUE(driver_
                  .PortDelete(*driver_.PortLookupByUuid(
                                  net, *xml::ParseUuid("a1a1a1a1-0000-4000-8000-000000000011")),
                              0)
                  .ok());
  const std::string& deleted = hooks.calls.back().input;
  EXPECT_NE(deleted.find("<interface dev='eth1'/>"), std::string::npos) << deleted;
  EXPECT_NE(deleted.find("<interface dev='eth2' connections='1'/>"), std::string::npos) << deleted;
}

TEST_F(NetworkObjectsModesTest, PassthroughIsExclusive) {
  NetworkRef net = Start("pt", "<forward mode='passthrough' dev='eth1'/>");
  EXPECT_EQ(Plug(net, 1), "  <plug type='direct' dev='eth1' mode='passthrough'/>\n");
  EXPECT_EQ(Plug(net, 2),
            "internal error: network 'pt' requires exclusive access to interfaces, but none are "
            "available");
  EXPECT_NE(Live(net).find("<network connections='1'>"), std::string::npos) << Live(net);
}

TEST_F(NetworkObjectsModesTest, PfPoolIsFilledAtStart) {
  NetworkRef mv = Start("pf-mv", "<forward mode='passthrough'><pf dev='eth0'/></forward>");
  std::string live = Live(mv);
  EXPECT_NE(live.find("<interface dev='eth0v0'/>"), std::string::npos) << live;
  EXPECT_NE(live.find("<interface dev='eth0v2'/>"), std::string::npos) << live;
  EXPECT_EQ(driver_.GetXmlDesc(mv, VIR_NETWORK_XML_INACTIVE)->find("eth0v0"), std::string::npos);
  EXPECT_EQ(Plug(mv, 1), "  <plug type='direct' dev='eth0v0' mode='passthrough'/>\n");
  EXPECT_EQ(Plug(mv, 2), "  <plug type='direct' dev='eth0v2' mode='passthrough'/>\n");

  NetworkRef hd =
      Start("pf-hd", "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>");
  EXPECT_NE(Live(hd).find("<address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
                          "function='0x2'/>"),
            std::string::npos)
      << Live(hd);
  EXPECT_EQ(Plug(hd, 3),
            "  <plug type='hostdev-pci' managed='yes'>\n"
            "    <address domain='0x0000' bus='0x03' slot='0x10' function='0x0'/>\n"
            "  </plug>\n");
}

TEST_F(NetworkObjectsModesTest, PfWithoutVfsDoesNotStart) {
  auto net = driver_.DefineXml(
      "<network><name>novf</name><forward mode='hostdev'><pf dev='eth9'/></forward></network>", 0);
  ASSERT_TRUE(net.ok()) << net.error().message;
  Status st = driver_.Create(*net);
  EXPECT_EQ(st.message(), "internal error: No usable Vf's present on SRIOV PF eth9");
  EXPECT_FALSE(*driver_.IsActive(*net));
  // A transient one is gone again.
  auto created = driver_.CreateXml(
      "<network><name>novf2</name><forward mode='vepa'><pf dev='eth9'/></forward></network>", 0);
  ASSERT_FALSE(created.ok());
  EXPECT_FALSE(driver_.LookupByName("novf2").ok());
}

}  // namespace
}  // namespace virtnat::driver
