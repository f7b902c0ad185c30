#include "driver/link/host_facts.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace virtnat::driver
