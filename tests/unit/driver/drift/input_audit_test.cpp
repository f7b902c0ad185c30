// The input-hook audit's pure half: chains and rules written here as
// nft_rule_read.h reports them, evaluated for each service of a network.

#include "driver/drift/input_audit.h"

#include <gtest/gtest.h>
#include <linux/in.h>
#include <linux/netfilter.h>

namespace virtnat::driver {
namespace {

using F = NftMatch::Field;
using V = NftRuleInfo::Verdict;

constexpr uint32_t kEstablishedRelated = (1u << 1) | (1u << 2);

NftMatch Is(F field, uint32_t value) { return NftMatch{field, false, "", false, value}; }
NftMatch Name(F field, const char* name, bool prefix = false) {
  return NftMatch{field, false, name, prefix, 0};
}
NftMatch Unknown() { return NftMatch{}; }

NftRuleInfo Rule(std::vector<NftMatch> matches, V verdict, const char* target = "") {
  return NftRuleInfo{std::move(matches), verdict, target};
}

NftChainInfo Chain(uint8_t family, const char* table, const char* name, uint32_t hook,
                   bool policy_drop, std::vector<NftRuleInfo> rules, bool base = true) {
  NftChainInfo c;
  c.family = family;
  c.table = table;
  c.name = name;
  c.base = base;
  c.hook = base ? hook : 0;
  c.policy_drop = policy_drop;
  c.rule_list = std::move(rules);
  c.rules = c.rule_list.size();
  return c;
}

// A typical host firewall: loopback and established traffic, ssh.
std::vector<NftRuleInfo> HostFirewall() {
  return {Rule({Name(F::kIifname, "lo")}, V::kAccept),
          Rule({Is(F::kCtState, kEstablishedRelated)}, V::kAccept),
          Rule({Is(F::kL4proto, IPPROTO_TCP), Is(F::kDestPort, 22)}, V::kAccept)};
}

InputAuditNetwork Default() {
  InputAuditNetwork n{"default", "virbr0", {}};
  n.services.dns4 = n.services.dhcp4 = true;
  return n;
}

std::vector<std::string> Messages(const std::vector<InputDropFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.message);
  return out;
}

TEST(FindInputDropsTest, InputPolicyDropNamesTheServicesAndTheFix) {
  NftInventory inv;
  inv.chains = {Chain(NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, true, HostFirewall())};
  EXPECT_EQ(Messages(FindInputDrops(inv, {Default()})),
            std::vector<std::string>{
                "table inet filter chain input (hook input, priority 0) may drop DHCP (udp 67), "
                "DNS (udp 53), DNS (tcp 53) that guests of network 'default' send to the host "
                "(policy drop); accept them there (nft insert rule inet filter input iifname "
                "\"virbr0\" accept)"});
}

TEST(FindInputDropsTest, AcceptingTheBridgeOrEachServiceClearsTheFinding) {
  NftInventory inv;
  std::vector<NftRuleInfo> rules = HostFirewall();
  rules.insert(rules.begin(), Rule({Name(F::kIifname, "virbr0")}, V::kAccept));
  inv.chains = {Chain(NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, true, rules)};
  EXPECT_TRUE(FindInputDrops(inv, {Default()}).empty());

  rules = HostFirewall();
  rules.push_back(
      Rule({Name(F::kIifname, "virbr"), Is(F::kL4proto, IPPROTO_UDP), Is(F::kDestPort, 67)},
           V::kAccept));
  rules.back().matches[0].prefix = true;  // iifname "virbr*"
  rules.push_back(Rule({Is(F::kL4proto, IPPROTO_UDP), Is(F::kDestPort, 53)}, V::kAccept));
  inv.chains = {Chain(NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, true, rules)};
  // TCP DNS is still dropped.
  std::vector<InputDropFinding> findings = FindInputDrops(inv, {Default()});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("may drop DNS (tcp 53) that"), std::string::npos);
}

TEST(FindInputDropsTest, ARuleDroppingTheServiceIsNamedEvenWithPolicyAccept) {
  NftInventory inv;
  inv.chains = {Chain(NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, false,
                      {Rule({Is(F::kL4proto, IPPROTO_UDP), Is(F::kDestPort, 67)}, V::kDrop)})};
  EXPECT_EQ(Messages(FindInputDrops(inv, {Default()})),
            std::vector<std::string>{
                "table ip filter chain INPUT (hook input, priority 0) may drop DHCP (udp 67) that "
                "guests of network 'default' send to the host (rule 1 drops them); accept them "
                "there (iptables -I INPUT -i virbr0 -j ACCEPT)"});
}

TEST(FindInputDropsTest, JumpsAreFollowedAndUnreadableAcceptsAreGivenTheBenefit) {
  NftInventory inv;
  inv.chains = {
      Chain(NFPROTO_INET, "fw", "input", NF_INET_LOCAL_IN, true,
            {Rule({}, V::kJump, "allow"), Rule({Name(F::kIifname, "virbr0")}, V::kGoto, "deny")}),
      Chain(NFPROTO_INET, "fw", "allow", 0, false,
            {Rule({Is(F::kL4proto, IPPROTO_UDP), Unknown()}, V::kAccept)}, false),
      Chain(NFPROTO_INET, "fw", "deny", 0, false, {Rule({}, V::kDrop)}, false)};
  // udp: the set lookup in `allow` may accept it; tcp 53 reaches `deny`.
  EXPECT_EQ(Messages(FindInputDrops(inv, {Default()})),
            std::vector<std::string>{
                "table inet fw chain input (hook input, priority 0) may drop DNS (tcp 53) that "
                "guests of network 'default' send to the host (rule 1 of chain deny drops them); "
                "accept them there (nft insert rule inet fw input iifname \"virbr0\" accept)"});
}

TEST(FindInputDropsTest, FamiliesServicesAndOtherBridgesAreRespected) {
  NftInventory inv;
  inv.chains = {Chain(NFPROTO_IPV6, "filter", "INPUT", NF_INET_LOCAL_IN, true, {}),
                Chain(NFPROTO_INET, "virtnat", "input", NF_INET_LOCAL_IN, true, {}),  // ours
                Chain(NFPROTO_INET, "other", "input", NF_INET_LOCAL_IN, true,
                      {Rule({Name(F::kIifname, "virbr0"), Name(F::kIifname, "br1")}, V::kAccept),
                       Rule({Name(F::kIifname, "br1")}, V::kAccept)}),
                Chain(NFPROTO_INET, "other", "forward", NF_INET_FORWARD, true, {})};
  InputAuditNetwork v6{"six", "br6", {}};
  v6.services.dhcp6 = v6.services.dns6 = true;
  InputAuditNetwork none{"isolated", "br7", {}};
  InputAuditNetwork br1{"one", "br1", {}};
  br1.services.dhcp4 = br1.services.tftp = true;
  EXPECT_EQ(Messages(FindInputDrops(inv, {Default(), v6, none, br1})),
            (std::vector<std::string>{
                "table inet other chain input (hook input, priority 0) may drop DHCP (udp 67), "
                "DNS (udp 53), DNS (tcp 53) that guests of network 'default' send to the host "
                "(policy drop); accept them there (nft insert rule inet other input iifname "
                "\"virbr0\" accept)",
                "table inet other chain input (hook input, priority 0) may drop DHCPv6 (udp 547), "
                "DNS (udp 53), DNS (tcp 53) that guests of network 'six' send to the host (policy "
                "drop); accept them there (nft insert rule inet other input iifname \"br6\" "
                "accept)",
                "table ip6 filter chain INPUT (hook input, priority 0) may drop DHCPv6 (udp 547), "
                "DNS (udp 53), DNS (tcp 53) that guests of network 'six' send to the host (policy "
                "drop); accept them there (ip6tables -I INPUT -i br6 -j ACCEPT)"}));
}

TEST(FindInputDropsTest, OutputPolicyDropBlocksDhcpRepliesButNotTrackedDnsAnswers) {
  NftInventory inv;
  inv.chains = {Chain(NFPROTO_INET, "filter", "output", NF_INET_LOCAL_OUT, true,
                      {Rule({Is(F::kCtState, kEstablishedRelated)}, V::kAccept)})};
  EXPECT_EQ(Messages(FindInputDrops(inv, {Default()})),
            std::vector<std::string>{
                "table inet filter chain output (hook output, priority 0) may drop DHCP replies "
                "(udp 68) the host sends to guests of network 'default' (policy drop); accept "
                "them there (nft insert rule inet filter output oifname \"virbr0\" accept)"});
  inv.chains[0].rule_list.push_back(Rule({Name(F::kOifname, "virbr0")}, V::kAccept));
  EXPECT_TRUE(FindInputDrops(inv, {Default()}).empty());
}

TEST(EvaluateChainTest, NegatedMatchesAndReturnsFallThroughToThePolicy) {
  NftInventory inv;
  inv.chains = {Chain(NFPROTO_INET, "t", "sub", 0, false,
                      {Rule({Name(F::kIifname, "virbr0")}, V::kReturn), Rule({}, V::kAccept)},
                      false)};
  NftChainInfo base = Chain(NFPROTO_INET, "t", "input", NF_INET_LOCAL_IN, true,
                            {Rule({NftMatch{F::kIifname, true, "virbr0", false, 0}}, V::kAccept),
                             Rule({}, V::kJump, "sub")});
  NftPacket dns{NFPROTO_IPV4, "virbr0", "", IPPROTO_UDP, 40000, 53, 1u << 3};
  EXPECT_EQ(EvaluateChain(inv, base, dns).kind, ChainVerdict::Kind::kPolicyDrop);
  dns.iif = "eth0";
  EXPECT_EQ(EvaluateChain(inv, base, dns).kind, ChainVerdict::Kind::kAccepted);
}

}  // namespace
}  // namespace virtnat::driver
