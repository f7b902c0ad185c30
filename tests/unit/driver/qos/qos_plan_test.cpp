// QosPlan: a network's <bandwidth> as the tc tree, in tc's words (the
// expected text is what `tc` would be asked to do), the units libvirt's tc
// command line implies, the ifb name, the refusals.

#include "driver/qos/qos_plan.h"

#include <gtest/gtest.h>

namespace virtnat::driver {
namespace {

xml::Bandwidth Bw(std::optional<xml::BandwidthRate> in, std::optional<xml::BandwidthRate> out) {
  xml::Bandwidth bw;
  bw.inbound = in;
  bw.outbound = out;
  return bw;
}

TEST(QosPlanTest, NoBandwidthIsAnEmptyPlan) {
  Result<QosPlan> plan = PlanQos("net", "virbr0", std::nullopt);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->empty());
  EXPECT_EQ(DescribeQos(*plan), "");
}

// The example of issue 14: <inbound average='1000' peak='5000' burst='1024'/>
// <outbound average='2000'/>.
TEST(QosPlanTest, InboundShapesTheBridgeOutboundAnIfbFedFromTheBridgesIngress) {
  Result<QosPlan> plan =
      PlanQos("net", "virbr0",
              Bw(xml::BandwidthRate{1000, 5000, 0, 1024}, xml::BandwidthRate{2000, 0, 0, 0}));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->ifb, "virbr0-ifb");
  EXPECT_EQ(DescribeQos(*plan),
            "qdisc add dev virbr0 root handle 1: htb default 2\n"
            "class add dev virbr0 parent 1: classid 1:1 htb rate 1000000Bps ceil 5000000Bps "
            "burst 1048576b quantum 100000\n"
            "class add dev virbr0 parent 1:1 classid 1:2 htb rate 1000000Bps ceil 5000000Bps "
            "burst 1048576b quantum 100000\n"
            "qdisc add dev virbr0 parent 1:2 handle 2: pfifo limit 1000\n"
            "link add virbr0-ifb type ifb\n"
            "qdisc add dev virbr0-ifb root handle 1: htb default 1\n"
            "class add dev virbr0-ifb parent 1: classid 1:1 htb rate 2000000Bps ceil 2000000Bps "
            "quantum 200000\n"
            "qdisc add dev virbr0-ifb parent 1:1 handle 2: pfifo limit 1000\n"
            "link set virbr0-ifb up\n"
            "qdisc add dev virbr0 handle ffff: ingress\n"
            "filter add dev virbr0 parent ffff: protocol all prio 1 u32 match u32 0 0 action "
            "mirred egress redirect dev virbr0-ifb\n");
}

TEST(QosPlanTest, UnitsAreTcsKbpsAndKb) {
  Result<QosPlan> plan = PlanQos("net", "br", Bw(xml::BandwidthRate{3, 0, 0, 2}, std::nullopt));
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->inbound);
  EXPECT_EQ(plan->inbound->rate, 3000u);     // kbps: 1000 bytes/s
  EXPECT_EQ(plan->inbound->ceil, 3000u);     // no peak: ceil = rate
  EXPECT_EQ(plan->inbound->burst, 2048u);    // kb: 1024 bytes
  EXPECT_EQ(plan->inbound->quantum, 1514u);  // rate/10 raised to one frame
  EXPECT_FALSE(plan->outbound);
  EXPECT_EQ(plan->ifb, "");
}

TEST(QosPlanTest, APeakBelowTheAverageDoesNotLowerTheCeiling) {
  Result<QosPlan> plan = PlanQos("net", "br", Bw(xml::BandwidthRate{100, 50, 0, 0}, std::nullopt));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->inbound->ceil, 100000u);
}

TEST(QosPlanTest, IfbNameFitsAnInterfaceName) {
  EXPECT_EQ(IfbName("virbr0"), "virbr0-ifb");
  EXPECT_EQ(IfbName("abcdefghijk"), "abcdefghijk-ifb");  // 15 characters
  EXPECT_EQ(IfbName("abcdefghijkl"), "abcdefghjkl-ifb");
  EXPECT_EQ(IfbName("abcdefghijklmno"), "abcdefghmno-ifb");
}

TEST(QosPlanTest, RefusesANetworkFloorAndABurstTheKernelCannotHold) {
  Result<QosPlan> floor = PlanQos("net", "br", Bw(xml::BandwidthRate{100, 0, 10, 0}, std::nullopt));
  ASSERT_FALSE(floor.ok());
  EXPECT_EQ(floor.error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_NE(floor.error().message.find("floor attribute is not supported for this config"),
            std::string::npos)
      << floor.error().message;
  Result<QosPlan> burst =
      PlanQos("net", "br", Bw(std::nullopt, xml::BandwidthRate{100, 0, 0, 4194304}));
  ASSERT_FALSE(burst.ok());
  EXPECT_NE(burst.error().message.find("burst='4194304'"), std::string::npos)
      << burst.error().message;
}

TEST(QosPlanTest, PlansCompareByValue) {
  auto a = PlanQos("net", "br", Bw(xml::BandwidthRate{100, 0, 0, 0}, std::nullopt));
  auto b = PlanQos("net", "br", Bw(xml::BandwidthRate{100, 0, 0, 0}, std::nullopt));
  auto c = PlanQos("net", "br", Bw(xml::BandwidthRate{200, 0, 0, 0}, std::nullopt));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

}  // namespace
}  // namespace virtnat::driver
