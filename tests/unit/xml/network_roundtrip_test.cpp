// Inputs the fuzzer found whose printed form did not parse again.
#include <gtest/gtest.h>

#include "xml/network_format.h"
#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

void ExpectStableOrRejected(const char* text) {
  Result<NetworkDef> def = ParseNetworkXml(text);
  if (!def.ok()) return;
  std::string first = FormatNetworkXml(*def);
  Result<NetworkDef> again = ParseNetworkXml(first);
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << first;
  EXPECT_EQ(FormatNetworkXml(*again), first);
}

TEST(NetworkRoundTripTest, SrvWithEmptyTargetIsRejected) {
  Result<NetworkDef> def = ParseNetworkXml(
      "<network><name>n</name><dns><srv service='s' protocol='tcp' target='' port='1221'/>"
      "</dns></network>");
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.error().code, VIR_ERR_XML_DETAIL);
  EXPECT_NE(def.error().message.find("not permitted without target"), std::string::npos);
}

TEST(NetworkRoundTripTest, SrvWithEmptyProtocolIsRejected) {
  Result<NetworkDef> def = ParseNetworkXml(
      "<network><name>n</name><dns><srv service='name' protocol='' target='.' port='1'/>"
      "</dns></network>");
  ASSERT_FALSE(def.ok());
  EXPECT_NE(def.error().message.find("missing required protocol attribute"), std::string::npos);
}

TEST(NetworkRoundTripTest, NewlineInAnAttributeSurvives) {
  ExpectStableOrRejected(
      "<network><name>n</name><forward mode='passthrough'><interface dev='a&#10;b'/>"
      "</forward></network>");
}

TEST(NetworkRoundTripTest, BandwidthWithoutRatesIsNotPrinted) {
  Result<NetworkDef> def = ParseNetworkXml("<network><name>n</name></network>");
  ASSERT_TRUE(def.ok()) << def.error().message;
  def->bandwidth = Bandwidth{};
  def->bandwidth->inbound = BandwidthRate{};
  def->bandwidth->inbound->peak = 5;  // printed only with an average or floor
  EXPECT_EQ(FormatNetworkXml(*def).find("bandwidth"), std::string::npos);
}

TEST(NetworkRoundTripTest, InterfaceWithEmptyDevIsRejected) {
  Result<NetworkDef> def = ParseNetworkXml(
      "<network><name>n</name><forward mode='vepa'><interface dev=''/>"
      "<interface dev='eth2'/></forward></network>");
  ASSERT_FALSE(def.ok());
  EXPECT_NE(def.error().message.find("Missing required dev attribute"), std::string::npos);
}

TEST(NetworkRoundTripTest, EmptyPfDevSurvives) {
  ExpectStableOrRejected(
      "<network><name>n</name><forward mode='hostdev'><pf dev=''/></forward></network>");
}

}  // namespace
}  // namespace virtnat::xml
