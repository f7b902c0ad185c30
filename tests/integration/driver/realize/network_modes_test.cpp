// Forward modes through the HostRealizer with real traffic: route (the wan
// sees the guest's own address), open (no rules at all), isolated (no way
// out), and two networks side by side (stopping one leaves the other's
// rules byte-identical). Guests use static addresses: DHCP is the seed
// scenario's business.

#include <gtest/gtest.h>

#include <regex>

#include "tests/support/host/realize_env.h"

namespace virtnat::testing {
namespace {

using driver::HostRealizer;

std::string Network(const std::string& name, const std::string& mode, const std::string& bridge,
                    const std::string& prefix) {
  return "<network><name>" + name + "</name>" +
         (mode.empty() ? "" : "<forward mode='" + mode + "'/>") + "<bridge name='" + bridge +
         "' stp='off' delay='0'/><dns enable='no'/>" + "<ip address='" + prefix +
         ".1' prefix='24'/></network>";
}

// A guest on `bridge` with address PREFIX.10 and its default route.
NetNs& StaticGuest(RealizeEnv& env, const std::string& bridge, const std::string& prefix,
                   const std::string& mac) {
  NetNs& guest = env.AddGuest(bridge, mac);
  EXPECT_EQ(guest
                .Exec("ip addr add " + prefix + ".10/24 dev eth0 && ip route add default via " +
                      prefix + ".1")
                .exit_status,
            0);
  return guest;
}

Status Start(RealizeEnv& env, const xml::NetworkDef& def) {
  return env.realizer().Call([&](HostRealizer& r) { return r.Start(def); });
}
Status Stop(RealizeEnv& env, const xml::NetworkDef& def) {
  return env.realizer().Call([&](HostRealizer& r) { return r.Stop(def); });
}

class NetworkModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    ASSERT_NO_FATAL_FAILURE(env_.StartServer(env_.wan(), "0.0.0.0", 9000));
  }
  RealizeEnv env_;
};

TEST_F(NetworkModesTest, RouteModeShowsTheGuestsOwnAddress) {
  ASSERT_EQ(env_.wan().Exec("ip route add 10.20.0.0/24 via 198.51.100.1").exit_status, 0);
  xml::NetworkDef def = RealizeEnv::Def(Network("routed", "route", "virbrr0", "10.20.0"));
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  NetNs& guest = StaticGuest(env_, "virbrr0", "10.20.0", "52:54:00:00:01:10");
  EXPECT_EQ(env_.Connect(guest, "198.51.100.2", 9000), "10.20.0.10");
  // Routed, not NATed: as in libvirt, the subnet is reachable from outside.
  ASSERT_NO_FATAL_FAILURE(env_.StartServer(guest, "0.0.0.0", 80));
  EXPECT_EQ(env_.Connect(env_.wan(), "10.20.0.10", 80), "198.51.100.2");
  ASSERT_TRUE(Stop(env_, def).ok());
  EXPECT_EQ(env_.host().Exec("nft list ruleset").output, "");
}

TEST_F(NetworkModesTest, OpenModeAddsNoRulesAndForwardsBothWays) {
  ASSERT_EQ(env_.wan().Exec("ip route add 10.21.0.0/24 via 198.51.100.1").exit_status, 0);
  xml::NetworkDef def = RealizeEnv::Def(Network("open", "open", "virbro0", "10.21.0"));
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(env_.host().Exec("nft list ruleset").output, "");
  NetNs& guest = StaticGuest(env_, "virbro0", "10.21.0", "52:54:00:00:02:10");
  EXPECT_EQ(env_.Connect(guest, "198.51.100.2", 9000), "10.21.0.10");
  ASSERT_NO_FATAL_FAILURE(env_.StartServer(guest, "0.0.0.0", 80));
  EXPECT_EQ(env_.Connect(env_.wan(), "10.21.0.10", 80), "198.51.100.2");
  ASSERT_TRUE(Stop(env_, def).ok());
}

TEST_F(NetworkModesTest, IsolatedGuestsHaveNoWayOut) {
  xml::NetworkDef def = RealizeEnv::Def(Network("iso", "", "virbri0", "10.22.0"));
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  NetNs& guest = StaticGuest(env_, "virbri0", "10.22.0", "52:54:00:00:03:10");
  EXPECT_NE(guest.Exec("ping -c 1 -W 1 198.51.100.2").exit_status, 0);
  EXPECT_NE(env_.Connect(guest, "198.51.100.2", 9000), "10.22.0.10");
  EXPECT_NE(env_.Connect(guest, "198.51.100.2", 9000), "198.51.100.1");
  // The bridge address itself answers (the guest and host share the link).
  EXPECT_EQ(guest.Exec("ping -c 1 -W 1 10.22.0.1").exit_status, 0);
  ASSERT_TRUE(Stop(env_, def).ok());
}

TEST_F(NetworkModesTest, StoppingOneNetworkLeavesTheOthersRulesByteIdentical) {
  xml::NetworkDef a = RealizeEnv::Def(Network("a", "nat", "virbra0", "10.30.0"));
  xml::NetworkDef b = RealizeEnv::Def(Network("b", "route", "virbrb0", "10.31.0"));
  ASSERT_TRUE(Start(env_, a).ok());
  const std::string only_a = env_.host().Exec("nft list ruleset").output;
  ASSERT_TRUE(Start(env_, b).ok());
  ASSERT_TRUE(Stop(env_, b).ok());
  EXPECT_EQ(env_.host().Exec("nft list ruleset").output, only_a);
  // And a keeps carrying traffic.
  NetNs& guest = StaticGuest(env_, "virbra0", "10.30.0", "52:54:00:00:04:10");
  EXPECT_EQ(env_.Connect(guest, "198.51.100.2", 9000), "198.51.100.1");
  ASSERT_TRUE(Stop(env_, a).ok());
  EXPECT_EQ(env_.host().Exec("nft list ruleset").output, "");
}

}  // namespace
}  // namespace virtnat::testing
