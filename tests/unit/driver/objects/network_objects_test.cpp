// The object model of network-xml.md §1 on the in-memory driver.

#include "driver/objects/network_objects.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "driver/network_realizer.h"
#include "driver/store/definition_store.h"
#include "tests/support/fake_codec.h"

namespace virtnat::driver {
namespace {

// Records what reaches the store, to check persistence is driven.
class RecordingStore : public MemoryStore {
 public:
  Status Save(const std::string& name, const std::string& xml) override {
    saved[name] = xml;
    return Status::Ok();
  }
  Status Remove(const std::string& name) override {
    saved.erase(name);
    autostart.erase(name);
    return Status::Ok();
  }
  Status SetAutostart(const std::string& name, bool on) override {
    autostart[name] = on;
    return Status::Ok();
  }
  Result<std::vector<StoredDefinition>> LoadAll() override { return stored; }
  std::map<std::string, std::string> saved;
  std::map<std::string, bool> autostart;
  std::vector<StoredDefinition> stored;
};

class FailingRealizer : public NullRealizer {
 public:
  Status Start(const xml::NetworkDef& def) override {
    started.push_back(def);
    if (fail) return InternalError("Network is already in use by interface virbrx5", VIR_FROM_NONE);
    return Status::Ok();
  }
  Status Forget(const std::string& network) override {
    forgotten.push_back(network);
    return Status::Ok();
  }
  // Floors, as "plug 1:ID floor=F sum=S" / "unplug ...", failing on request.
  Status PlugFloor(const xml::NetworkDef&, const PortFloor& p, unsigned long long sum) override {
    floors.push_back("plug 1:" + std::to_string(p.class_id) + " floor=" + std::to_string(p.floor) +
                     " sum=" + std::to_string(sum));
    if (fail_floor) return OperationFailed("no class for you");
    return Status::Ok();
  }
  Status UnplugFloor(const xml::NetworkDef&, const PortFloor& p, unsigned long long sum) override {
    floors.push_back("unplug 1:" + std::to_string(p.class_id) +
                     " floor=" + std::to_string(p.floor) + " sum=" + std::to_string(sum));
    return Status::Ok();
  }
  bool fail = false;
  bool fail_floor = false;
  std::vector<xml::NetworkDef> started;
  std::vector<std::string> forgotten;
  std::vector<std::string> floors;
};

std::string Xml(const std::string& name, const std::string& uuid = "",
                const std::string& extra = "") {
  return "<network><name>" + name + "</name>" + (uuid.empty() ? "" : "<uuid>" + uuid + "</uuid>") +
         extra + "</network>";
}

constexpr char kUuid1[] = "11111111-2222-3333-4444-555555555501";
constexpr char kUuid2[] = "11111111-2222-3333-4444-555555555502";

class NetworkObjectsTest : public ::testing::Test {
 protected:
  NetworkObjectsTest() {
    driver_.SubscribeLifecycle([this](const NetworkRef& net, LifecycleEvent e) {
      events_.push_back(net.name + ":" + std::to_string(static_cast<int>(e)));
    });
  }
  NetworkRef Define(const std::string& xml) {
    auto r = driver_.DefineXml(xml, 0);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : NetworkRef{};
  }
  // The failures of an autostart pass (the NullRealizer-based fake
  // completes every start at once).
  std::vector<std::string> Autostart() {
    std::vector<std::string> failures;
    driver_.StartAutostartNetworks([&failures](const std::string& f) { failures.push_back(f); });
    return failures;
  }
  std::string XmlOf(const NetworkRef& net, unsigned flags) {
    auto r = driver_.GetXmlDesc(net, flags);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : "";
  }

  testing::FakeCodec codec_;
  FailingRealizer realizer_;
  RecordingStore store_;
  NetworkObjects driver_{codec_, realizer_, store_};
  std::vector<std::string> events_;
};

TEST_F(NetworkObjectsTest, DefineStartDestroyUndefine) {
  NetworkRef net = Define(Xml("a", kUuid1, "<forward mode='nat'/>"));
  EXPECT_EQ(store_.saved.count("a"), 1u);
  ASSERT_TRUE(driver_.Create(net).ok());
  // libvirtd adds the NAT port range to the live definition only.
  EXPECT_NE(XmlOf(net, 0).find("<nat/>"), std::string::npos);
  EXPECT_EQ(XmlOf(net, VIR_NETWORK_XML_INACTIVE).find("<nat/>"), std::string::npos);
  ASSERT_TRUE(driver_.Destroy(net).ok());
  EXPECT_EQ(XmlOf(net, 0).find("<nat/>"), std::string::npos);
  ASSERT_TRUE(driver_.Undefine(net).ok());
  EXPECT_EQ(store_.saved.count("a"), 0u);
  EXPECT_EQ(driver_.LookupByName("a").error().code, VIR_ERR_NO_NETWORK);
  EXPECT_EQ(events_, (std::vector<std::string>{"a:0", "a:2", "a:3", "a:1"}));
}

TEST_F(NetworkObjectsTest, RedefineWhileActiveBecomesPendingConfig) {
  NetworkRef net = Define(Xml("a", kUuid1));
  ASSERT_TRUE(driver_.Create(net).ok());
  Define(Xml("a", kUuid1, "<bridge name='virbrnew'/>"));
  EXPECT_NE(XmlOf(net, 0).find("virbr0"), std::string::npos);
  EXPECT_NE(XmlOf(net, VIR_NETWORK_XML_INACTIVE).find("virbrnew"), std::string::npos);
  ASSERT_TRUE(driver_.Destroy(net).ok());
  EXPECT_NE(XmlOf(net, 0).find("virbrnew"), std::string::npos);
}

TEST_F(NetworkObjectsTest, ConflictsFollowLibvirt) {
  Define(Xml("a", kUuid1, "<bridge name='virbrx5'/>"));
  auto same_name = driver_.DefineXml(Xml("a", kUuid2), 0);
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().code, VIR_ERR_OPERATION_FAILED);
  EXPECT_EQ(same_name.error().message, std::string("operation failed: network 'a' already exists "
                                                   "with uuid ") +
                                           kUuid1);
  auto no_uuid = driver_.DefineXml(Xml("a"), 0);
  ASSERT_FALSE(no_uuid.ok());
  EXPECT_EQ(no_uuid.error().code, VIR_ERR_OPERATION_FAILED);
  auto same_uuid = driver_.DefineXml(Xml("b", kUuid1, "<bridge name='virbrx6'/>"), 0);
  ASSERT_FALSE(same_uuid.ok());
  EXPECT_EQ(same_uuid.error().message,
            std::string("operation failed: network 'a' is already defined with uuid ") + kUuid1);
  auto bridge = driver_.DefineXml(Xml("c", kUuid2, "<bridge name='virbrx5'/>"), 0);
  ASSERT_FALSE(bridge.ok());
  EXPECT_EQ(bridge.error().message, "internal error: bridge name 'virbrx5' already in use.");
}

TEST_F(NetworkObjectsTest, GeneratedBridgeSkipsNamesInUse) {
  Define(Xml("a", kUuid1));
  NetworkRef b = Define(Xml("b", kUuid2));
  EXPECT_EQ(*driver_.GetBridgeName(b), "virbr1");
}

TEST_F(NetworkObjectsTest, TransientNetworks) {
  auto created = driver_.CreateXml(Xml("t", kUuid1), 0);
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(*driver_.IsPersistent(*created));
  EXPECT_EQ(driver_.SetAutostart(*created, true).error().message,
            "Requested operation is not valid: cannot set autostart for transient network");
  EXPECT_EQ(driver_.Undefine(*created).error().message,
            "Requested operation is not valid: can't undefine transient network");
  auto again = driver_.CreateXml(Xml("t", kUuid1), 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message,
            "Requested operation is not valid: network is already active as 't'");
  ASSERT_TRUE(driver_.Destroy(*created).ok());
  EXPECT_FALSE(driver_.LookupByUuid(created->uuid).ok());
  EXPECT_EQ(events_, (std::vector<std::string>{"t:2", "t:3"}));
}

TEST_F(NetworkObjectsTest, FailedCreateLeavesNothing) {
  realizer_.fail = true;
  auto created = driver_.CreateXml(Xml("t", kUuid1), 0);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().message,
            "internal error: Network is already in use by interface virbrx5");
  EXPECT_FALSE(driver_.LookupByName("t").ok());
  EXPECT_TRUE(events_.empty());
}

TEST_F(NetworkObjectsTest, CreateOverInactivePersistentKeepsItsConfig) {
  NetworkRef net = Define(Xml("a", kUuid1, "<bridge name='virbrcfg'/>"));
  ASSERT_TRUE(driver_.CreateXml(Xml("a", kUuid1, "<bridge name='virbrlive'/>"), 0).ok());
  EXPECT_NE(XmlOf(net, 0).find("virbrlive"), std::string::npos);
  EXPECT_NE(XmlOf(net, VIR_NETWORK_XML_INACTIVE).find("virbrcfg"), std::string::npos);
  ASSERT_TRUE(driver_.Destroy(net).ok());
  EXPECT_TRUE(*driver_.IsPersistent(net));
  EXPECT_NE(XmlOf(net, 0).find("virbrcfg"), std::string::npos);
}

TEST_F(NetworkObjectsTest, UndefineActiveMakesItTransient) {
  NetworkRef net = Define(Xml("a", kUuid1));
  ASSERT_TRUE(driver_.SetAutostart(net, true).ok());
  ASSERT_TRUE(driver_.Create(net).ok());
  ASSERT_TRUE(driver_.Undefine(net).ok());
  EXPECT_TRUE(*driver_.IsActive(net));
  EXPECT_FALSE(*driver_.IsPersistent(net));
  EXPECT_FALSE(*driver_.GetAutostart(net));
  ASSERT_TRUE(driver_.Destroy(net).ok());
  EXPECT_FALSE(driver_.LookupByName("a").ok());
}

TEST_F(NetworkObjectsTest, UnknownUuidNamesTheHandle) {
  NetworkRef ghost{"x-e", *xml::ParseUuid(kUuid1)};
  EXPECT_EQ(driver_.IsActive(ghost).error().message,
            std::string("Network not found: no network with matching uuid '") + kUuid1 + "' (x-e)");
}

TEST_F(NetworkObjectsTest, UpdateFlagsFollowLibvirt) {
  NetworkRef net = Define(Xml("a", kUuid1));
  EXPECT_EQ(
      driver_.Update(net, 3, 4, -1, "<host/>", VIR_NETWORK_UPDATE_AFFECT_LIVE).error().message,
      "Requested operation is not valid: network is not running");
  ASSERT_TRUE(driver_.Update(net, 3, 4, -1, "X", 0).ok());  // current = config when inactive
  EXPECT_NE(store_.saved["a"].find("<description>X</description>"), std::string::npos);
  auto t = driver_.CreateXml(Xml("t", kUuid2), 0);
  EXPECT_EQ(driver_.Update(*t, 3, 4, -1, "Y", VIR_NETWORK_UPDATE_AFFECT_CONFIG).error().message,
            "Requested operation is not valid: cannot change persistent config of a transient "
            "network");
  // A failing side changes nothing.
  EXPECT_FALSE(driver_.Update(net, 3, 9, -1, "Z", 0).ok());
  EXPECT_EQ(XmlOf(net, 0).find('Z'), std::string::npos);
}

TEST_F(NetworkObjectsTest, FlagChecks) {
  NetworkRef net = Define(Xml("a", kUuid1));
  EXPECT_EQ(driver_.GetXmlDesc(net, 2).error().message,
            "unsupported flags (0x2) in function networkGetXMLDesc");
  EXPECT_EQ(driver_.DefineXml(Xml("b"), 2).error().message,
            "unsupported flags (0x2) in function networkDefineXMLFlags");
}

TEST_F(NetworkObjectsTest, LoadStartsAutostartNetworks) {
  store_.stored = {{Xml("a", kUuid1), true}, {Xml("b", kUuid2), false}};
  ASSERT_TRUE(driver_.Load().ok());
  EXPECT_FALSE(*driver_.IsActive(*driver_.LookupByName("a")));
  EXPECT_TRUE(Autostart().empty());
  EXPECT_TRUE(*driver_.IsActive(*driver_.LookupByName("a")));
  EXPECT_FALSE(*driver_.IsActive(*driver_.LookupByName("b")));
  EXPECT_EQ(events_, std::vector<std::string>{"a:2"});  // started
  // A second pass leaves the running network alone.
  EXPECT_TRUE(Autostart().empty());
  EXPECT_EQ(realizer_.started.size(), 1u);
}

TEST_F(NetworkObjectsTest, AutostartFailuresNameTheNetworkAndDoNotStopOthers) {
  store_.stored = {{Xml("a", kUuid1), true}, {Xml("b", kUuid2), true}};
  ASSERT_TRUE(driver_.Load().ok());
  realizer_.fail = true;
  std::vector<std::string> failures = Autostart();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0],
            "cannot autostart network 'a': internal error: Network is already in use by "
            "interface virbrx5");
  EXPECT_EQ(failures[1].substr(0, 30), "cannot autostart network 'b': ");
  EXPECT_FALSE(*driver_.IsActive(*driver_.LookupByName("a")));
  realizer_.fail = false;
  EXPECT_TRUE(Autostart().empty());
  EXPECT_TRUE(*driver_.IsActive(*driver_.LookupByName("b")));
}

TEST_F(NetworkObjectsTest, AdoptRunningMarksActiveWithoutEffectsOrEvents) {
  store_.stored = {{Xml("a", kUuid1), true}};
  ASSERT_TRUE(driver_.Load().ok());
  ASSERT_TRUE(driver_.AdoptRunning(Xml("a", kUuid1, "<bridge name='live0'/>")).ok());
  NetworkRef a = *driver_.LookupByName("a");
  EXPECT_TRUE(*driver_.IsActive(a));
  EXPECT_TRUE(*driver_.IsPersistent(a));
  EXPECT_EQ(*driver_.GetBridgeName(a), "live0");
  EXPECT_TRUE(Autostart().empty());
  EXPECT_TRUE(realizer_.started.empty());
  EXPECT_TRUE(events_.empty());
  EXPECT_FALSE(driver_.AdoptRunning(Xml("a", kUuid1)).ok());  // already active
  // A record of a network no definition names: transient.
  ASSERT_TRUE(driver_.AdoptRunning(Xml("t", kUuid2)).ok());
  NetworkRef t = *driver_.LookupByName("t");
  EXPECT_TRUE(*driver_.IsActive(t));
  EXPECT_FALSE(*driver_.IsPersistent(t));
}

TEST_F(NetworkObjectsTest, PortsLiveOnActiveNetworks) {
  NetworkRef net = Define(Xml("a", kUuid1));
  const std::string port_xml =
      "<networkport><uuid>a1a1a1a1-0000-4000-8000-000000000099</uuid>"
      "<owner><name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>"
      "<mac address='52:54:00:a1:00:99'/><bandwidth><inbound average='500' peak='1000' "
      "burst='256'/><outbound average='400'/></bandwidth></networkport>";
  EXPECT_EQ(driver_.PortCreateXml(net, port_xml, 0).error().message,
            "Requested operation is not valid: network 'a' is not active");
  // As libvirt's networkListAllPorts: no list of an inactive network's ports.
  EXPECT_EQ(driver_.ListAllPorts(net, 0).error().message,
            "Requested operation is not valid: network 'a' is not active");
  ASSERT_TRUE(driver_.Create(net).ok());
  auto port = driver_.PortCreateXml(net, port_xml, 0);
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ(driver_.PortCreateXml(net, port_xml, 0).error().code, VIR_ERR_NETWORK_PORT_EXIST);
  EXPECT_NE(XmlOf(net, 0).find("connections='1'"), std::string::npos);
  EXPECT_EQ(*driver_.PortGetXmlDesc(*port, 0),
            "<networkport>\n"
            "  <uuid>a1a1a1a1-0000-4000-8000-000000000099</uuid>\n"
            "  <owner>\n"
            "    <name>vm</name>\n"
            "    <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
            "  </owner>\n"
            "  <mac address='52:54:00:a1:00:99'/>\n"
            "  <bandwidth>\n"
            "    <inbound average='500' peak='1000' burst='256'/>\n"
            "    <outbound average='400'/>\n"
            "  </bandwidth>\n"
            "  <plug type='network' bridge='virbr0'/>\n"
            "</networkport>\n");
  EXPECT_EQ(driver_.PortGetParameters(*port, 0)->size(), 7u);
  TypedParam avg{"inbound.average", VIR_TYPED_PARAM_UINT, 0, 1000, 0, ""};
  ASSERT_TRUE(driver_.PortSetParameters(*port, {avg}, 0).ok());
  auto params = *driver_.PortGetParameters(*port, 0);
  ASSERT_EQ(params.size(), 4u);  // the whole bandwidth is replaced (captured 13)
  EXPECT_EQ(params[0].u, 1000u);
  EXPECT_EQ(params[1].u, 0u);
  EXPECT_EQ(driver_.ListAllPorts(net, 0)->size(), 1u);
  ASSERT_TRUE(driver_.PortDelete(*port, 0).ok());
  EXPECT_EQ(driver_.PortLookupByUuid(net, port->uuid).error().code, VIR_ERR_NO_NETWORK_PORT);
  EXPECT_EQ(driver_.PortCreateXml(net, "<networkport/>", 0).error().message,
            "internal error: network port has no uuid");
}

// FakeCodec plus what the bandwidth test needs and FakeCodec does not parse:
// an inbound QoS of 1000 on the network and a portgroup "slow" of 10.
class BandwidthCodec final : public testing::FakeCodec {
 public:
  Result<xml::NetworkDef> Parse(std::string_view text, bool validate_schema) override {
    ASSIGN_OR_RETURN(xml::NetworkDef def, FakeCodec::Parse(text, validate_schema));
    def.bandwidth.emplace().inbound = xml::BandwidthRate{1000, 0, 0, 0};
    xml::PortGroup slow;
    slow.name = "slow";
    slow.bandwidth.emplace().inbound = xml::BandwidthRate{10, 0, 0, 0};
    def.portgroups = {slow};
    return def;
  }
};

// libvirt's networkAllocatePort, networkCheckBandwidth and
// networkPlugBandwidth: a port without bandwidth gets its portgroup's; a
// floor is checked against the floors plugged already, gets the lowest free
// class id (in its XML, as libvirt's classID) and is plugged by the
// realizer with the new floor sum; a change replugs it, a delete unplugs it.
TEST(NetworkObjectsBandwidthTest, PortsGetTheirPortgroupsBandwidthAndFloorsAreChecked) {
  BandwidthCodec codec;
  FailingRealizer realizer;
  RecordingStore store;
  NetworkObjects objects{codec, realizer, store};
  auto defined = objects.DefineXml(Xml("a", kUuid1), 0);
  ASSERT_TRUE(defined.ok()) << defined.error().message;
  NetworkRef net = *defined;
  ASSERT_TRUE(objects.Create(net).ok());
  auto port_xml = [](const std::string& n, const std::string& body) {
    return "<networkport><uuid>a1a1a1a1-0000-4000-8000-00000000000" + n +
           "</uuid><owner><name>vm</name><uuid>a1a1a1a1-0000-4000-8000-000000000000</uuid>"
           "</owner><mac address='52:54:00:a1:00:0" +
           n + "'/>" + body + "</networkport>";
  };
  auto port = objects.PortCreateXml(net, port_xml("1", "<group>slow</group>"), 0);
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_NE(objects.PortGetXmlDesc(*port, 0)->find("<inbound average='10'/>"), std::string::npos)
      << *objects.PortGetXmlDesc(*port, 0);

  auto over = objects.PortCreateXml(
      net, port_xml("2", "<bandwidth><inbound average='10' floor='2000'/></bandwidth>"), 0);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message,
            "Requested operation is not valid: Cannot plug '52:54:00:a1:00:02' interface into "
            "'virbr0' because new combined inbound floor=2000 would overcommit average=1000 on "
            "network 'a'");
  auto floor = objects.PortCreateXml(
      net, port_xml("3", "<bandwidth><inbound average='10' floor='20'/></bandwidth>"), 0);
  ASSERT_TRUE(floor.ok()) << floor.error().message;
  EXPECT_NE(objects.PortGetXmlDesc(*floor, 0)->find("<bandwidth classID='3'>"), std::string::npos)
      << *objects.PortGetXmlDesc(*floor, 0);
  TypedParam with_floor{"inbound.floor", VIR_TYPED_PARAM_UINT, 0, 30, 0, ""};
  ASSERT_TRUE(objects.PortSetParameters(*port, {with_floor}, 0).ok());
  EXPECT_NE(objects.PortGetXmlDesc(*port, 0)->find("<bandwidth classID='4'>"), std::string::npos)
      << *objects.PortGetXmlDesc(*port, 0);
  // 20 + 30 plugged: 960 more would overcommit the average (1000).
  auto full = objects.PortCreateXml(
      net, port_xml("4", "<bandwidth><inbound average='10' floor='960'/></bandwidth>"), 0);
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().message.find("new combined inbound floor=1010"), std::string::npos);
  // The realizer failing refuses the port.
  realizer.fail_floor = true;
  auto failed = objects.PortCreateXml(
      net, port_xml("5", "<bandwidth><inbound average='10' floor='5'/></bandwidth>"), 0);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("no class for you"), std::string::npos);
  realizer.fail_floor = false;
  ASSERT_TRUE(objects.PortDelete(*floor, 0).ok());
  EXPECT_EQ(realizer.floors,
            (std::vector<std::string>{"plug 1:3 floor=20 sum=20", "plug 1:4 floor=30 sum=50",
                                      "plug 1:5 floor=5 sum=55", "unplug 1:3 floor=20 sum=30"}));
  EXPECT_EQ(objects.ListAllPorts(net, 0)->size(), 1u);
}

// A network that will not run again gives up what a stop keeps (leases):
// a transient one when it stops, a persistent one when it is undefined while
// inactive; never a network that is still defined or running.
TEST_F(NetworkObjectsTest, NetworksGoneForGoodAreForgottenByTheRealizer) {
  NetworkRef a = Define(Xml("a", kUuid1));
  ASSERT_TRUE(driver_.Create(a).ok());
  ASSERT_TRUE(driver_.Destroy(a).ok());
  EXPECT_TRUE(realizer_.forgotten.empty());
  ASSERT_TRUE(driver_.Create(a).ok());
  ASSERT_TRUE(driver_.Undefine(a).ok());
  EXPECT_TRUE(realizer_.forgotten.empty());
  ASSERT_TRUE(driver_.Destroy(a).ok());
  EXPECT_EQ(realizer_.forgotten, std::vector<std::string>{"a"});
  NetworkRef b = Define(Xml("b", kUuid2));
  ASSERT_TRUE(driver_.Undefine(b).ok());
  EXPECT_EQ(realizer_.forgotten, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace virtnat::driver
