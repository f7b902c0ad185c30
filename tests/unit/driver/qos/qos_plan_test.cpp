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

// A port's floor (libvirt's virNetDevBandwidthPlug): its class under 1:1
// with rate=floor ceil=peak, its leaf, the u32 filter on its MAC.
TEST(QosPlanTest, FloorClassIsLibvirtsClassLeafAndMacFilter) {
  const xml::MacAddress mac{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
  Result<FloorClass> c =
      PlanFloorClass("virbr0", Bw(xml::BandwidthRate{1000, 5000, 0, 0}, std::nullopt), mac, 200, 3);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->rate, 200000u);
  EXPECT_EQ(c->ceil, 5000000u);
  EXPECT_EQ(c->filter_handle, 0x80000803u);
  EXPECT_EQ(DescribeFloorAdd(*c),
            "class add dev virbr0 parent 1:1 classid 1:3 htb rate 200000Bps ceil 5000000Bps "
            "quantum 20000\n"
            "qdisc add dev virbr0 parent 1:3 handle 3: pfifo limit 1000\n"
            "filter add dev virbr0 parent 1: protocol ip prio 2 handle 800::803 u32 match u16 "
            "0x0800 0xffff at -2 match u32 0x00abcdef 0xffffffff at -12 match u16 0x5254 0xffff "
            "at -14 flowid 1:3\n");
  EXPECT_EQ(DescribeFloorRemove(*c),
            "qdisc del dev virbr0 handle 3:\n"
            "filter del dev virbr0 parent 1: prio 2 handle 800::803 u32\n"
            "class del dev virbr0 classid 1:3\n");
}

TEST(QosPlanTest, FloorCeilIsTheAverageWithoutPeakAndIdsAreHexAsLibvirtWritesThem) {
  Result<FloorClass> c = PlanFloorClass("br", Bw(xml::BandwidthRate{1000, 0, 0, 0}, std::nullopt),
                                        xml::MacAddress{}, 10, 10);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ceil, 1000000u);
  EXPECT_EQ(c->quantum, 1514u);
  // "1:%x" and "%x:" of 10; the filter "800::810" (800 + 10, read as hex).
  EXPECT_EQ(c->filter_handle, 0x80000810u);
  EXPECT_NE(DescribeFloorAdd(*c).find("classid 1:a htb"), std::string::npos);
  EXPECT_NE(DescribeFloorAdd(*c).find("handle a: pfifo"), std::string::npos);
}

TEST(QosPlanTest, FloorRefusals) {
  const auto net = Bw(xml::BandwidthRate{1000, 0, 0, 0}, std::nullopt);
  Result<FloorClass> low = PlanFloorClass("br", net, xml::MacAddress{}, 10, 2);
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().code, VIR_ERR_INTERNAL_ERROR);
  EXPECT_NE(low.error().message.find("Invalid class ID 2"), std::string::npos);

  Result<FloorClass> no_qos = PlanFloorClass("br", Bw(std::nullopt, xml::BandwidthRate{1, 0, 0, 0}),
                                             xml::MacAddress{0, 1, 2, 3, 4, 5}, 10, 3);
  ASSERT_FALSE(no_qos.ok());
  EXPECT_EQ(no_qos.error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_NE(
      no_qos.error().message.find("Bridge 'br' has no QoS set, therefore unable to set 'floor' on "
                                  "'00:01:02:03:04:05'"),
      std::string::npos);

  EXPECT_TRUE(PlanFloorClass("br", net, xml::MacAddress{}, 10, 199).ok());
  Result<FloorClass> full = PlanFloorClass("br", net, xml::MacAddress{}, 10, 200);
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().message.find("class ID 200"), std::string::npos);
}

// libvirt's virNetDevBandwidthUpdateRate of 1:2: average - floor sum.
TEST(QosPlanTest, OpenClassKeepsWhatTheFloorsLeaveOfTheAverage) {
  Result<QosPlan> plan =
      PlanQos("net", "virbr0", Bw(xml::BandwidthRate{1000, 5000, 0, 1024}, std::nullopt));
  ASSERT_TRUE(plan.ok());
  HtbShaper open = OpenClassRate(*plan->inbound, 300);
  EXPECT_EQ(open.rate, 700000u);
  EXPECT_EQ(open.ceil, 5000000u);
  EXPECT_EQ(DescribeOpenClassChange(open),
            "class change dev virbr0 parent 1:1 classid 1:2 htb rate 700000Bps ceil 5000000Bps "
            "burst 1048576b quantum 70000\n");
  EXPECT_EQ(OpenClassRate(*plan->inbound, 0), *plan->inbound);
  // Floors up to the peak may pass the average: 1:2 keeps 1 kbyte/s.
  EXPECT_EQ(OpenClassRate(*plan->inbound, 1000).rate, 1000u);
  EXPECT_EQ(OpenClassRate(*plan->inbound, 4000).rate, 1000u);
}

}  // namespace
}  // namespace virtnat::driver
