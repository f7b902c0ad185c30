// A port's bandwidth against its network: the portgroup's bandwidth a port
// inherits, libvirt's floor checks with libvirt's texts, class ids.

#include "driver/qos/port_bandwidth.h"

#include <gtest/gtest.h>

namespace virtnat::driver {
namespace {

xml::Bandwidth In(unsigned long long average, unsigned long long peak, unsigned long long floor) {
  xml::Bandwidth bw;
  bw.inbound = xml::BandwidthRate{average, peak, floor, 0};
  return bw;
}

xml::NetworkDef Net(std::optional<xml::Bandwidth> bw,
                    xml::ForwardMode mode = xml::ForwardMode::kNat) {
  xml::NetworkDef def;
  def.name = "shaped";
  def.bridge.name = "virbr7";
  def.forward.mode = mode;
  def.bandwidth = bw;
  return def;
}

constexpr const char* kMac = "52:54:00:00:00:01";

TEST(PortBandwidthTest, APortWithoutBandwidthGetsItsPortgroups) {
  xml::NetworkDef net = Net(std::nullopt);
  xml::PortGroup slow;
  slow.name = "slow";
  slow.bandwidth = In(100, 0, 0);
  xml::PortGroup fast;
  fast.name = "fast";
  fast.is_default = true;
  fast.bandwidth = In(9000, 0, 0);
  net.portgroups = {slow, fast};
  EXPECT_EQ(EffectivePortBandwidth(net, "slow", std::nullopt), In(100, 0, 0));
  EXPECT_EQ(EffectivePortBandwidth(net, "", std::nullopt), In(9000, 0, 0));
  EXPECT_EQ(EffectivePortBandwidth(net, "slow", In(5, 0, 0)), In(5, 0, 0));
  EXPECT_EQ(EffectivePortBandwidth(net, "none", std::nullopt), std::nullopt);
}

TEST(PortBandwidthTest, NoFloorIsAlwaysFine) {
  EXPECT_TRUE(CheckPortBandwidth(Net(std::nullopt), kMac, In(100, 200, 0), std::nullopt).ok());
  EXPECT_TRUE(CheckPortBandwidth(Net(In(100, 0, 0)), kMac, In(500, 0, 0), std::nullopt).ok());
  EXPECT_TRUE(CheckPortBandwidth(Net(In(100, 0, 0)), kMac, std::nullopt, std::nullopt).ok());
}

TEST(PortBandwidthTest, AFloorNeedsAnInboundQosOnTheNetwork) {
  Status s = CheckPortBandwidth(Net(std::nullopt), kMac, In(0, 0, 10), std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), VIR_ERR_OPERATION_UNSUPPORTED);
  EXPECT_EQ(s.message(),
            "Operation not supported: Invalid use of 'floor' on interface with MAC address "
            "52:54:00:00:00:01 - network 'shaped' has no inbound QoS set");
}

TEST(PortBandwidthTest, AFloorNeedsAManagedBridge) {
  Status s = CheckPortBandwidth(Net(In(100, 0, 0), xml::ForwardMode::kBridge), kMac, In(0, 0, 10),
                                std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'floor' is only supported for interface type 'network' with "
                             "forward type 'nat', 'route', 'open' or none"),
            std::string::npos)
      << s.message();
}

TEST(PortBandwidthTest, FloorsMustNotOvercommitThePeakOrElseTheAverage) {
  Status s = CheckPortBandwidth(Net(In(100, 0, 0)), kMac, In(0, 0, 60), std::nullopt, 50);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), VIR_ERR_OPERATION_INVALID);
  EXPECT_EQ(s.message(),
            "Requested operation is not valid: Cannot plug '52:54:00:00:00:01' interface into "
            "'virbr7' because new combined inbound floor=110 would overcommit average=100 on "
            "network 'shaped'");
  s = CheckPortBandwidth(Net(In(100, 150, 0)), kMac, In(0, 0, 160), std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("new combined inbound floor=160 would overcommit peak=150"),
            std::string::npos)
      << s.message();
  // An update counts the port's old floor out.
  EXPECT_TRUE(CheckPortBandwidth(Net(In(100, 0, 0)), kMac, In(0, 0, 100), In(0, 0, 60), 60).ok());
}

TEST(PortBandwidthTest, AFloorThatFitsPasses) {
  EXPECT_TRUE(CheckPortBandwidth(Net(In(100, 0, 0)), kMac, In(0, 0, 10), std::nullopt).ok());
  EXPECT_TRUE(CheckPortBandwidth(Net(In(100, 150, 0)), kMac, In(0, 0, 100), std::nullopt, 50).ok());
  // Dropping the floor of a port is fine.
  EXPECT_TRUE(CheckPortBandwidth(Net(In(100, 0, 0)), kMac, In(50, 0, 0), In(0, 0, 10), 10).ok());
}

// libvirt's networkNextClassID: 1:1 and 1:2 are the network's.
TEST(PortBandwidthTest, ClassIdsAreTheLowestFreeFromThree) {
  EXPECT_EQ(NextClassId({}), 3u);
  EXPECT_EQ(NextClassId({3, 4, 6}), 5u);
  EXPECT_EQ(NextClassId({4}), 3u);
  EXPECT_EQ(InboundFloor(In(10, 0, 7)), 7u);
  EXPECT_EQ(InboundFloor(std::nullopt), 0u);
}

// The floors of the ports plugged already count against the peak.
TEST(PortBandwidthTest, TheFloorSumOfOtherPortsCounts) {
  Status st = CheckPortBandwidth(Net(In(1000, 0, 0)), kMac, In(0, 0, 400), std::nullopt, 700);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("new combined inbound floor=1100 would overcommit average=1000"),
            std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver
