#include "driver/link/sysctl.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace virtnat::driver {
namespace {

namespace fs = std::filesystem;

class SysctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vn-sysctl-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "sys/net/ipv4");
    fs::create_directories(root_ / "net");
    Put("sys/net/ipv4/ip_forward", "0\n");
    for (const char* dev : {"all", "eth0", "virbr0"}) {
      fs::create_directories(root_ / "sys/net/ipv6/conf" / dev);
      Put(std::string("sys/net/ipv6/conf/") + dev + "/forwarding", "0\n");
      Put(std::string("sys/net/ipv6/conf/") + dev + "/accept_ra", "1\n");
      Put(std::string("sys/net/ipv6/conf/") + dev + "/disable_ipv6", "0\n");
      Put(std::string("sys/net/ipv6/conf/") + dev + "/autoconf", "1\n");
    }
    Put("net/ipv6_route", "");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Put(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  std::string Get(const std::string& rel) {
    std::ifstream in(root_ / rel);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  Sysctl Make() { return Sysctl(SysctlPaths{(root_ / "sys").string(), (root_ / "net").string()}); }

  fs::path root_;
};

// A default route learned from a router advertisement on eth0, and a
// connected route without RTF_ADDRCONF on virbr0.
constexpr const char* kRaRoute =
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fe800000000000000000000000000001 00000400 00000001 00000000 00450003     eth0\n"
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001   virbr0\n";

TEST_F(SysctlTest, EnablesIpv4Forwarding) {
  ASSERT_TRUE(Make().EnableIpv4Forwarding().ok());
  EXPECT_EQ(Get("sys/net/ipv4/ip_forward"), "1\n");
}

TEST_F(SysctlTest, MissingSysctlIsLibvirtsForwardingError) {
  fs::remove(root_ / "sys/net/ipv4/ip_forward");
  Status s = Make().EnableIpv4Forwarding();
  EXPECT_EQ(s.code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_EQ(s.message(), "failed to enable IP forwarding: No such file or directory");
}

TEST_F(SysctlTest, Ipv6ForwardingWithoutRaRoutes) {
  ASSERT_TRUE(Make().EnableIpv6Forwarding().ok());
  EXPECT_EQ(Get("sys/net/ipv6/conf/all/forwarding"), "1\n");
}

TEST_F(SysctlTest, RaRouteWithAcceptRaOneRefusesIpv6Forwarding) {
  Put("net/ipv6_route", kRaRoute);
  Status s = Make().EnableIpv6Forwarding();
  EXPECT_EQ(s.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(s.message(),
            "internal error: Check the host setup: interface eth0 has kernel autoconfigured IPv6 "
            "routes and enabling forwarding  without accept_ra set to 2 will cause the kernel to "
            "flush them, breaking networking.");
  EXPECT_EQ(Get("sys/net/ipv6/conf/all/forwarding"), "0\n");
}

TEST_F(SysctlTest, AcceptRaZeroFailsOnlyWhenAllSaysOne) {
  Put("net/ipv6_route", kRaRoute);
  Put("sys/net/ipv6/conf/eth0/accept_ra", "0\n");
  EXPECT_FALSE(Make().CheckAcceptRa().ok());  // all/accept_ra is 1
  Put("sys/net/ipv6/conf/all/accept_ra", "0\n");
  EXPECT_TRUE(Make().CheckAcceptRa().ok());
}

TEST_F(SysctlTest, AcceptRaTwoKeepsRaRoutesAndAllowsForwarding) {
  Put("net/ipv6_route", kRaRoute);
  Put("sys/net/ipv6/conf/eth0/accept_ra", "2\n");
  ASSERT_TRUE(Make().EnableIpv6Forwarding().ok());
  EXPECT_EQ(Get("sys/net/ipv6/conf/all/forwarding"), "1\n");
}

TEST_F(SysctlTest, BridgeWithoutIpv6GetsItDisabled) {
  ASSERT_TRUE(Make().ConfigureBridgeIpv6("virbr0", false).ok());
  EXPECT_EQ(Get("sys/net/ipv6/conf/virbr0/disable_ipv6"), "1");
  EXPECT_EQ(Get("sys/net/ipv6/conf/virbr0/accept_ra"), "0");
  EXPECT_EQ(Get("sys/net/ipv6/conf/virbr0/autoconf"), "0");
}

TEST_F(SysctlTest, BridgeWithIpv6KeepsItButTakesNoRas) {
  Put("sys/net/ipv6/conf/virbr0/disable_ipv6", "1\n");
  ASSERT_TRUE(Make().ConfigureBridgeIpv6("virbr0", true).ok());
  EXPECT_EQ(Get("sys/net/ipv6/conf/virbr0/disable_ipv6"), "0");
  EXPECT_EQ(Get("sys/net/ipv6/conf/virbr0/accept_ra"), "0");
}

TEST_F(SysctlTest, KernelWithoutIpv6IsNotAnError) {
  EXPECT_TRUE(Make().ConfigureBridgeIpv6("nosuchbr", false).ok());
}

}  // namespace
}  // namespace virtnat::driver
