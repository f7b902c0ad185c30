// <bandwidth> on the wire: a guest on a routed network measures its
// throughput to and from the wan with iperf3, without a limit, with
// <inbound>/<outbound> limits (within 15% of the limit, issue 14), and after
// a live reload that removes them. The tree is checked as the kernel lists
// it, and a stop leaves no qdisc and no ifb device.
//
// The limit, 2000 (tc's kbps: 2,000,000 bytes/s, 16 Mbit/s), is far below
// what veth + bridge + forwarding carries on a loaded two-core machine and
// high enough for iperf3's one-second intervals to average out.

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/support/host/realize_env.h"

namespace virtnat::testing {
namespace {

using driver::HostRealizer;

constexpr double kLimitBytes = 2000 * 1000.0;

std::string Network(const std::string& bandwidth) {
  return "<network><name>shaped</name><forward mode='route'/>"
         "<bridge name='virbrq0' stp='off' delay='0'/><dns enable='no'/>" +
         bandwidth + "<ip address='10.30.0.1' prefix='24'/></network>";
}

const std::string kLimited =
    "<bandwidth><inbound average='2000'/><outbound average='2000'/></bandwidth>";

class BandwidthWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    ASSERT_EQ(env_.wan().Exec("ip route add 10.30.0.0/24 via 198.51.100.1").exit_status, 0);
    CommandResult server = env_.wan().Exec("iperf3 -s -D -B 198.51.100.2 -p 5201");
    ASSERT_EQ(server.exit_status, 0) << server.output;
  }
  Status Start(const std::string& xml) {
    xml::NetworkDef def = RealizeEnv::Def(xml);
    return env_.realizer().Call([&](HostRealizer& r) { return r.Start(def); });
  }
  Status Stop(const std::string& xml) {
    xml::NetworkDef def = RealizeEnv::Def(xml);
    return env_.realizer().Call([&](HostRealizer& r) { return r.Stop(def); });
  }
  Status Reload(const std::string& from, const std::string& to) {
    xml::NetworkDef old_def = RealizeEnv::Def(from);
    xml::NetworkDef new_def = RealizeEnv::Def(to);
    return env_.realizer().Call([&](HostRealizer& r) { return r.Reload(old_def, new_def); });
  }
  NetNs& Guest() {
    if (guest_) return *guest_;
    guest_ = &env_.AddGuest("virbrq0", "52:54:00:00:0a:10");
    EXPECT_EQ(guest_
                  ->Exec("ip addr add 10.30.0.10/24 dev eth0 && ip route add default via "
                         "10.30.0.1")
                  .exit_status,
              0);
    return *guest_;
  }
  // Bytes per second the receiver saw: guest to wan (`reverse` false, the
  // network's outbound) or wan to guest (true, inbound). The first second
  // (slow start, the bucket's burst) is left out.
  double Measure(bool reverse) {
    CommandResult r = Guest().Exec(
        std::string("iperf3 -c 198.51.100.2 -p 5201 -t 4 -O 1 -J") + (reverse ? " -R" : "") +
        " | python3 -c \"import json,sys; "
        "print(json.load(sys.stdin)['end']['sum_received']['bits_per_second'])\"");
    EXPECT_EQ(r.exit_status, 0) << r.output;
    return std::atof(r.output.c_str()) / 8;
  }
  void Report(const std::string& what, double bytes) {
    std::cout << "[ measured ] " << what << ": " << static_cast<long long>(bytes) << " bytes/s\n";
    RecordProperty(what, std::to_string(static_cast<long long>(bytes)));
  }
  void ExpectNear(double bytes) {
    EXPECT_GT(bytes, kLimitBytes * 0.85);
    EXPECT_LT(bytes, kLimitBytes * 1.15);
  }

  RealizeEnv env_;
  NetNs* guest_ = nullptr;
};

TEST_F(BandwidthWireTest, InboundAndOutboundLimitTheWireAndALiveReloadLiftsThem) {
  Status s = Start(Network(""));
  ASSERT_TRUE(s.ok()) << s.message();
  const double free_in = Measure(true);
  const double free_out = Measure(false);
  Report("unlimited inbound", free_in);
  Report("unlimited outbound", free_out);
  ASSERT_TRUE(Stop(Network("")).ok());

  s = Start(Network(kLimited));
  ASSERT_TRUE(s.ok()) << s.message();
  // The guest's port left the bridge with the old bridge.
  ASSERT_EQ(env_.host().Exec("ip link set vg1 master virbrq0").exit_status, 0);
  std::string qdiscs = env_.host()
                           .Exec(
                               "tc qdisc show dev virbrq0; tc qdisc show dev virbrq0-ifb; "
                               "tc class show dev virbrq0; tc filter show dev virbrq0 "
                               "ingress")
                           .output;
  EXPECT_NE(qdiscs.find("qdisc htb 1: root"), std::string::npos) << qdiscs;
  EXPECT_NE(qdiscs.find("qdisc pfifo 2: parent 1:2 limit 1000p"), std::string::npos) << qdiscs;
  EXPECT_NE(qdiscs.find("qdisc pfifo 2: parent 1:1 limit 1000p"), std::string::npos) << qdiscs;
  EXPECT_NE(qdiscs.find("qdisc ingress ffff:"), std::string::npos) << qdiscs;
  EXPECT_NE(qdiscs.find("class htb 1:1 root rate 16Mbit ceil 16Mbit"), std::string::npos) << qdiscs;
  EXPECT_NE(qdiscs.find("class htb 1:2 parent 1:1 leaf 2: prio 0 rate 16Mbit ceil 16Mbit"),
            std::string::npos)
      << qdiscs;
  EXPECT_NE(qdiscs.find("Egress Redirect to device virbrq0-ifb"), std::string::npos) << qdiscs;

  const double limited_in = Measure(true);
  const double limited_out = Measure(false);
  Report("inbound average=2000", limited_in);
  Report("outbound average=2000", limited_out);
  ExpectNear(limited_in);
  ExpectNear(limited_out);
  EXPECT_GT(free_in, 3 * kLimitBytes);
  EXPECT_GT(free_out, 3 * kLimitBytes);

  s = Reload(Network(kLimited), Network(""));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(env_.host().Exec("ip -o link show type ifb").output, "");
  const double lifted_in = Measure(true);
  const double lifted_out = Measure(false);
  Report("inbound after the reload", lifted_in);
  Report("outbound after the reload", lifted_out);
  EXPECT_GT(lifted_in, 3 * kLimitBytes);
  EXPECT_GT(lifted_out, 3 * kLimitBytes);

  s = Reload(Network(""), Network(kLimited));
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(Stop(Network(kLimited)).ok());
  EXPECT_EQ(env_.host().Exec("ip -o link show type ifb").output, "");
  EXPECT_EQ(env_.host().Exec("ip -o link show virbrq0 2>/dev/null").output, "");
}

TEST_F(BandwidthWireTest, AFailingTreeFailsTheStartAndLeavesNothing) {
  // The ifb device's name is taken: the start fails at that step, and the
  // bridge, its qdiscs and the rules go again.
  ASSERT_EQ(env_.host().Exec("ip link add virbrq0-ifb type bridge").exit_status, 0);
  const std::string before = env_.Snapshot();
  Status s = Start(Network(kLimited));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot create ifb device 'virbrq0-ifb'"), std::string::npos)
      << s.message();
  EXPECT_EQ(env_.Snapshot(), before);
}

}  // namespace
}  // namespace virtnat::testing
