#include "common/ip_address.h"

#include <gtest/gtest.h>

namespace virtnat {
namespace {

TEST(IpAddressTest, ParsesIpv4LikeInetAton) {
  EXPECT_EQ(IpAddress::Parse("8.8.8")->ToString(), "8.8.0.8");
  EXPECT_EQ(IpAddress::Parse("10.66.5")->ToString(), "10.66.0.5");
  EXPECT_EQ(IpAddress::Parse("010.066.005.001")->ToString(), "8.54.5.1");
  EXPECT_FALSE(IpAddress::Parse("10.66.5.300"));
  EXPECT_FALSE(IpAddress::Parse(""));
  EXPECT_FALSE(IpAddress::Parse(std::string_view("1.2.3.4\0x", 9)));
}

TEST(IpAddressTest, PrintsIpv6Compressed) {
  auto a = IpAddress::Parse("FD00:66:5:0::1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v6());
  EXPECT_EQ(a->ToString(), "fd00:66:5::1");
}

TEST(IpAddressTest, SubnetArithmetic) {
  auto a = *IpAddress::Parse("192.168.122.1");
  EXPECT_EQ(a.NetworkAddress(24).ToString(), "192.168.122.0");
  EXPECT_EQ(a.BroadcastAddress(24).ToString(), "192.168.122.255");
  EXPECT_TRUE(a.SameSubnet(*IpAddress::Parse("192.168.122.254"), 24));
  EXPECT_FALSE(a.SameSubnet(*IpAddress::Parse("192.168.123.2"), 24));
  EXPECT_EQ(IpAddress::Netmask(IpFamily::kV4, 24).ToString(), "255.255.255.0");
  EXPECT_EQ(IpAddress::Parse("255.255.255.0")->PrefixOfNetmask(), 24u);
  EXPECT_FALSE(IpAddress::Parse("255.0.255.0")->PrefixOfNetmask());
  auto v6 = *IpAddress::Parse("2001:db8:ac10:fd01::1");
  EXPECT_EQ(v6.NetworkAddress(64).ToString(), "2001:db8:ac10:fd01::");
  EXPECT_EQ(IpAddress::Parse("10.0.0.255")->Next().ToString(), "10.0.1.0");
}

}  // namespace
}  // namespace virtnat
