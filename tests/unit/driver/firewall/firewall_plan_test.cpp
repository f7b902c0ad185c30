// The planner's behaviour per forward mode and for port forwards, checked on
// the plan's values and on single rendered rules.

#include "driver/firewall/firewall_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "driver/firewall/nft_text.h"
#include "tests/support/firewall_test_cases.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;
using xml::NetworkDef;

FirewallPlan MustPlan(const NetworkDef& def, const std::string& bridge = "virbr0") {
  auto plan = PlanFirewall(def, FirewallFacts{bridge});
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  return plan.ok() ? *plan : FirewallPlan{};
}

const NftChain* FindChain(const FirewallPlan& plan, const std::string& name) {
  for (const NftChain& c : plan.rules->chains) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> Rules(const FirewallPlan& plan, const std::string& chain) {
  std::vector<std::string> out;
  if (const NftChain* c = FindChain(plan, chain)) {
    for (const NftRule& r : c->rules) out.push_back(RenderRule(r));
  }
  return out;
}

std::vector<std::string> Elements(const FirewallPlan& plan, const std::string& map) {
  std::vector<std::string> out;
  for (const NftElement& e : plan.rules->elements) {
    if (e.map == map) out.push_back(RenderElement(e));
  }
  return out;
}

xml::PortForward Forward(const char* guest, unsigned start, unsigned end, unsigned to) {
  xml::PortForward pf;
  pf.guest = *IpAddress::Parse(guest);
  pf.ranges = {{start, end, to}};
  return pf;
}

TEST(FirewallPlan, NatDefaultMatchesLibvirtsRules) {
  FirewallPlan plan = MustPlan(FirewallCase("nat-default"));
  EXPECT_EQ(
      Rules(plan, "virbr0_in"),
      (std::vector<std::string>{"iifname \"virbr0\" accept",
                                "ip daddr 192.168.122.0/24 ct state established,related accept",
                                "reject with icmp port-unreachable"}));
  EXPECT_EQ(Rules(plan, "virbr0_out"),
            (std::vector<std::string>{"ip saddr 192.168.122.0/24 accept",
                                      "reject with icmp port-unreachable"}));
  EXPECT_EQ(Elements(plan, kMapNat4),
            std::vector<std::string>{"192.168.122.0/24 : jump virbr0_nat"});
  EXPECT_TRUE(Elements(plan, kMapNat6).empty());
  EXPECT_EQ(Rules(plan, "virbr0_nat").size(), 5u);
  EXPECT_EQ(FindChain(plan, "virbr0_dnat"), nullptr);
}

TEST(FirewallPlan, OpenNetworkAddsNothing) {
  NetworkDef def = FirewallCase("nat-default");
  def.forward.mode = ForwardMode::kOpen;
  FirewallPlan plan = MustPlan(def);
  EXPECT_TRUE(plan.rules->empty());
  EXPECT_EQ(RenderPlan(plan), "");
}

TEST(FirewallPlan, IsolatedRejectsBothFamiliesOnlyWithIpv6) {
  NetworkDef def = FirewallCase("nat-default");
  def.forward.mode = ForwardMode::kNone;
  FirewallPlan v4 = MustPlan(def);
  EXPECT_EQ(
      Rules(v4, "virbr0_in"),
      (std::vector<std::string>{"iifname \"virbr0\" accept", "reject with icmp port-unreachable"}));
  EXPECT_EQ(Rules(v4, "virbr0_out"), std::vector<std::string>{"reject with icmp port-unreachable"});
  def.ipv6 = true;  // <network ipv6='yes'>: libvirt adds the IPv6 rules too
  FirewallPlan both = MustPlan(def);
  EXPECT_EQ(Rules(both, "virbr0_out"), std::vector<std::string>{"reject"});
  EXPECT_EQ(FindChain(both, "virbr0_nat"), nullptr);
}

TEST(FirewallPlan, RouteAcceptsWithoutConntrackAndNeverMasquerades) {
  NetworkDef def = FirewallCase("route-default");
  def.forward.dev = "eth1";
  FirewallPlan plan = MustPlan(def);
  EXPECT_EQ(Rules(plan, "virbr0_in")[1], "iifname \"eth1\" ip daddr 192.168.122.0/24 accept");
  EXPECT_EQ(Rules(plan, "virbr0_out")[0], "ip saddr 192.168.122.0/24 oifname \"eth1\" accept");
  EXPECT_EQ(FindChain(plan, "virbr0_nat"), nullptr);
  EXPECT_TRUE(Elements(plan, kMapNat4).empty());
}

TEST(FirewallPlan, NatIpv6IsRoutedUnlessMasqueradeIsAsked) {
  FirewallPlan routed = MustPlan(FirewallCase("nat-ipv6"));
  EXPECT_TRUE(Elements(routed, kMapNat6).empty());
  EXPECT_EQ(Rules(routed, "virbr0_in")[2], "ip6 daddr 2001:db8:ca2:2::/64 accept");
  FirewallPlan masq = MustPlan(FirewallCase("nat-ipv6-masquerade"));
  EXPECT_EQ(Elements(masq, kMapNat6),
            std::vector<std::string>{"2001:db8:ca2:2::/64 : jump virbr0_nat"});
  auto nat = Rules(masq, "virbr0_nat");
  EXPECT_NE(
      std::find(nat.begin(), nat.end(), "ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr ff02::/16 return"),
      nat.end());
}

TEST(FirewallPlan, NatAddressBecomesSnatWithThePortRange) {
  NetworkDef def = FirewallCase("forward-dev");
  def.forward.nat_address =
      xml::AddressRange{*IpAddress::Parse("10.0.0.1"), *IpAddress::Parse("10.0.0.5")};
  def.forward.nat_port = xml::PortRange{2000, 3000};
  auto nat = Rules(MustPlan(def), "virbr0_nat");
  ASSERT_EQ(nat.size(), 5u);
  EXPECT_EQ(nat[2],
            "meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 oifname "
            "\"enp0s7\" snat ip to 10.0.0.1-10.0.0.5:2000-3000");
  EXPECT_EQ(nat[4],
            "ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 oifname \"enp0s7\" snat ip to "
            "10.0.0.1-10.0.0.5");
}

TEST(FirewallPlan, TftpIsAcceptedToTheHost) {
  auto in = Rules(MustPlan(FirewallCase("nat-tftp")), "virbr0_hostin");
  EXPECT_EQ(in.front(), "udp dport 69 accept");
  auto plain = Rules(MustPlan(FirewallCase("nat-default")), "virbr0_hostin");
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "udp dport 69 accept"), 0);
}

TEST(FirewallPlan, UnmanagedModesAndMissingBridgeAreRefused) {
  NetworkDef def = FirewallCase("nat-default");
  def.forward.mode = ForwardMode::kBridge;
  auto bridge = PlanFirewall(def, FirewallFacts{"virbr0"});
  ASSERT_FALSE(bridge.ok());
  EXPECT_EQ(bridge.error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_FALSE(PlanFirewall(FirewallCase("nat-default"), FirewallFacts{""}).ok());
}

TEST(FirewallPlan, EveryJumpTargetIsAChainOfTheNetworkAndNamesAreUnique) {
  for (const char* name : kFirewallCases) {
    SCOPED_TRACE(name);
    FirewallPlan plan = MustPlan(FirewallCase(name), "br-x");
    std::set<std::string> chains;
    for (const NftChain& c : plan.rules->chains) {
      EXPECT_TRUE(chains.insert(c.name).second) << c.name;
      EXPECT_EQ(c.name.rfind("br-x_", 0), 0u) << c.name;
      EXPECT_EQ(c.hook, ChainHook::kNone);
    }
    std::set<std::string> maps;
    for (const NftMap& m : plan.Base().maps) maps.insert(m.name);
    for (const NftElement& e : plan.rules->elements) {
      EXPECT_TRUE(maps.count(e.map)) << e.map;
      EXPECT_TRUE(chains.count(e.verdict.chain)) << e.verdict.chain;
    }
  }
}

TEST(FirewallPlan, BaseIsTheSameForEveryNetwork) {
  EXPECT_EQ(MustPlan(FirewallCase("isolated")).Base(),
            MustPlan(FirewallCase("port-forwards")).Base());
  EXPECT_EQ(MustPlan(FirewallCase("isolated")).Base(), VirtnatBase());
}

TEST(FirewallPlan, EveryPlanSharesOneBase) {
  FirewallPlan a = MustPlan(FirewallCase("isolated"));
  FirewallPlan b = MustPlan(FirewallCase("port-forwards"));
  ASSERT_NE(a.base, nullptr);
  EXPECT_EQ(a.base.get(), b.base.get());
  EXPECT_TRUE(FirewallPlan{}.Base().maps.empty());
  EXPECT_TRUE(FirewallPlan{}.Base().chains.empty());
}

TEST(FirewallPortForwards, DnatOnlyForTheHostAndForwardOnlyTranslatedTraffic) {
  NetworkDef def = FirewallCase("nat-default");
  def.port_forwards = {Forward("192.168.122.140", 80, 80, 80)};
  FirewallPlan plan = MustPlan(def);
  EXPECT_EQ(Rules(plan, "virbr0_dnat"),
            std::vector<std::string>{
                "meta nfproto ipv4 fib daddr type local tcp dport 80 dnat ip to 192.168.122.140"});
  EXPECT_EQ(Elements(plan, kMapDnat), std::vector<std::string>{"tcp . 80 : jump virbr0_dnat"});
  auto in = Rules(plan, "virbr0_in");
  EXPECT_EQ(in[in.size() - 2], "ip daddr 192.168.122.140 tcp dport 80 ct status dnat return");
  EXPECT_EQ(Rules(plan, "virbr0_hairpin"),
            std::vector<std::string>{"ip saddr 192.168.122.0/24 ip daddr 192.168.122.140 tcp "
                                     "dport 80 ct status dnat masquerade"});
  EXPECT_EQ(Elements(plan, kMapHairpin),
            std::vector<std::string>{"\"virbr0\" : jump virbr0_hairpin"});
}

TEST(FirewallPortForwards, ListenAddressAndDeviceRestrictTheDnat) {
  NetworkDef def = FirewallCase("nat-default");
  xml::PortForward pf = Forward("192.168.122.9", 8080, 8080, 80);
  pf.proto = xml::PortProtocol::kUdp;
  pf.address = IpAddress::Parse("198.51.100.7");
  pf.dev = "wan0";
  def.port_forwards = {pf};
  EXPECT_EQ(Rules(MustPlan(def), "virbr0_dnat"),
            std::vector<std::string>{"iifname \"wan0\" ip daddr 198.51.100.7 udp dport 8080 dnat "
                                     "ip to 192.168.122.9:80"});
}

TEST(FirewallPortForwards, ShiftedRangesBecomeOneRulePerPort) {
  NetworkDef def = FirewallCase("nat-default");
  def.port_forwards = {Forward("192.168.122.9", 7000, 7002, 9000)};
  FirewallPlan plan = MustPlan(def);
  auto dnat = Rules(plan, "virbr0_dnat");
  ASSERT_EQ(dnat.size(), 3u);
  EXPECT_EQ(dnat[2],
            "meta nfproto ipv4 fib daddr type local tcp dport 7002 dnat ip to "
            "192.168.122.9:9002");
  EXPECT_EQ(Elements(plan, kMapDnat),
            std::vector<std::string>{"tcp . 7000-7002 : jump virbr0_dnat"});
  def.port_forwards = {Forward("192.168.122.9", 7000, 7000 + 256, 9000)};
  EXPECT_FALSE(PlanFirewall(def, FirewallFacts{"virbr0"}).ok());
}

TEST(FirewallPortForwards, SamePortsOnTwoAddressesShareOneMapEntry) {
  NetworkDef def = FirewallCase("nat-default");
  xml::PortForward a = Forward("192.168.122.9", 80, 80, 80);
  a.address = IpAddress::Parse("198.51.100.7");
  xml::PortForward b = Forward("192.168.122.10", 80, 80, 80);
  b.address = IpAddress::Parse("198.51.100.8");
  def.port_forwards = {a, b};
  FirewallPlan plan = MustPlan(def);
  EXPECT_EQ(Elements(plan, kMapDnat).size(), 1u);
  EXPECT_EQ(Rules(plan, "virbr0_dnat").size(), 2u);
}

TEST(FirewallPortForwards, ImpossibleForwardsAreRefused) {
  NetworkDef overlap = FirewallCase("nat-default");
  overlap.port_forwards = {Forward("192.168.122.9", 80, 90, 80),
                           Forward("192.168.122.10", 85, 85, 85)};
  auto r = PlanFirewall(overlap, FirewallFacts{"virbr0"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("overlap"), std::string::npos) << r.error().message;

  NetworkDef udp_ok = overlap;  // the same ports over another protocol are fine
  udp_ok.port_forwards[1].proto = xml::PortProtocol::kUdp;
  EXPECT_TRUE(PlanFirewall(udp_ok, FirewallFacts{"virbr0"}).ok());

  NetworkDef isolated = FirewallCase("isolated");
  isolated.port_forwards = {Forward("192.168.122.9", 80, 80, 80)};
  EXPECT_FALSE(PlanFirewall(isolated, FirewallFacts{"virbr0"}).ok());

  NetworkDef mixed = FirewallCase("nat-default");
  mixed.port_forwards = {Forward("192.168.122.9", 80, 80, 80)};
  mixed.port_forwards[0].address = IpAddress::Parse("2001:db8::1");
  EXPECT_FALSE(PlanFirewall(mixed, FirewallFacts{"virbr0"}).ok());

  NetworkDef too_high = FirewallCase("nat-default");
  too_high.port_forwards = {Forward("192.168.122.9", 65535, 65535, 65535)};
  too_high.port_forwards[0].ranges[0].to = 0;
  EXPECT_TRUE(PlanFirewall(too_high, FirewallFacts{"virbr0"}).ok());
  too_high.port_forwards[0].ranges[0] = {65530, 65535, 65533};
  EXPECT_FALSE(PlanFirewall(too_high, FirewallFacts{"virbr0"}).ok());
}

TEST(FirewallPortForwards, OpenNetworksGetOnlyTheDnatPart) {
  NetworkDef def = FirewallCase("nat-default");
  def.forward.mode = ForwardMode::kOpen;
  def.port_forwards = {Forward("192.168.122.9", 80, 80, 80)};
  FirewallPlan plan = MustPlan(def);
  std::vector<std::string> names;
  for (const NftChain& c : plan.rules->chains) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"virbr0_dnat", "virbr0_hairpin"}));
}

}  // namespace
}  // namespace virtnat::driver
