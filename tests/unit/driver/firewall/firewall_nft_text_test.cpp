// nft text of single expressions and of tables with several networks, in
// the layout `nft list ruleset` prints (checked against the kernel by the
// integration test; here the rules of the layout are pinned).

#include <gtest/gtest.h>

#include "driver/firewall/firewall_plan.h"
#include "driver/firewall/nft_text.h"
#include "tests/support/firewall_test_cases.h"

namespace virtnat::driver {
namespace {

IpAddress A(const char* text) { return *IpAddress::Parse(text); }

std::string One(NftExpr e) { return RenderRule(NftRule{{std::move(e)}}); }

TEST(FirewallNftText, Expressions) {
  EXPECT_EQ(One(IfNameMatch{false, "eth0"}), "oifname \"eth0\"");
  EXPECT_EQ(One(NfProtoMatch{IpFamily::kV6}), "meta nfproto ipv6");
  EXPECT_EQ(One(L4ProtoMatch{kProtoUdp}), "meta l4proto udp");
  EXPECT_EQ(One(AddrMatch{true, true, A("10.1.0.0"), 20}), "ip saddr != 10.1.0.0/20");
  EXPECT_EQ(One(AddrMatch{false, false, A("fd00::5"), 128}), "ip6 daddr fd00::5");
  EXPECT_EQ(One(PortMatch{kProtoTcp, {22, 22}}), "tcp dport 22");
  EXPECT_EQ(One(PortMatch{kProtoUdp, {1, 2}}), "udp dport 1-2");
  EXPECT_EQ(One(CtEstablishedMatch{}), "ct state established,related");
  EXPECT_EQ(One(CtDnatMatch{}), "ct status dnat");
  EXPECT_EQ(One(FibLocalMatch{}), "fib daddr type local");
  EXPECT_EQ(One(VmapStmt{MapKey::kL4protoDport, "m"}), "meta l4proto . th dport vmap @m");
  EXPECT_EQ(One(VmapStmt{MapKey::kSaddr6, "m"}), "ip6 saddr vmap @m");
  EXPECT_EQ(One(VerdictStmt{VerdictKind::kJump, "c"}), "jump c");
  EXPECT_EQ(One(RejectStmt{IpFamily::kV6}), "reject with icmpv6 port-unreachable");
  EXPECT_EQ(One(MasqueradeStmt{PortSpan{1024, 1024}}), "masquerade to :1024");
  EXPECT_EQ(One(NatStmt{false, A("10.0.0.1"), A("10.0.0.1"), std::nullopt}), "snat ip to 10.0.0.1");
  EXPECT_EQ(One(NatStmt{true, A("fd00::5"), A("fd00::5"), std::nullopt}), "dnat ip6 to fd00::5");
  EXPECT_EQ(One(NatStmt{true, A("fd00::5"), A("fd00::5"), PortSpan{80, 81}}),
            "dnat ip6 to [fd00::5]:80-81");
}

TEST(FirewallNftText, ElementsOfSeveralNetworksAreLaidOutAsNftDoes) {
  xml::NetworkDef a = FirewallCase("nat-many-ips");
  xml::NetworkDef b = FirewallCase("nat-default");
  b.ips[0].address = A("10.0.0.1");
  b.ips[0].prefix = 8;
  auto pa = PlanFirewall(a, FirewallFacts{"virbr0"});
  auto pb = PlanFirewall(b, FirewallFacts{"virbr1"});
  ASSERT_TRUE(pa.ok() && pb.ok());
  std::string text = RenderTable(pa->Base(), {&pa->rules.get(), &pb->rules.get()});
  // Two IPv4 prefixes per line, in address order across networks.
  EXPECT_NE(text.find("\t\telements = { 10.0.0.0/8 : jump virbr1_nat, 192.168.122.0/24 : jump "
                      "virbr0_nat,\n\t\t\t     192.168.128.0/24 : jump virbr0_nat, "
                      "192.168.150.0/24 : jump virbr0_nat }\n"),
            std::string::npos)
      << text;
  // One interface per line; chains of the first network before the second's.
  EXPECT_NE(text.find("elements = { \"virbr0\" : jump virbr0_in,\n\t\t\t     \"virbr1\" : jump "
                      "virbr1_in }"),
            std::string::npos);
  EXPECT_LT(text.find("chain virbr0_out"), text.find("chain virbr1_in"));
  EXPECT_EQ(text.rfind("\t}\n}\n"), text.size() - 5);
}

}  // namespace
}  // namespace virtnat::driver
