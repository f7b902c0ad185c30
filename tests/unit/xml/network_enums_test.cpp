#include <gtest/gtest.h>

#include "xml/network_def.h"

namespace virtnat::xml {
namespace {

TEST(NetworkEnumsTest, ForwardModesRoundTrip) {
  for (auto mode : {ForwardMode::kNone, ForwardMode::kNat, ForwardMode::kRoute, ForwardMode::kOpen,
                    ForwardMode::kBridge, ForwardMode::kPrivate, ForwardMode::kVepa,
                    ForwardMode::kPassthrough, ForwardMode::kHostdev}) {
    EXPECT_EQ(ParseForwardMode(ForwardModeName(mode)), mode);
  }
  EXPECT_FALSE(ParseForwardMode("nating"));
}

TEST(NetworkEnumsTest, OtherTablesRoundTrip) {
  for (auto m : {MacTableManager::kKernel, MacTableManager::kLibvirt}) {
    EXPECT_EQ(ParseMacTableManager(MacTableManagerName(m)), m);
  }
  EXPECT_FALSE(ParseMacTableManager("default"));
  for (auto u : {LeaseUnit::kSeconds, LeaseUnit::kMinutes, LeaseUnit::kHours}) {
    EXPECT_EQ(ParseLeaseUnit(LeaseUnitName(u)), u);
  }
  EXPECT_FALSE(ParseLeaseUnit("days"));
  for (auto p : {PortProtocol::kTcp, PortProtocol::kUdp}) {
    EXPECT_EQ(ParsePortProtocol(PortProtocolName(p)), p);
  }
  EXPECT_EQ(ParseYesNo("yes"), TriState::kYes);
  EXPECT_EQ(ParseYesNo("no"), TriState::kNo);
  EXPECT_FALSE(ParseYesNo("maybe"));
}

TEST(NetworkEnumsTest, UuidParsing) {
  auto u = ParseUuid("  81FF0D90-c91e-6742-64da-4a736edb9a9b ");
  ASSERT_TRUE(u);
  EXPECT_EQ(FormatUuid(*u), "81ff0d90-c91e-6742-64da-4a736edb9a9b");
  EXPECT_TRUE(ParseUuid("81ff0d90c91e674264da4a736edb9a9b"));
  EXPECT_FALSE(ParseUuid("81ff0d90-c91e-6742-64da-4a736edb9a9"));
  EXPECT_FALSE(ParseUuid("81ff0d90-c91e-6742-64da-4a736edb9a9bx"));
}

TEST(NetworkEnumsTest, MacParsing) {
  auto m = ParseMac("52:54:00:AB:cd:0F");
  ASSERT_TRUE(m);
  EXPECT_EQ(FormatMac(*m), "52:54:00:ab:cd:0f");
  EXPECT_FALSE(ParseMac("52:54:00:AB:CD"));
  EXPECT_FALSE(ParseMac("52:54:00:AB:CD:EF:01"));
}

TEST(NetworkEnumsTest, EffectivePrefix) {
  IpDef ip;
  ip.address = *IpAddress::Parse("10.1.2.3");
  EXPECT_EQ(ip.EffectivePrefix(), 8u);
  ip.address = *IpAddress::Parse("172.16.0.1");
  EXPECT_EQ(ip.EffectivePrefix(), 16u);
  ip.address = *IpAddress::Parse("192.168.1.1");
  EXPECT_EQ(ip.EffectivePrefix(), 24u);
  ip.netmask = IpAddress::Parse("255.255.255.128");
  EXPECT_EQ(ip.EffectivePrefix(), 25u);
  ip.prefix = 20;
  EXPECT_EQ(ip.EffectivePrefix(), 20u);
}

}  // namespace
}  // namespace virtnat::xml
