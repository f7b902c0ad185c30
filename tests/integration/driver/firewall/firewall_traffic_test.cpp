// The rules carry real traffic as intended, in throw-away namespaces: a
// "host" with the bridge and the ruleset, two guests on the bridge, a "wan"
// peer beside the host. Small Python servers answer each TCP connection
// with the address they saw it come from.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "driver/firewall/firewall_nft.h"
#include "tests/support/host/tcp_probe.h"

extern char** environ;

namespace virtnat::driver {
namespace {

using ::virtnat::testing::kPython;
constexpr const char* kServer = ::virtnat::testing::kTcpEchoPeerServer;
constexpr const char* kClient = ::virtnat::testing::kTcpProbeClient;

std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class FirewallTrafficTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "integration tests run as root";
    const std::string id = std::to_string(getpid());
    host_ = "vnt-th-" + id;
    wan_ = "vnt-tw-" + id;
    g1_ = "vnt-t1-" + id;
    g2_ = "vnt-t2-" + id;
    char dir[] = "/tmp/vnt-traffic-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    std::ofstream(dir_ + "/server.py") << kServer;
    std::ofstream(dir_ + "/client.py") << kClient;
    for (const std::string& ns : {host_, wan_, g1_, g2_}) {
      ASSERT_EQ(Shell("ip netns add " + ns), "");
      namespaces_.push_back(ns);
      ASSERT_EQ(In(ns, "ip link set lo up"), "");
    }
    // Host: bridge virbr0 192.168.122.1/24, uplink eth0 198.51.100.1/24.
    ASSERT_EQ(In(host_, "ip link add virbr0 type bridge"), "");
    ASSERT_EQ(In(host_, "ip addr add 192.168.122.1/24 dev virbr0"), "");
    ASSERT_EQ(In(host_, "ip link set virbr0 up"), "");
    ASSERT_EQ(In(host_, "sysctl -qw net.ipv4.ip_forward=1"), "");
    ASSERT_EQ(In(host_, "ip link add eth0 type veth peer name eth0 netns " + wan_), "");
    ASSERT_EQ(In(host_, "ip addr add 198.51.100.1/24 dev eth0"), "");
    ASSERT_EQ(In(host_, "ip link set eth0 up"), "");
    ASSERT_EQ(In(wan_, "ip addr add 198.51.100.2/24 dev eth0"), "");
    ASSERT_EQ(In(wan_, "ip link set eth0 up"), "");
    // The wan knows the guests' subnet, so it can try to reach them directly.
    ASSERT_EQ(In(wan_, "ip route add 192.168.122.0/24 via 198.51.100.1"), "");
    int n = 10;
    for (const std::string& g : {g1_, g2_}) {
      const std::string port = "vp" + std::to_string(n);
      ASSERT_EQ(In(host_, "ip link add " + port + " type veth peer name eth0 netns " + g), "");
      ASSERT_EQ(In(host_, "ip link set " + port + " master virbr0 up"), "");
      ASSERT_EQ(In(g, "ip addr add 192.168.122." + std::to_string(n) + "/24 dev eth0"), "");
      ASSERT_EQ(In(g, "ip link set eth0 up"), "");
      ASSERT_EQ(In(g, "ip route add default via 192.168.122.1"), "");
      ++n;
    }
    ASSERT_NO_FATAL_FAILURE(StartServer(g1_, "0.0.0.0", "80"));
    ASSERT_NO_FATAL_FAILURE(StartServer(wan_, "0.0.0.0", "9000"));

    // The firewall's socket must live in the host namespace.
    int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(("/run/netns/" + host_).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(home, 0);
    ASSERT_GE(target, 0);
    ASSERT_EQ(setns(target, CLONE_NEWNET), 0);
    auto fw = NftFirewall::Open();
    EXPECT_EQ(setns(home, CLONE_NEWNET), 0);
    close(home);
    close(target);
    ASSERT_TRUE(fw.ok()) << fw.error().message;
    fw_ = std::move(*fw);
  }

  void TearDown() override {
    fw_.reset();
    for (pid_t pid : servers_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    for (const std::string& ns : namespaces_) EXPECT_EQ(Shell("ip netns del " + ns), "");
    if (!dir_.empty()) Shell("rm -rf " + dir_);
  }

  std::string In(const std::string& ns, const std::string& command) {
    return Shell("ip netns exec " + ns + " " + command);
  }

  void StartServer(const std::string& ns, const std::string& address, const std::string& port) {
    const std::string ready = dir_ + "/ready-" + ns + "-" + port;
    const std::string script = dir_ + "/server.py";
    std::vector<std::string> args = {"ip",   "netns", "exec", ns,   kPython,
                                     script, address, port,   ready};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    ASSERT_EQ(posix_spawnp(&pid, "ip", nullptr, nullptr, argv.data(), environ), 0);
    servers_.push_back(pid);
    for (int i = 0; i < 100 && access(ready.c_str(), F_OK) != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(access(ready.c_str(), F_OK), 0) << "server in " << ns << " did not start";
  }

  // What the server at address:port said to a client in `ns`.
  std::string Connect(const std::string& ns, const std::string& address, const std::string& port) {
    std::string out =
        In(ns, std::string(kPython) + " " + dir_ + "/client.py " + address + " " + port);
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  // IPv6 beside IPv4: bridge 2001:db8:ca2:2::1/64, uplink 2001:db8:ffff::1/64.
  void AddIpv6() {
    ASSERT_EQ(In(host_, "sysctl -qw net.ipv6.conf.all.forwarding=1"), "");
    ASSERT_EQ(In(host_, "ip addr add 2001:db8:ca2:2::1/64 dev virbr0 nodad"), "");
    ASSERT_EQ(In(host_, "ip addr add 2001:db8:ffff::1/64 dev eth0 nodad"), "");
    ASSERT_EQ(In(wan_, "ip addr add 2001:db8:ffff::2/64 dev eth0 nodad"), "");
    ASSERT_EQ(In(wan_, "ip route add 2001:db8:ca2:2::/64 via 2001:db8:ffff::1"), "");
    ASSERT_EQ(In(g1_, "ip addr add 2001:db8:ca2:2::10/64 dev eth0 nodad"), "");
    ASSERT_EQ(In(g2_, "ip addr add 2001:db8:ca2:2::11/64 dev eth0 nodad"), "");
    for (const std::string& g : {g1_, g2_}) {
      ASSERT_EQ(In(g, "ip route add default via 2001:db8:ca2:2::1"), "");
    }
    ASSERT_NO_FATAL_FAILURE(StartServer(g1_, "::", "81"));
    ASSERT_NO_FATAL_FAILURE(StartServer(wan_, "::", "9001"));
  }

  FirewallPlan MustPlan(const xml::NetworkDef& def) {
    auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
    EXPECT_TRUE(plan.ok()) << plan.error().message;
    return plan.ok() ? *plan : FirewallPlan{};
  }

  FirewallPlan NatPlanWithForward() {
    xml::NetworkDef def;
    def.name = "default";
    def.bridge.name = "virbr0";
    def.forward.mode = xml::ForwardMode::kNat;
    xml::IpDef ip;
    ip.address = *IpAddress::Parse("192.168.122.1");
    ip.prefix = 24;
    def.ips.push_back(ip);
    xml::PortForward pf;
    pf.guest = *IpAddress::Parse("192.168.122.10");
    pf.ranges = {{8080, 8080, 80}};
    def.port_forwards.push_back(pf);
    auto plan = PlanFirewall(def, FirewallFacts{"virbr0"});
    EXPECT_TRUE(plan.ok());
    return plan.ok() ? *plan : FirewallPlan{};
  }

  std::string host_, wan_, g1_, g2_, dir_;
  std::vector<std::string> namespaces_;
  std::vector<pid_t> servers_;
  std::unique_ptr<NftFirewall> fw_;
};

TEST_F(FirewallTrafficTest, NatMasqueradesAndForwardsPortsOnlyToTheHost) {
  Status s = fw_->Apply("default", NatPlanWithForward());
  ASSERT_TRUE(s.ok()) << s.message();

  // Guest to the outside: the wan sees the host's address.
  EXPECT_EQ(Connect(g1_, "198.51.100.2", "9000"), "198.51.100.1");
  // The outside through the forwarded port: the guest sees the real client.
  EXPECT_EQ(Connect(wan_, "198.51.100.1", "8080"), "198.51.100.2");
  // The host itself (output hook), to its own uplink address.
  EXPECT_EQ(Connect(host_, "198.51.100.1", "8080"), "198.51.100.1");
  // Another guest through the host's port (hairpin): answered via the host.
  EXPECT_EQ(Connect(g2_, "198.51.100.1", "8080"), "192.168.122.1");
  // ... and through the bridge address, also a host address.
  EXPECT_EQ(Connect(g2_, "192.168.122.1", "8080"), "192.168.122.1");
  // Guests on the same bridge reach each other directly.
  EXPECT_EQ(Connect(g2_, "192.168.122.10", "80"), "192.168.122.11");
  // Unsolicited connection from the outside to the guest's own address.
  EXPECT_EQ(Connect(wan_, "192.168.122.10", "80"), "refused");
  // Transit traffic to the forwarded port of another address is not DNATed.
  EXPECT_EQ(Connect(g1_, "198.51.100.2", "8080"), "refused");

  s = fw_->Remove("default");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(In(host_, "nft list ruleset"), "");
  // No rules: nothing listens on the host's 8080, and the masquerade is gone
  // (the wan answers the guest's own address).
  EXPECT_EQ(Connect(wan_, "198.51.100.1", "8080"), "refused");
  EXPECT_EQ(Connect(g1_, "198.51.100.2", "9000"), "192.168.122.10");
}

TEST_F(FirewallTrafficTest, IsolatedGuestsReachNeitherTheOutsideNorForwardedPorts) {
  // virbr0 carries the nat network with the forward; a second bridge holds
  // an isolated network whose guest is g2.
  ASSERT_EQ(In(host_, "ip link add virbr1 type bridge"), "");
  ASSERT_EQ(In(host_, "ip addr add 192.168.50.1/24 dev virbr1"), "");
  ASSERT_EQ(In(host_, "ip link set virbr1 up"), "");
  ASSERT_EQ(In(host_, "ip link set vp11 master virbr1"), "");
  ASSERT_EQ(In(g2_, "ip addr flush dev eth0"), "");
  ASSERT_EQ(In(g2_, "ip addr add 192.168.50.11/24 dev eth0"), "");
  ASSERT_EQ(In(g2_, "ip route add default via 192.168.50.1"), "");

  ASSERT_TRUE(fw_->Apply("default", NatPlanWithForward()).ok());
  xml::NetworkDef iso;
  iso.name = "iso";
  iso.forward.mode = xml::ForwardMode::kNone;
  xml::IpDef ip;
  ip.address = *IpAddress::Parse("192.168.50.1");
  ip.prefix = 24;
  iso.ips.push_back(ip);
  auto plan = PlanFirewall(iso, FirewallFacts{"virbr1"});
  ASSERT_TRUE(plan.ok());
  Status s = fw_->Apply("iso", *plan);
  ASSERT_TRUE(s.ok()) << s.message();

  EXPECT_EQ(Connect(g2_, "198.51.100.2", "9000"), "refused");
  EXPECT_EQ(Connect(g2_, "192.168.122.10", "80"), "refused");
  EXPECT_EQ(Connect(g2_, "192.168.50.1", "8080"), "refused");
  // The nat network keeps working beside it.
  EXPECT_EQ(Connect(wan_, "198.51.100.1", "8080"), "198.51.100.2");

  ASSERT_TRUE(fw_->Remove("iso").ok());
  ASSERT_TRUE(fw_->Remove("default").ok());
  EXPECT_EQ(In(host_, "nft list ruleset"), "");
}

TEST_F(FirewallTrafficTest, RouteModeShowsTheGuestsOwnAddressBothWays) {
  xml::NetworkDef def;
  def.name = "routed";
  def.bridge.name = "virbr0";
  def.forward.mode = xml::ForwardMode::kRoute;
  xml::IpDef ip;
  ip.address = *IpAddress::Parse("192.168.122.1");
  ip.prefix = 24;
  def.ips.push_back(ip);
  ASSERT_TRUE(fw_->Apply(def.name, MustPlan(def)).ok());
  EXPECT_EQ(Connect(g1_, "198.51.100.2", "9000"), "192.168.122.10");
  EXPECT_EQ(Connect(wan_, "192.168.122.10", "80"), "198.51.100.2");
  ASSERT_TRUE(fw_->Remove(def.name).ok());
}

TEST_F(FirewallTrafficTest, Ipv6NatMasqueradesAndForwardsPorts) {
  ASSERT_NO_FATAL_FAILURE(AddIpv6());
  xml::NetworkDef def;
  def.name = "nat6";
  def.bridge.name = "virbr0";
  def.forward.mode = xml::ForwardMode::kNat;
  def.forward.nat_ipv6 = xml::TriState::kYes;
  for (const char* address : {"192.168.122.1", "2001:db8:ca2:2::1"}) {
    xml::IpDef ip;
    ip.address = *IpAddress::Parse(address);
    ip.prefix = ip.address.is_v6() ? 64 : 24;
    def.ips.push_back(ip);
  }
  xml::PortForward pf;
  pf.guest = *IpAddress::Parse("2001:db8:ca2:2::10");
  pf.ranges = {{8443, 8443, 81}};
  def.port_forwards.push_back(pf);
  Status s = fw_->Apply(def.name, MustPlan(def));
  ASSERT_TRUE(s.ok()) << s.message();

  EXPECT_EQ(Connect(g1_, "2001:db8:ffff::2", "9001"), "2001:db8:ffff::1");
  EXPECT_EQ(Connect(wan_, "2001:db8:ffff::1", "8443"), "2001:db8:ffff::2");
  EXPECT_EQ(Connect(host_, "2001:db8:ffff::1", "8443"), "2001:db8:ffff::1");
  EXPECT_EQ(Connect(g2_, "2001:db8:ffff::1", "8443"), "2001:db8:ca2:2::1");
  EXPECT_EQ(Connect(wan_, "2001:db8:ca2:2::10", "81"), "refused");
  // IPv4 keeps working beside it.
  EXPECT_EQ(Connect(g1_, "198.51.100.2", "9000"), "198.51.100.1");
  ASSERT_TRUE(fw_->Remove(def.name).ok());
  EXPECT_EQ(In(host_, "nft list ruleset"), "");
}

}  // namespace
}  // namespace virtnat::driver
