// The network hooks as the object layer runs them (network_objects.h
// SetHookRunner): libvirt's operations in libvirt's order relative to the
// host effects, the <hookData> each one gets, and what a failing or a
// slow hook does to the call it belongs to (and to no other).

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <optional>
#include <string>
#include <vector>

#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "tests/support/fake_codec.h"
#include "tests/support/fake_hook_runner.h"

namespace virtnat::driver {
namespace {

constexpr char kUuidA[] = "11111111-2222-3333-4444-5555555555a1";
constexpr char kUuidB[] = "11111111-2222-3333-4444-5555555555b2";
constexpr char kPortUuid[] = "a1a1a1a1-0000-4000-8000-000000000099";

std::string Xml(const std::string& name, const std::string& uuid) {
  return "<network><name>" + name + "</name><uuid>" + uuid + "</uuid></network>";
}

std::string PortXml() {
  return std::string("<networkport><uuid>") + kPortUuid +
         "</uuid><owner><name>vm</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>"
         "<mac address='52:54:00:a1:00:99'/></networkport>";
}

// Host effects, logged beside the hooks.
class LoggingRealizer : public NullRealizer {
 public:
  explicit LoggingRealizer(std::vector<std::string>* log) : log_(log) {}
  Status Start(const xml::NetworkDef& def) override {
    log_->push_back("host start " + def.name);
    return Status::Ok();
  }
  Status Stop(const xml::NetworkDef& def) override {
    log_->push_back("host stop " + def.name);
    return Status::Ok();
  }
  Status Reload(const xml::NetworkDef& old_def, const xml::NetworkDef&) override {
    log_->push_back("host reload " + old_def.name);
    return Status::Ok();
  }

 private:
  std::vector<std::string>* log_;
};

class NetworkObjectsHooksTest : public ::testing::Test {
 protected:
  NetworkObjectsHooksTest() { driver_.SetHookRunner(hooks_); }

  NetworkRef Define(const std::string& name, const std::string& uuid) {
    Result<NetworkRef> r = driver_.DefineXml(Xml(name, uuid), 0);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : NetworkRef{};
  }

  std::vector<std::string> log_;
  testing::FakeCodec codec_;
  LoggingRealizer realizer_{&log_};
  MemoryStore store_;
  testing::FakeHookRunner hooks_{&log_};
  NetworkObjects driver_{codec_, realizer_, store_};
};

TEST_F(NetworkObjectsHooksTest, LifecycleRunsLibvirtsHooksInLibvirtsOrder) {
  NetworkRef net = Define("a", kUuidA);
  EXPECT_TRUE(log_.empty()) << "define runs no hook";
  ASSERT_TRUE(driver_.Create(net).ok());
  Result<PortRef> port = driver_.PortCreateXml(net, PortXml(), 0);
  ASSERT_TRUE(port.ok()) << port.error().message;
  ASSERT_TRUE(driver_
                  .Update(net, VIR_NETWORK_UPDATE_COMMAND_MODIFY, 4, -1, "x",
                          VIR_NETWORK_UPDATE_AFFECT_LIVE)
                  .ok());
  ASSERT_TRUE(driver_.PortDelete(*port, 0).ok());
  ASSERT_TRUE(driver_.Destroy(net).ok());
  EXPECT_EQ(log_, (std::vector<std::string>{
                      "hook a start begin",
                      "host start a",
                      "hook a started begin",
                      "hook a port-created begin",
                      "host reload a",
                      "hook a updated begin",
                      "hook a port-deleted begin",
                      "host stop a",
                      "hook a stopped end",
                  }));
}

TEST_F(NetworkObjectsHooksTest, StdinIsHookDataWithTheLiveNetworkAndThePort) {
  NetworkRef net = Define("a", kUuidA);
  ASSERT_TRUE(driver_.Create(net).ok());
  ASSERT_TRUE(driver_.PortCreateXml(net, PortXml(), 0).ok());
  ASSERT_EQ(hooks_.calls.size(), 3u);
  EXPECT_EQ(hooks_.calls[0].input,
            "<hookData>\n"
            "  <network>\n"
            "    <name>a</name>\n"
            "    <uuid>11111111-2222-3333-4444-5555555555a1</uuid>\n"
            "    <bridge name='virbr0'/>\n"
            "  </network>\n"
            "</hookData>");
  // The new port already counts, as in libvirt, and its XML follows.
  const std::string& created = hooks_.calls[2].input;
  EXPECT_EQ(created.rfind("<hookData>\n  <network connections='1'>\n", 0), 0u) << created;
  EXPECT_NE(created.find("  <networkport>\n    <uuid>a1a1a1a1-0000-4000-8000-000000000099</uuid>"),
            std::string::npos)
      << created;
  EXPECT_NE(created.find("    <plug type='network' bridge='virbr0'/>\n  </networkport>\n"
                         "</hookData>"),
            std::string::npos)
      << created;
}

// Two facts recorded from libvirtd 9.0 (tests/compat/network_hooks_test.sh).
TEST_F(NetworkObjectsHooksTest, StdinFollowsLibvirtsDefinitionAtEachPoint) {
  Result<NetworkRef> net = driver_.DefineXml("<network><name>n</name><uuid>" + std::string(kUuidA) +
                                                 "</uuid><forward mode='nat'/></network>",
                                             0);
  ASSERT_TRUE(net.ok());
  ASSERT_TRUE(driver_.Create(*net).ok());
  ASSERT_TRUE(driver_.PortCreateXml(*net, PortXml(), 0).ok());
  ASSERT_TRUE(driver_
                  .Update(*net, VIR_NETWORK_UPDATE_COMMAND_MODIFY, 4, -1, "c",
                          VIR_NETWORK_UPDATE_AFFECT_CONFIG)
                  .ok());
  ASSERT_TRUE(driver_
                  .Update(*net, VIR_NETWORK_UPDATE_COMMAND_MODIFY, 4, -1, "l",
                          VIR_NETWORK_UPDATE_AFFECT_LIVE)
                  .ok());
  ASSERT_EQ(hooks_.calls.size(), 5u);
  // start/begin: before the NAT port range default; started/begin: with it.
  EXPECT_NE(hooks_.calls[0].input.find("<forward mode='nat'/>"), std::string::npos);
  EXPECT_NE(hooks_.calls[1].input.find("<forward mode='nat'><nat/></forward>"), std::string::npos);
  // updated/begin: a config change leaves the live count; a live one drops it.
  EXPECT_NE(hooks_.calls[3].input.find("<network connections='1'>"), std::string::npos);
  EXPECT_EQ(hooks_.calls[4].input.find("connections="), std::string::npos);
}

TEST_F(NetworkObjectsHooksTest, FailingStartHookAbortsBeforeAnyHostEffect) {
  NetworkRef net = Define("a", kUuidA);
  hooks_.failing.insert(HookOp::kStart);
  Status st = driver_.Create(net);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, VIR_ERR_HOOK_SCRIPT_FAILED);
  EXPECT_EQ(st.message(), testing::FakeHookRunner::kFailure);
  EXPECT_EQ(log_, (std::vector<std::string>{"hook a start begin"}));
  EXPECT_FALSE(*driver_.IsActive(net));
  // A transient network that could not start is gone.
  Result<NetworkRef> created = driver_.CreateXml(Xml("b", kUuidB), 0);
  ASSERT_FALSE(created.ok());
  EXPECT_FALSE(driver_.LookupByName("b").ok());
}

TEST_F(NetworkObjectsHooksTest, FailingStartedHookUndoesTheStart) {
  NetworkRef net = Define("a", kUuidA);
  hooks_.failing.insert(HookOp::kStarted);
  Status st = driver_.Create(net);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, VIR_ERR_HOOK_SCRIPT_FAILED);
  EXPECT_EQ(log_, (std::vector<std::string>{"hook a start begin", "host start a",
                                            "hook a started begin", "host stop a"}));
  EXPECT_FALSE(*driver_.IsActive(net));
}

TEST_F(NetworkObjectsHooksTest, FailingPortCreatedHookRefusesThePort) {
  NetworkRef net = Define("a", kUuidA);
  ASSERT_TRUE(driver_.Create(net).ok());
  hooks_.failing.insert(HookOp::kPortCreated);
  Result<PortRef> port = driver_.PortCreateXml(net, PortXml(), 0);
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, VIR_ERR_HOOK_SCRIPT_FAILED);
  EXPECT_TRUE(driver_.ListAllPorts(net, 0)->empty());
  EXPECT_EQ(driver_.GetXmlDesc(net, 0)->find("connections="), std::string::npos);
}

TEST_F(NetworkObjectsHooksTest, FailingUpdatedHookFailsTheCallButTheChangeStays) {
  NetworkRef net = Define("a", kUuidA);
  hooks_.failing.insert(HookOp::kUpdated);
  Status st = driver_.Update(net, VIR_NETWORK_UPDATE_COMMAND_MODIFY, 4, -1, "kept",
                             VIR_NETWORK_UPDATE_AFFECT_CONFIG);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, VIR_ERR_HOOK_SCRIPT_FAILED);
  EXPECT_NE(driver_.GetXmlDesc(net, VIR_NETWORK_XML_INACTIVE)->find("kept"), std::string::npos);
  EXPECT_EQ(log_, (std::vector<std::string>{"hook a updated begin"}));
}

TEST_F(NetworkObjectsHooksTest, FailuresAfterTheFactDoNotFailTheCall) {
  NetworkRef net = Define("a", kUuidA);
  ASSERT_TRUE(driver_.Create(net).ok());
  Result<PortRef> port = driver_.PortCreateXml(net, PortXml(), 0);
  ASSERT_TRUE(port.ok());
  hooks_.failing = {HookOp::kPortDeleted, HookOp::kStopped};
  EXPECT_TRUE(driver_.PortDelete(*port, 0).ok());
  EXPECT_TRUE(driver_.Destroy(net).ok());
  EXPECT_FALSE(*driver_.IsActive(net));
}

TEST_F(NetworkObjectsHooksTest, SlowStartHookHoldsOnlyItsOwnStart) {
  NetworkRef a = Define("a", kUuidA);
  NetworkRef b = Define("b", kUuidB);
  hooks_.held.insert("a");
  std::optional<Status> a_done, b_done;
  driver_.CreateAsync(a, [&a_done](Status st) { a_done = std::move(st); });
  EXPECT_FALSE(a_done);
  EXPECT_EQ(log_, (std::vector<std::string>{"hook a start begin"})) << "no host effect yet";
  // "a" is being started: changes are refused, reads and other networks served.
  std::optional<Status> again;
  driver_.CreateAsync(a, [&again](Status st) { again = std::move(st); });
  ASSERT_TRUE(again);
  EXPECT_EQ(again->error().code, VIR_ERR_OPERATION_INVALID);
  EXPECT_TRUE(driver_.GetXmlDesc(a, 0).ok());
  driver_.CreateAsync(b, [&b_done](Status st) { b_done = std::move(st); });
  ASSERT_TRUE(b_done);
  EXPECT_TRUE(b_done->ok());
  EXPECT_TRUE(*driver_.IsActive(b));
  EXPECT_FALSE(*driver_.IsActive(a));
  EXPECT_EQ(hooks_.Release("a"), 1u);
  ASSERT_TRUE(a_done);
  EXPECT_TRUE(a_done->ok()) << a_done->message();
  EXPECT_TRUE(*driver_.IsActive(a));
}

TEST_F(NetworkObjectsHooksTest, DestroyWhilePortHookRunsRefusesThePortAfterwards) {
  NetworkRef net = Define("a", kUuidA);
  ASSERT_TRUE(driver_.Create(net).ok());
  hooks_.held.insert("a");
  std::optional<Result<PortRef>> port;
  driver_.PortCreateXmlAsync(net, PortXml(), 0,
                             [&port](Result<PortRef> r) { port.emplace(std::move(r)); });
  EXPECT_FALSE(port);
  hooks_.held.clear();
  ASSERT_TRUE(driver_.Destroy(net).ok());
  hooks_.Release("a");
  ASSERT_TRUE(port);
  ASSERT_FALSE(port->ok());
  EXPECT_EQ(port->error().message, "Requested operation is not valid: network 'a' is not active");
}

}  // namespace
}  // namespace virtnat::driver
