#include "driver/host_facts.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <filesystem>
#include <fstream>

namespace virtnat::driver {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

std::vector<HostRoute> Routes() {
  return {{Ip("0.0.0.0"), 0, "eth0"},
          {Ip("192.168.122.0"), 24, "virbr0"},
          {Ip("10.66.9.0"), 24, "virbrx9"}};
}

TEST(HostFactsTest, SubnetEqualToARouteIsInUse) {
  Status s = CheckSubnetNotRouted(Routes(), Ip("192.168.122.1"), 24);
  EXPECT_EQ(s.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(s.message(), "internal error: Network is already in use by interface virbr0");
}

TEST(HostFactsTest, PartialOverlapsAndIpv6PassAsInLibvirt) {
  EXPECT_TRUE(CheckSubnetNotRouted(Routes(), Ip("10.66.9.129"), 25).ok());
  EXPECT_TRUE(CheckSubnetNotRouted(Routes(), Ip("10.66.0.1"), 16).ok());
  EXPECT_TRUE(CheckSubnetNotRouted(Routes(), Ip("fd00::1"), 64).ok());
  // The default route is 0.0.0.0/0; no network has that prefix.
  EXPECT_TRUE(CheckSubnetNotRouted(Routes(), Ip("10.0.0.1"), 8).ok());
}

TEST(HostFactsTest, StaticRouteCollisionQuotesTheAddressAsWritten) {
  Status s = CheckRouteNotRouted(Routes(), Ip("10.66.9.0"), 24, "10.66.9.0");
  EXPECT_EQ(s.message(),
            "internal error: Route address '10.66.9.0' conflicts with IP address for 'virbrx9'");
  EXPECT_TRUE(CheckRouteNotRouted(Routes(), Ip("10.66.10.0"), 24, "10.66.10.0").ok());
}

class KernelSupportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("vn-kernel-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "sys" / "module");
    utsname uts{};
    ASSERT_EQ(uname(&uts), 0);
    modules_ = root_ / "modules" / uts.release;
    std::filesystem::create_directories(modules_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  Status Check() {
    return CheckBridgeSupport((root_ / "sys").string(), (root_ / "modules").string());
  }

  std::filesystem::path root_;
  std::filesystem::path modules_;
};

TEST_F(KernelSupportTest, MissingBridgeModuleIsAClearError) {
  Status s = Check();
  EXPECT_EQ(s.message(),
            "internal error: the kernel has no bridge support: module 'bridge' is neither loaded, "
            "built in nor installed");
}

TEST_F(KernelSupportTest, LoadedBuiltInOrInstalledBridgeIsEnough) {
  std::ofstream(modules_ / "modules.dep") << "kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko\n";
  EXPECT_TRUE(Check().ok());
  std::filesystem::remove(modules_ / "modules.dep");
  std::ofstream(modules_ / "modules.builtin") << "kernel/net/bridge/bridge.ko\n";
  EXPECT_TRUE(Check().ok());
  std::filesystem::remove(modules_ / "modules.builtin");
  std::filesystem::create_directories(root_ / "sys" / "module" / "bridge");
  EXPECT_TRUE(Check().ok());
}

}  // namespace
}  // namespace virtnat::driver
