// Sysctls written from a thread inside a throw-away namespace land in that
// namespace, and only there.

#include "driver/link/sysctl.h"

#include <gtest/gtest.h>

#include <fstream>

#include "driver/link/bridge_netlink.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::NetNs;

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(SysctlIntegrationTest, WritesGoToTheThreadsNamespace) {
  const std::string host_forward = ReadFirstLine("/proc/sys/net/ipv4/ip_forward");
  const std::string host_forward6 = ReadFirstLine("/proc/sys/net/ipv6/conf/all/forwarding");
  NetNs ns("sysctl");
  ASSERT_TRUE(ns.ok());
  ASSERT_EQ(ns.Exec("cat /proc/sys/net/ipv4/ip_forward").output, "0\n");
  ns.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    ASSERT_TRUE((*netlink)->CreateBridge(BridgeSpec{"virbrs0", std::nullopt, 0, false, 0}).ok());
    ASSERT_TRUE((*netlink)->CreateBridge(BridgeSpec{"virbrs1", std::nullopt, 0, false, 0}).ok());
    Sysctl sysctl;
    Status s = sysctl.EnableIpv4Forwarding();
    EXPECT_TRUE(s.ok()) << s.message();
    s = sysctl.EnableIpv6Forwarding();
    EXPECT_TRUE(s.ok()) << s.message();
    s = sysctl.ConfigureBridgeIpv6("virbrs0", false);
    EXPECT_TRUE(s.ok()) << s.message();
    s = sysctl.ConfigureBridgeIpv6("virbrs1", true);
    EXPECT_TRUE(s.ok()) << s.message();
  });
  EXPECT_EQ(ns.Exec("cat /proc/sys/net/ipv4/ip_forward").output, "1\n");
  EXPECT_EQ(ns.Exec("cat /proc/sys/net/ipv6/conf/all/forwarding").output, "1\n");
  EXPECT_EQ(
      ns.Exec("cd /proc/sys/net/ipv6/conf/virbrs0 && cat disable_ipv6 accept_ra autoconf").output,
      "1\n0\n0\n");
  EXPECT_EQ(
      ns.Exec("cd /proc/sys/net/ipv6/conf/virbrs1 && cat disable_ipv6 accept_ra autoconf").output,
      "0\n0\n0\n");
  EXPECT_EQ(ReadFirstLine("/proc/sys/net/ipv4/ip_forward"), host_forward);
  EXPECT_EQ(ReadFirstLine("/proc/sys/net/ipv6/conf/all/forwarding"), host_forward6);
}

}  // namespace
}  // namespace virtnat::driver
