// The libnftnl batches against a real kernel, inside a network namespace
// this test creates and always deletes. The ruleset is read back with the
// `nft` tool and compared with the text rendering byte for byte.

#include "driver/firewall/firewall_nft.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "driver/firewall/firewall_record.h"
#include "driver/firewall/nft_text.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;
using xml::IpDef;
using xml::NetworkDef;

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

NetworkDef Nat(const std::string& bridge, const char* address) {
  NetworkDef def;
  def.name = bridge + "-net";
  def.bridge.name = bridge;
  def.forward.mode = ForwardMode::kNat;
  IpDef ip;
  ip.address = *IpAddress::Parse(address);
  ip.prefix = 24;
  def.ips.push_back(ip);
  return def;
}

FirewallPlan Plan(const NetworkDef& def) {
  auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  return plan.ok() ? *plan : FirewallPlan{};
}

// Moves this thread into a fresh namespace for the test and back after it.
class FirewallNftTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "integration tests run as root";
    ns_ = "vnt-fw-" + std::to_string(getpid());
    ASSERT_EQ(Shell("ip netns add " + ns_), "");
    created_ = true;
    home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(home_, 0);
    int fd = open(("/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(setns(fd, CLONE_NEWNET), 0);
    close(fd);
    auto fw = NftFirewall::Open();
    ASSERT_TRUE(fw.ok()) << fw.error().message;
    fw_ = std::move(*fw);
  }

  void TearDown() override {
    fw_.reset();  // its socket belongs to the test namespace
    if (home_ >= 0) {
      EXPECT_EQ(setns(home_, CLONE_NEWNET), 0);
      close(home_);
    }
    if (created_) {
      EXPECT_EQ(Shell("ip netns del " + ns_), "");
    }
  }

  std::string Nft(const std::string& args) {
    return Shell("ip netns exec " + ns_ + " nft " + args);
  }
  std::string Ruleset() { return Nft("list ruleset"); }

  std::string ns_;
  bool created_ = false;
  int home_ = -1;
  std::unique_ptr<NftFirewall> fw_;
};

TEST_F(FirewallNftTest, AppliedRulesetReadsBackAsRenderedAndRemovesCleanly) {
  NetworkDef def = Nat("virbr0", "192.168.122.1");
  def.forward.dev = "eth0";
  def.forward.nat_port = xml::PortRange{500, 1000};
  IpDef ip6;
  ip6.address = *IpAddress::Parse("2001:db8:ca2:2::1");
  ip6.prefix = 64;
  ip6.tftp_root = "/srv/tftp";
  def.ips.push_back(ip6);
  def.forward.nat_ipv6 = xml::TriState::kYes;
  FirewallPlan plan = Plan(def);
  ASSERT_TRUE(fw_->Apply(def.name, plan).ok());
  EXPECT_EQ(Ruleset(), RenderPlan(plan));
  Status s = fw_->Remove(def.name);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Ruleset(), "");
}

TEST_F(FirewallNftTest, EveryModeAndPortForwardsReadBack) {
  std::vector<NetworkDef> defs;
  for (ForwardMode mode :
       {ForwardMode::kNone, ForwardMode::kRoute, ForwardMode::kOpen, ForwardMode::kNat}) {
    NetworkDef def = Nat("virbr7", "10.7.0.1");
    def.forward.mode = mode;
    if (mode != ForwardMode::kNone) {
      xml::PortForward tcp;
      tcp.guest = *IpAddress::Parse("10.7.0.10");
      tcp.ranges = {{8080, 8080, 80}, {5000, 5010, 0}, {7000, 7002, 9000}};
      xml::PortForward udp;
      udp.proto = xml::PortProtocol::kUdp;
      udp.guest = *IpAddress::Parse("10.7.0.11");
      udp.address = *IpAddress::Parse("192.0.2.1");
      udp.dev = "eth0";
      udp.ranges = {{53, 53, 5353}};
      xml::PortForward v6;
      v6.guest = *IpAddress::Parse("fd00::10");
      v6.ranges = {{8443, 8443, 443}};
      def.port_forwards = {tcp, udp, v6};
    }
    defs.push_back(def);
  }
  for (const NetworkDef& def : defs) {
    SCOPED_TRACE(xml::ForwardModeName(def.forward.mode));
    FirewallPlan plan = Plan(def);
    Status s = fw_->Apply(def.name, plan);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(Ruleset(), RenderPlan(plan));
    s = fw_->Remove(def.name);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(Ruleset(), "");
  }
}

TEST_F(FirewallNftTest, RemovingOneNetworkLeavesTheOtherAndForeignTablesIntact) {
  ASSERT_EQ(Nft("add table ip foreign"), "");
  ASSERT_EQ(Nft("'add chain ip foreign input { type filter hook input priority 0; }'"), "");
  ASSERT_EQ(Nft("add rule ip foreign input tcp dport 22 accept"), "");
  const std::string foreign = Ruleset();

  NetworkDef a = Nat("virbr0", "192.168.122.1");
  NetworkDef b = Nat("virbr1", "192.168.100.1");
  b.forward.mode = ForwardMode::kRoute;
  FirewallPlan pa = Plan(a), pb = Plan(b);
  ASSERT_TRUE(fw_->Apply(a.name, pa).ok());
  EXPECT_EQ(Ruleset(), foreign + RenderPlan(pa));
  ASSERT_TRUE(fw_->Apply(b.name, pb).ok());
  std::vector<std::string> b_chains;
  for (const NftChain& c : pb.rules->chains) {
    b_chains.push_back(Nft("list chain inet virtnat " + c.name));
  }
  ASSERT_TRUE(fw_->Remove(a.name).ok());
  for (size_t i = 0; i < pb.rules->chains.size(); ++i) {
    EXPECT_EQ(Nft("list chain inet virtnat " + pb.rules->chains[i].name), b_chains[i]);
  }
  EXPECT_EQ(Ruleset(), foreign + RenderPlan(pb));
  ASSERT_TRUE(fw_->Remove(b.name).ok());
  EXPECT_EQ(Ruleset(), foreign);
}

TEST_F(FirewallNftTest, ABatchWithOneBadElementAppliesNothing) {
  NetworkDef def = Nat("virbr0", "192.168.122.1");
  FirewallPlan plan = Plan(def);
  NftNetworkRules bad = plan.rules;
  bad.elements.push_back({kMapFwdIn, IfNameKey{"virbr9"}, {VerdictKind::kJump, "missing_chain"}});
  auto batch = BuildAddBatch(plan.Base(), bad, fw_->next_seq());
  ASSERT_TRUE(batch.ok());
  Status s = fw_->Send(*batch);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("add element fwd_in"), std::string::npos) << s.message();
  EXPECT_EQ(Ruleset(), "");
}

TEST_F(FirewallNftTest, ASecondNetworkOnTheSameBridgeFailsWithoutTouchingTheFirst) {
  NetworkDef a = Nat("virbr0", "192.168.122.1");
  FirewallPlan pa = Plan(a);
  ASSERT_TRUE(fw_->Apply(a.name, pa).ok());
  const std::string before = Ruleset();
  NetworkDef b = Nat("virbr0", "192.168.5.1");
  b.name = "other";
  Status s = fw_->Apply(b.name, Plan(b));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("failed to apply firewall rules of network 'other': interface "
                             "virbr0 is already used by network 'virbr0-net'"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(Ruleset(), before);
  EXPECT_EQ(fw_->Applied("other"), nullptr);
  ASSERT_TRUE(fw_->Remove(a.name).ok());
  EXPECT_EQ(Ruleset(), "");
}

TEST_F(FirewallNftTest, AHostPortForwardedByTwoNetworksFailsNamingThePort) {
  NetworkDef a = Nat("virbr0", "192.168.122.1");
  xml::PortForward pf;
  pf.guest = *IpAddress::Parse("192.168.122.10");
  pf.ranges = {{8080, 8080, 80}};
  a.port_forwards = {pf};
  NetworkDef b = Nat("virbr1", "192.168.100.1");
  pf.guest = *IpAddress::Parse("192.168.100.10");
  pf.ranges = {{8000, 8100, 8000}};
  b.port_forwards = {pf};
  ASSERT_TRUE(fw_->Apply(a.name, Plan(a)).ok());
  const std::string before = Ruleset();
  Status s = fw_->Apply(b.name, Plan(b));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), VIR_ERR_OPERATION_INVALID);
  EXPECT_NE(s.message().find("failed to apply firewall rules of network 'virbr1-net': host port "
                             "tcp 8000-8100 is already forwarded by network 'virbr0-net' (host "
                             "port tcp 8080)"),
            std::string::npos)
      << s.message();
  // The kernel itself refuses the exact same key.
  NftNetworkRules same;
  same.elements.push_back(
      {kMapDnat, ProtoPortsKey{kProtoTcp, {8080, 8080}}, {VerdictKind::kJump, "virbr0_dnat"}});
  auto batch = BuildAddBatch(VirtnatBase(), same, fw_->next_seq());
  ASSERT_TRUE(batch.ok());
  s = fw_->Send(*batch);
  EXPECT_NE(s.message().find("add element portfwd { tcp . 8080 : jump virbr0_dnat }: File exists"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(Ruleset(), before);
}

TEST_F(FirewallNftTest, ARestartedDaemonRemovesRulesFromTheStoredRecord) {
  NetworkDef a = Nat("virbr0", "192.168.122.1");
  NetworkDef b = Nat("virbr1", "192.168.100.1");
  FirewallPlan pa = Plan(a), pb = Plan(b);
  ASSERT_TRUE(fw_->Apply(a.name, pa).ok());
  ASSERT_TRUE(fw_->Apply(b.name, pb).ok());
  const std::string record_a = FormatFirewallRecord(*fw_->Applied(a.name));
  const std::string record_b = FormatFirewallRecord(*fw_->Applied(b.name));

  auto restarted = NftFirewall::Open();  // still inside the test namespace
  ASSERT_TRUE(restarted.ok());
  fw_ = std::move(*restarted);
  auto ra = ParseFirewallRecord(record_a);
  auto rb = ParseFirewallRecord(record_b);
  ASSERT_TRUE(ra.ok() && rb.ok());
  fw_->Adopt(a.name, *ra);
  fw_->Adopt(b.name, *rb);
  ASSERT_TRUE(fw_->Remove(a.name).ok());
  EXPECT_EQ(Ruleset(), RenderPlan(pb));
  ASSERT_TRUE(fw_->Remove(b.name).ok());
  EXPECT_EQ(Ruleset(), "");
}

// A daemon killed halfway through a stop, then restarted: the record names
// objects that are gone already, and the rest must still go.
TEST_F(FirewallNftTest, RemovingRulesSomeOfWhichAreGoneRemovesTheRest) {
  NetworkDef a = Nat("virbr0", "192.168.122.1");
  NetworkDef b = Nat("virbr1", "192.168.100.1");
  FirewallPlan pa = Plan(a), pb = Plan(b);
  ASSERT_TRUE(fw_->Apply(a.name, pa).ok());
  ASSERT_TRUE(fw_->Apply(b.name, pb).ok());
  ASSERT_EQ(Nft("delete element inet virtnat fwd_in '{ \"virbr0\" }'"), "");
  ASSERT_EQ(Nft("delete element inet virtnat fwd_out '{ \"virbr0\" }'"), "");
  ASSERT_EQ(Nft("delete chain inet virtnat virbr0_in"), "");
  Status s = fw_->Remove(a.name);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Ruleset(), RenderPlan(pb));
  EXPECT_EQ(fw_->Applied(a.name), nullptr);
  // The last network takes the table along even when its own chains are gone.
  ASSERT_EQ(Nft("delete element inet virtnat host_in '{ \"virbr1\" }'"), "");
  s = fw_->Remove(b.name);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Ruleset(), "");
}

// The golden text is valid nft input: loading it with `nft -f` gives the
// same listing, so the files can be applied by hand when debugging.
TEST_F(FirewallNftTest, GoldenTextLoadsWithNft) {
  const std::string dir = std::string(VIRTNAT_TEST_DATA_DIR) + "/firewall/";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".nft") continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(Nft("-f " + entry.path().string()), "");
    EXPECT_EQ(Ruleset(), text.str());
    EXPECT_EQ(Nft("delete table inet virtnat"), "");
    ++checked;
  }
  EXPECT_GE(checked, 12);
}

}  // namespace
}  // namespace virtnat::driver
