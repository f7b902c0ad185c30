// The realizer with <bandwidth>: the tree is applied on start (after the
// link and routes, before dnsmasq), removed on stop and on any later
// failure of the start, replaced by a live reload, and a start without a
// traffic-control applier fails instead of dropping the limit.

#include <gtest/gtest.h>

#include "tests/support/host_realizer_fixture.h"

namespace virtnat::driver {
namespace {

constexpr const char* kShaped = R"(<network>
  <name>shaped</name>
  <forward mode='nat'/>
  <bridge name='virbr7'/>
  <bandwidth>
    <inbound average='1000' peak='5000' burst='1024'/>
    <outbound average='2000'/>
  </bandwidth>
  <ip address='192.168.127.1' prefix='24'>
    <dhcp><range start='192.168.127.100' end='192.168.127.199'/></dhcp>
  </ip>
</network>)";

constexpr const char* kUnshaped = R"(<network>
  <name>shaped</name>
  <forward mode='nat'/>
  <bridge name='virbr7'/>
  <ip address='192.168.127.1' prefix='24'>
    <dhcp><range start='192.168.127.100' end='192.168.127.199'/></dhcp>
  </ip>
</network>)";

TEST_F(HostRealizerTest, BandwidthIsAppliedOnStartAndRemovedOnStop) {
  Status s = realizer_->Start(Def(kShaped));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(qos_.calls, std::vector<std::string>{"apply virbr7"});
  ASSERT_EQ(qos_.applied.size(), 1u);
  EXPECT_EQ(qos_.applied[0].ifb, "virbr7-ifb");
  ASSERT_TRUE(qos_.applied[0].inbound);
  EXPECT_EQ(qos_.applied[0].inbound->rate, 1000000u);
  ASSERT_TRUE(realizer_->Applied("shaped"));
  EXPECT_EQ(realizer_->Applied("shaped")->qos, qos_.applied[0]);

  ASSERT_TRUE(realizer_->Stop(Def(kShaped)).ok());
  EXPECT_EQ(qos_.calls.back(), "remove virbr7");
  EXPECT_TRUE(qos_.applied.empty());
  EXPECT_EQ(netlink_.calls().back(), "DeleteLink virbr7");
}

TEST_F(HostRealizerTest, NoBandwidthTouchesNoTrafficControl) {
  ASSERT_TRUE(realizer_->Start(Def(kUnshaped)).ok());
  ASSERT_TRUE(realizer_->Stop(Def(kUnshaped)).ok());
  EXPECT_TRUE(qos_.calls.empty());
}

TEST_F(HostRealizerTest, AFailingTreeFailsTheStartAndLaterFailuresRemoveIt) {
  qos_.fail_apply = SystemErrorFromErrno(ENOENT, "cannot add htb qdisc to 'virbr7'");
  Status s = realizer_->Start(Def(kShaped));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot add htb qdisc"), std::string::npos) << s.message();
  EXPECT_TRUE(netlink_.links().empty());
  EXPECT_TRUE(firewall_.applied.empty());

  dnsmasq_.fail_start = InternalError("dnsmasq: bad option");
  ASSERT_FALSE(realizer_->Start(Def(kShaped)).ok());
  EXPECT_TRUE(qos_.applied.empty());
  EXPECT_EQ(qos_.calls,
            (std::vector<std::string>{"apply virbr7", "apply virbr7", "remove virbr7"}));
  EXPECT_TRUE(netlink_.links().empty());
}

TEST_F(HostRealizerTest, WithoutAnApplierANetworkWithBandwidthDoesNotStart) {
  HostRealizerDeps deps = Deps();
  deps.qos = nullptr;
  HostRealizer realizer(std::move(deps));
  Status s = realizer.Start(Def(kShaped));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bandwidth of bridge 'virbr7' cannot be applied"), std::string::npos)
      << s.message();
  EXPECT_TRUE(netlink_.links().empty());
  ASSERT_TRUE(realizer.Start(Def(kUnshaped)).ok());
  ASSERT_TRUE(realizer.Stop(Def(kUnshaped)).ok());
}

TEST_F(HostRealizerTest, AReloadReplacesTheTreeAndComparePlansSaysSo) {
  ASSERT_TRUE(realizer_->Start(Def(kShaped)).ok());
  Result<NetworkPlan> shaped = PlanNetwork(Def(kShaped), realizer_->plan_facts());
  Result<NetworkPlan> unshaped = PlanNetwork(Def(kUnshaped), realizer_->plan_facts());
  ASSERT_TRUE(shaped.ok() && unshaped.ok());
  PlanChanges changes = ComparePlans(*shaped, *unshaped);
  EXPECT_TRUE(changes.qos);
  EXPECT_FALSE(changes.link);
  EXPECT_FALSE(changes.dnsmasq);

  const size_t dnsmasq_calls = dnsmasq_.calls.size();
  Status s = realizer_->Reload(Def(kShaped), Def(kUnshaped));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(qos_.applied.empty());
  EXPECT_EQ(qos_.calls, (std::vector<std::string>{"apply virbr7", "remove virbr7"}));
  EXPECT_EQ(dnsmasq_.calls.size(), dnsmasq_calls);  // dnsmasq untouched

  // Back again; a failing apply puts the old (empty) tree back.
  qos_.fail_apply = InternalError("no htb");
  ASSERT_FALSE(realizer_->Reload(Def(kUnshaped), Def(kShaped)).ok());
  EXPECT_TRUE(qos_.applied.empty());
  EXPECT_EQ(qos_.calls.back(), "apply virbr7");  // the failed one; the old tree was empty
  EXPECT_TRUE(realizer_->Applied("shaped")->qos.empty());
  ASSERT_TRUE(realizer_->Reload(Def(kUnshaped), Def(kShaped)).ok());
  EXPECT_EQ(qos_.applied.size(), 1u);
  ASSERT_TRUE(realizer_->Stop(Def(kShaped)).ok());
  EXPECT_TRUE(qos_.applied.empty());
}

TEST_F(HostRealizerTest, AdoptionRebuildsTheTree) {
  ASSERT_TRUE(realizer_->Start(Def(kShaped)).ok());
  HostRealizer restarted(Deps());
  dnsmasq_.adoptable = true;
  qos_.calls.clear();
  Status s = restarted.Adopt(Def(kShaped));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(qos_.calls, (std::vector<std::string>{"remove virbr7", "apply virbr7"}));
  EXPECT_EQ(qos_.applied.size(), 1u);
  ASSERT_TRUE(restarted.Stop(Def(kShaped)).ok());
  EXPECT_TRUE(qos_.applied.empty());
}

// A port's floor: its class, leaf and filter on the running network's
// bridge and 1:2 lowered, in tc's words; unplugged, 1:2 gets its rate back;
// a network without <inbound> or not running here cannot take one.
TEST_F(HostRealizerTest, FloorsArePluggedIntoTheRunningTree) {
  const PortFloor port{{0x52, 0x54, 0x00, 0x00, 0x00, 0x01}, 400, 3};
  ASSERT_TRUE(realizer_->Start(Def(kShaped)).ok());
  ASSERT_TRUE(realizer_->PlugFloor(Def(kShaped), port, 400).ok());
  EXPECT_EQ(qos_.tc,
            "class add dev virbr7 parent 1:1 classid 1:3 htb rate 400000Bps ceil 5000000Bps "
            "quantum 40000\n"
            "qdisc add dev virbr7 parent 1:3 handle 3: pfifo limit 1000\n"
            "filter add dev virbr7 parent 1: protocol ip prio 2 handle 800::803 u32 match u16 "
            "0x0800 0xffff at -2 match u32 0x00000001 0xffffffff at -12 match u16 0x5254 0xffff "
            "at -14 flowid 1:3\n"
            "class change dev virbr7 parent 1:1 classid 1:2 htb rate 600000Bps ceil 5000000Bps "
            "burst 1048576b quantum 60000\n");
  qos_.tc.clear();
  ASSERT_TRUE(realizer_->UnplugFloor(Def(kShaped), port, 0).ok());
  EXPECT_EQ(qos_.tc,
            "qdisc del dev virbr7 handle 3:\n"
            "filter del dev virbr7 parent 1: prio 2 handle 800::803 u32\n"
            "class del dev virbr7 classid 1:3\n"
            "class change dev virbr7 parent 1:1 classid 1:2 htb rate 1000000Bps ceil 5000000Bps "
            "burst 1048576b quantum 100000\n");
  EXPECT_TRUE(qos_.floors.empty());
  // The kernel refusing a piece is the plug's error.
  qos_.fail_floor = SystemErrorFromErrno(ENOENT, "cannot add the u32 filter");
  Status refused = realizer_->PlugFloor(Def(kShaped), port, 400);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("cannot add the u32 filter"), std::string::npos);
  EXPECT_TRUE(qos_.floors.empty());
  ASSERT_TRUE(realizer_->Stop(Def(kShaped)).ok());
  // Stopped: nothing to plug into, nothing left to unplug.
  EXPECT_EQ(realizer_->PlugFloor(Def(kShaped), port, 400).code(), VIR_ERR_OPERATION_INVALID);
  EXPECT_TRUE(realizer_->UnplugFloor(Def(kShaped), port, 0).ok());

  ASSERT_TRUE(realizer_->Start(Def(kUnshaped)).ok());
  Status s = realizer_->PlugFloor(Def(kUnshaped), port, 400);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_NE(s.message().find("Bridge 'virbr7' has no QoS set"), std::string::npos) << s.message();
  ASSERT_TRUE(realizer_->Stop(Def(kUnshaped)).ok());
}

}  // namespace
}  // namespace virtnat::driver
