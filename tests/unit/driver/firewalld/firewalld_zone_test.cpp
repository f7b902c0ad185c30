// The firewalld zone of a network's bridge as libvirt chooses it, over a
// fake firewalld; and the realizer setting it at start, taking it back at
// stop and failing a start that asks for a zone without firewalld.

#include "driver/firewalld/firewalld_zone.h"

#include <gtest/gtest.h>

#include "tests/support/host_realizer_fixture.h"
#include "xml/network_parse.h"

namespace virtnat::driver {
namespace {

class FakeFirewalld final : public Firewalld {
 public:
  bool running = true;
  std::vector<std::string> zones = {"public", "libvirt", "libvirt-routed", "trusted"};
  std::vector<std::string> policies = {"libvirt-routed-in", "libvirt-routed-out"};
  std::optional<Error> fail_change;
  std::vector<std::string> calls;

  bool Running() override { return running; }
  Result<std::vector<std::string>> Zones() override { return zones; }
  Result<std::vector<std::string>> Policies() override { return policies; }
  Status ChangeZoneOfInterface(const std::string& zone, const std::string& iface) override {
    if (fail_change) return *fail_change;
    calls.push_back("change " + zone + " " + iface);
    return Status::Ok();
  }
  Status RemoveInterface(const std::string& iface) override {
    calls.push_back("remove " + iface);
    return Status::Ok();
  }
};

xml::NetworkDef Net(const std::string& forward, const std::string& zone = "") {
  std::string text = "<network><name>n</name>" + forward + "<bridge name='vbr0'" +
                     (zone.empty() ? "" : " zone='" + zone + "'") +
                     "/><ip address='10.1.0.1' prefix='24'/></network>";
  Result<xml::NetworkDef> def = xml::ParseNetworkXml(text);
  EXPECT_TRUE(def.ok()) << (def.ok() ? "" : def.error().message);
  return def.ok() ? *def : xml::NetworkDef{};
}

std::optional<std::string> Chosen(const xml::NetworkDef& def, FakeFirewalld& fw) {
  Result<std::optional<std::string>> zone = ChooseZone(PlanZone(def), fw);
  EXPECT_TRUE(zone.ok()) << (zone.ok() ? "" : zone.error().message);
  return zone.ok() ? *zone : std::nullopt;
}

TEST(FirewalldZoneTest, RequestedZoneIsUsedInEveryManagedMode) {
  FakeFirewalld fw;
  EXPECT_EQ(Chosen(Net("<forward mode='nat'/>", "trusted"), fw), "trusted");
  EXPECT_EQ(Chosen(Net("<forward mode='route'/>", "trusted"), fw), "trusted");
  EXPECT_EQ(Chosen(Net("<forward mode='open'/>", "trusted"), fw), "trusted");
  EXPECT_EQ(Chosen(Net("", "trusted"), fw), "trusted");
}

TEST(FirewalldZoneTest, DefaultZoneIsLibvirtAndLibvirtRoutedForRouteMode) {
  FakeFirewalld fw;
  EXPECT_EQ(Chosen(Net("<forward mode='nat'/>"), fw), "libvirt");
  EXPECT_EQ(Chosen(Net(""), fw), "libvirt");
  EXPECT_EQ(Chosen(Net("<forward mode='route'/>"), fw), "libvirt-routed");
  // Without the policy (firewalld before 0.9) or the zone: 'libvirt'.
  fw.policies = {"libvirt-routed-in"};
  EXPECT_EQ(Chosen(Net("<forward mode='route'/>"), fw), "libvirt");
  fw.policies = {"libvirt-routed-out"};
  fw.zones = {"libvirt"};
  EXPECT_EQ(Chosen(Net("<forward mode='route'/>"), fw), "libvirt");
}

TEST(FirewalldZoneTest, OpenModeGetsNoDefaultZone) {
  FakeFirewalld fw;
  ZonePlan plan = PlanZone(Net("<forward mode='open'/>"));
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(Chosen(Net("<forward mode='open'/>"), fw), std::nullopt);
}

TEST(FirewalldZoneTest, WithoutFirewalldNoZoneUnlessOneIsRequested) {
  FakeFirewalld fw;
  fw.running = false;
  EXPECT_EQ(Chosen(Net("<forward mode='nat'/>"), fw), std::nullopt);
  Result<std::optional<std::string>> zone =
      ChooseZone(PlanZone(Net("<forward mode='nat'/>", "trusted")), fw);
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().code, VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(zone.error().message,
            "internal error: zone trusted requested for network n but firewalld is not active");
}

TEST(FirewalldZoneTest, MissingLibvirtZoneFailsAsLibvirt) {
  FakeFirewalld fw;
  fw.zones = {"public"};
  Result<std::optional<std::string>> zone = ChooseZone(PlanZone(Net("<forward mode='nat'/>")), fw);
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().code, VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(zone.error().message,
            "internal error: firewalld can't find the 'libvirt' zone that should have been "
            "installed with "
            "libvirt");
}

TEST(FirewalldZoneTest, JoinChangesTheZoneLeaveRemovesTheInterface) {
  FakeFirewalld fw;
  ZonePlan plan = PlanZone(Net("<forward mode='nat'/>"));
  ASSERT_TRUE(JoinZone(plan, fw).ok());
  LeaveZone(plan, fw);
  EXPECT_EQ(fw.calls, (std::vector<std::string>{"change libvirt vbr0", "remove vbr0"}));
  // Not running: nothing to leave; open mode without a zone: never joined.
  fw.running = false;
  LeaveZone(plan, fw);
  fw.running = true;
  LeaveZone(PlanZone(Net("<forward mode='open'/>")), fw);
  EXPECT_EQ(fw.calls.size(), 2u);
  fw.fail_change = MakeError(VIR_ERR_DBUS_SERVICE, VIR_FROM_DBUS, "INVALID_ZONE: nosuch");
  EXPECT_EQ(JoinZone(PlanZone(Net("<forward mode='nat'/>", "nosuch")), fw).code(),
            VIR_ERR_DBUS_SERVICE);
}

TEST(FirewalldZoneTest, ChangedZoneIsALinkChange) {
  NetworkPlan a, b;
  a.zone = PlanZone(Net("<forward mode='nat'/>"));
  b.zone = PlanZone(Net("<forward mode='nat'/>", "trusted"));
  EXPECT_TRUE(ComparePlans(a, b).link);
  EXPECT_FALSE(ComparePlans(a, a).link);
}

class FirewalldRealizerTest : public HostRealizerTest {
 protected:
  void UseFirewalld(Firewalld* fw) {
    HostRealizerDeps deps = Deps();
    deps.firewalld = fw;
    realizer_ = std::make_unique<HostRealizer>(std::move(deps));
  }
};

constexpr const char* kZoned = R"(<network>
  <name>seed</name>
  <forward mode='nat'/>
  <bridge name='virbr0' zone='trusted'/>
  <ip address='192.168.122.1' prefix='24'/>
</network>)";

TEST_F(FirewalldRealizerTest, ZoneRequestedWithoutFirewalldFailsTheStartAndLeavesNothing) {
  Status s = realizer_->Start(Def(kZoned));
  EXPECT_EQ(s.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(s.message(),
            "internal error: zone trusted requested for network seed but firewalld is not active");
  ExpectNothingLeft();
}

TEST_F(FirewalldRealizerTest, StartSetsTheZoneStopTakesItBackReloadSetsItAgain) {
  FakeFirewalld fw;
  UseFirewalld(&fw);
  ASSERT_TRUE(realizer_->Start(Def(kZoned)).ok());
  EXPECT_EQ(fw.calls, std::vector<std::string>{"change trusted virbr0"});
  EXPECT_TRUE(realizer_->RejoinZones().empty());
  EXPECT_EQ(fw.calls.back(), "change trusted virbr0");
  fw.fail_change = MakeError(VIR_ERR_DBUS_SERVICE, VIR_FROM_DBUS, "INVALID_ZONE: trusted");
  std::vector<std::string> failures = realizer_->RejoinZones();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("network 'seed'"), std::string::npos) << failures[0];
  fw.fail_change.reset();
  ASSERT_TRUE(realizer_->Stop(Def(kZoned)).ok());
  EXPECT_EQ(fw.calls.back(), "remove virbr0");
  ExpectNothingLeft();
}

TEST_F(FirewalldRealizerTest, AFailedZoneChangeUndoesTheStart) {
  FakeFirewalld fw;
  fw.fail_change = MakeError(VIR_ERR_DBUS_SERVICE, VIR_FROM_DBUS, "INVALID_ZONE: trusted");
  UseFirewalld(&fw);
  EXPECT_EQ(realizer_->Start(Def(kZoned)).code(), VIR_ERR_DBUS_SERVICE);
  ExpectNothingLeft();
}

}  // namespace
}  // namespace virtnat::driver
