// The bridge applier against a real kernel, inside a throw-away namespace.

#include <gtest/gtest.h>

#include "driver/link/bridge_netlink.h"
#include "driver/link/host_facts_netlink.h"
#include "driver/realize/reverter.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::CommandResult;
using virtnat::testing::NetNs;

BridgeSpec TestBridge() {
  BridgeSpec spec;
  spec.name = "virbrt0";
  spec.mac = xml::MacAddress{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  spec.mtu = 9000;
  spec.stp = true;
  spec.delay_seconds = 5;
  return spec;
}

InterfaceAddress Addr(const char* text, unsigned prefix) {
  return InterfaceAddress{*IpAddress::Parse(text), prefix};
}

TEST(BridgeTest, CreatesBridgeWithAllAttributes) {
  NetNs ns("bridge");
  ASSERT_TRUE(ns.ok());
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok()) << netlink.error().message;
    Status s = (*netlink)->CreateBridge(TestBridge());
    ASSERT_TRUE(s.ok()) << s.message();
    s = (*netlink)->AddAddress("virbrt0", Addr("192.168.150.1", 24));
    ASSERT_TRUE(s.ok()) << s.message();
    s = (*netlink)->AddAddress("virbrt0", Addr("fd00:150::1", 64));
    ASSERT_TRUE(s.ok()) << s.message();
    s = (*netlink)->SetLinkUp("virbrt0", true);
    ASSERT_TRUE(s.ok()) << s.message();
    StaticRoute route{*IpAddress::Parse("10.55.212.0"), 24, *IpAddress::Parse("192.168.150.2"), 1};
    s = (*netlink)->AddRoute("virbrt0", route);
    ASSERT_TRUE(s.ok()) << s.message();
    StaticRoute route6{*IpAddress::Parse("2001:db8:55:9::"), 64, *IpAddress::Parse("fd00:150::2"),
                       5};
    s = (*netlink)->AddRoute("virbrt0", route6);
    ASSERT_TRUE(s.ok()) << s.message();
  });

  CommandResult link = ns.Exec("ip -d link show virbrt0");
  EXPECT_NE(link.output.find("mtu 9000"), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("link/ether 52:54:00:12:34:56"), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("stp_state 1"), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("forward_delay 500"), std::string::npos) << link.output;
  // Administratively up; no carrier until a port joins.
  EXPECT_NE(link.output.find(",UP>"), std::string::npos) << link.output;

  CommandResult addr = ns.Exec("ip addr show dev virbrt0");
  EXPECT_NE(addr.output.find("inet 192.168.150.1/24 brd 192.168.150.255"), std::string::npos)
      << addr.output;
  EXPECT_NE(addr.output.find("inet6 fd00:150::1/64"), std::string::npos) << addr.output;

  // As libvirt 9.0 leaves them (host-effects.md §3.4).
  CommandResult routes = ns.Exec("ip route show; ip -6 route show");
  EXPECT_NE(routes.output.find("10.55.212.0/24 via 192.168.150.2 dev virbrt0 metric 1"),
            std::string::npos)
      << routes.output;
  EXPECT_NE(routes.output.find("2001:db8:55:9::/64 via fd00:150::2 dev virbrt0 metric 5"),
            std::string::npos)
      << routes.output;

  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    Status s = (*netlink)->DeleteLink("virbrt0");
    EXPECT_TRUE(s.ok()) << s.message();
  });
  EXPECT_NE(ns.Exec("ip link show virbrt0").exit_status, 0);
}

TEST(BridgeTest, StpOnRaisesShortForwardDelayLikeTheKernelDoesForLibvirt) {
  NetNs ns("bridge");
  ASSERT_TRUE(ns.ok());
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    BridgeSpec spec{"virbrt1", std::nullopt, 0, true, 0};
    ASSERT_TRUE((*netlink)->CreateBridge(spec).ok());
    BridgeSpec off{"virbrt2", std::nullopt, 0, false, 0};
    ASSERT_TRUE((*netlink)->CreateBridge(off).ok());
  });
  CommandResult on = ns.Exec("ip -d link show virbrt1");
  EXPECT_NE(on.output.find("forward_delay 200"), std::string::npos) << on.output;
  CommandResult off = ns.Exec("ip -d link show virbrt2");
  EXPECT_NE(off.output.find("forward_delay 0 "), std::string::npos) << off.output;
  EXPECT_NE(off.output.find("stp_state 0"), std::string::npos) << off.output;
  EXPECT_NE(off.output.find("mtu 1500"), std::string::npos) << off.output;
}

TEST(BridgeTest, ErrorsReadLikeLibvirts) {
  NetNs ns("bridge");
  ASSERT_TRUE(ns.ok());
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    BridgeSpec spec{"virbrx9", std::nullopt, 0, true, 0};
    ASSERT_TRUE((*netlink)->CreateBridge(spec).ok());
    Status again = (*netlink)->CreateBridge(spec);
    EXPECT_EQ(again.code(), VIR_ERR_SYSTEM_ERROR);
    EXPECT_EQ(again.message(), "error creating bridge interface virbrx9: File exists");

    BridgeSpec long_name{"virbrx1234567890", std::nullopt, 0, true, 0};
    Status too_long = (*netlink)->CreateBridge(long_name);
    EXPECT_EQ(too_long.message(),
              "error creating bridge interface virbrx1234567890: Numerical result out of range");

    Status no_dev = (*netlink)->AddAddress("nosuchbr", Addr("10.1.2.3", 24));
    EXPECT_EQ(no_dev.message(), "cannot add IP address 10.1.2.3/24 to 'nosuchbr': No such device");
    Status del = (*netlink)->DeleteLink("nosuchbr");
    EXPECT_EQ(del.message(), "cannot delete interface 'nosuchbr': No such device");
  });
}

TEST(BridgeTest, FailedMtuLeavesNoBridge) {
  NetNs ns("bridge");
  ASSERT_TRUE(ns.ok());
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    BridgeSpec spec{"virbrt3", std::nullopt, 70000, true, 0};  // above the bridge's maximum
    Status s = (*netlink)->CreateBridge(spec);
    EXPECT_EQ(s.code(), VIR_ERR_SYSTEM_ERROR);
    EXPECT_EQ(s.message().rfind("cannot set interface MTU on 'virbrt3': ", 0), 0u) << s.message();
    auto facts = RealHostFacts::Open();
    ASSERT_TRUE(facts.ok());
    auto exists = (*facts)->InterfaceExists("virbrt3");
    ASSERT_TRUE(exists.ok());
    EXPECT_FALSE(*exists);
  });
}

}  // namespace
}  // namespace virtnat::driver

namespace virtnat::driver {
namespace {

TEST(BridgeTest, RollbackLeavesNothing) {
  NetNs ns("bridge");
  ASSERT_TRUE(ns.ok());
  const std::string links_before = ns.Exec("ip -o link show").output;
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    Netlink& nl = **netlink;
    Reverter revert;
    BridgeSpec spec = TestBridge();
    ASSERT_TRUE(nl.CreateBridge(spec).ok());
    revert.Add([&nl, name = spec.name] { return nl.DeleteLink(name); });
    ASSERT_TRUE(nl.AddAddress(spec.name, Addr("192.168.150.1", 24)).ok());
    ASSERT_TRUE(nl.SetLinkUp(spec.name, true).ok());
    revert.Add([&nl, name = spec.name] { return nl.SetLinkUp(name, false); });
    // A route whose gateway is not on the bridge's subnet: the kernel refuses it.
    StaticRoute bad{*IpAddress::Parse("10.1.0.0"), 16, *IpAddress::Parse("10.200.0.1"), 1};
    Status s = nl.AddRoute(spec.name, bad);
    EXPECT_EQ(s.code(), VIR_ERR_SYSTEM_ERROR);
    EXPECT_EQ(s.message().rfind("cannot add route 10.1.0.0/16 via 10.200.0.1 to 'virbrt0': ", 0),
              0u)
        << s.message();
    std::vector<Error> errors = revert.Revert();
    EXPECT_TRUE(errors.empty());
  });
  EXPECT_EQ(ns.Exec("ip -o link show").output, links_before);
  EXPECT_EQ(ns.Exec("ip -4 route show").output, "");
}

TEST(BridgeTest, ExplicitMtuSurvivesASmallerPort) {
  NetNs ns("bridge");
  NetNs guest("guest");
  ASSERT_TRUE(ns.ok() && guest.ok());
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    ASSERT_TRUE((*netlink)->CreateBridge(TestBridge()).ok());
  });
  ASSERT_TRUE(virtnat::testing::AddVethPair(ns, "vnet0", guest, "eth0"));
  ASSERT_EQ(ns.Exec("ip link set vnet0 master virbrt0").exit_status, 0);
  // As with libvirt's SIOCSIFMTU: the bridge does not shrink to its port's 1500.
  EXPECT_NE(ns.Exec("ip link show virbrt0").output.find("mtu 9000"), std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver

namespace virtnat::driver {
namespace {

// DeleteLink returns before the kernel has freed the link (link_delete.h),
// but only once it is unlisted: at that moment its name is free, its
// address and routes are gone, and the same bridge can be made again with
// the same address. Checked the instant each call returns, many times over.
TEST(BridgeTest, DeletedLinkIsGoneTheMomentDeleteReturns) {
  NetNs ns("bridge");
  ASSERT_TRUE(ns.ok());
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    auto facts = RealHostFacts::Open();
    ASSERT_TRUE(netlink.ok() && facts.ok());
    BridgeSpec spec{"virbrd0", std::nullopt, 0, false, 0};
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE((*netlink)->CreateBridge(spec).ok()) << "cycle " << i;
      ASSERT_TRUE((*netlink)->AddAddress("virbrd0", Addr("10.93.0.1", 24)).ok()) << "cycle " << i;
      ASSERT_TRUE((*netlink)->SetLinkUp("virbrd0", true).ok());
      Status deleted = (*netlink)->DeleteLink("virbrd0");
      ASSERT_TRUE(deleted.ok()) << deleted.message();
      Result<bool> exists = (*facts)->InterfaceExists("virbrd0");
      ASSERT_TRUE(exists.ok());
      EXPECT_FALSE(*exists) << "cycle " << i;
      Result<std::vector<HostRoute>> routes = (*facts)->Ipv4Routes();
      ASSERT_TRUE(routes.ok());
      for (const HostRoute& r : *routes) {
        EXPECT_FALSE(r.prefix == 24 && r.interface == "virbrd0") << "cycle " << i;
      }
    }
  });
  EXPECT_NE(ns.Exec("ip link show virbrd0").exit_status, 0);
  EXPECT_EQ(ns.Exec("ip -4 addr | grep -c 10.93.0.1").output, "0\n");
}

}  // namespace
}  // namespace virtnat::driver
