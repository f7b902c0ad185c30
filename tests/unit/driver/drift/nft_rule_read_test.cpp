// Decoding rules as the kernel reports them: libnftnl rules built here
// with the expressions nft and iptables-nft generate.

#include "driver/drift/nft_rule_read.h"

#include <gtest/gtest.h>
#include <libnftnl/expr.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cstring>
#include <string>

#include "driver/firewall/nft_ptr.h"

namespace virtnat::driver {
namespace {

using F = NftMatch::Field;
using V = NftRuleInfo::Verdict;

class RuleBuilder {
 public:
  RuleBuilder() : rule_(nftnl_rule_alloc()) {}
  RuleBuilder& Meta(uint32_t key) {
    nftnl_expr* e = Add("meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
    return *this;
  }
  RuleBuilder& Payload(uint32_t base, uint32_t offset, uint32_t len) {
    nftnl_expr* e = Add("payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
    return *this;
  }
  RuleBuilder& CtState(uint32_t mask) {
    nftnl_expr* e = Add("ct");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
    e = Add("bitwise");
    uint32_t zero = 0;
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
    return Cmp(NFT_CMP_NEQ, &zero, 4);
  }
  RuleBuilder& Cmp(uint32_t op, const void* data, uint32_t len) {
    nftnl_expr* e = Add("cmp");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
    return *this;
  }
  RuleBuilder& Name(const char* name, bool exact = true) {
    char data[16] = {};
    std::strncpy(data, name, sizeof(data) - 1);
    return Cmp(NFT_CMP_EQ, data, exact ? sizeof(data) : std::strlen(name));
  }
  RuleBuilder& Byte(uint8_t value) { return Cmp(NFT_CMP_EQ, &value, 1); }
  RuleBuilder& Port(uint16_t port) {
    uint8_t be[2] = {static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
    return Cmp(NFT_CMP_EQ, be, 2);
  }
  RuleBuilder& Counter() {
    Add("counter");
    return *this;
  }
  RuleBuilder& Lookup() {
    nftnl_expr* e = Add("lookup");
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set0");
    return *this;
  }
  RuleBuilder& Verdict(int verdict, const char* chain = nullptr) {
    nftnl_expr* e = Add("immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, static_cast<uint32_t>(verdict));
    if (chain) nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
    return *this;
  }
  NftRuleInfo Read() { return ReadRuleInfo(rule_.get()); }

 private:
  nftnl_expr* Add(const char* name) {
    nftnl_expr* e = nftnl_expr_alloc(name);
    nftnl_rule_add_expr(rule_.get(), e);
    return e;
  }
  NftnlRulePtr rule_;
};

TEST(ReadRuleInfoTest, IptablesNftAcceptOfUdpPortOnAnInterface) {
  // iptables -A INPUT -i virbr0 -p udp --dport 67 -j ACCEPT
  NftRuleInfo rule = RuleBuilder()
                         .Meta(NFT_META_IIFNAME)
                         .Name("virbr0")
                         .Payload(NFT_PAYLOAD_NETWORK_HEADER, 9, 1)
                         .Byte(17)
                         .Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2)
                         .Port(67)
                         .Counter()
                         .Verdict(NF_ACCEPT)
                         .Read();
  EXPECT_EQ(rule.verdict, V::kAccept);
  ASSERT_EQ(rule.matches.size(), 3u);
  EXPECT_EQ(rule.matches[0], (NftMatch{F::kIifname, false, "virbr0", false, 0}));
  EXPECT_EQ(rule.matches[1], (NftMatch{F::kL4proto, false, "", false, 17}));
  EXPECT_EQ(rule.matches[2], (NftMatch{F::kDestPort, false, "", false, 67}));
}

TEST(ReadRuleInfoTest, NftWildcardNameCtStateSetsAndJumps) {
  // oifname "virbr*" meta l4proto udp th sport 67 ct state established,related
  NftRuleInfo rule = RuleBuilder()
                         .Meta(NFT_META_OIFNAME)
                         .Name("virbr", false)
                         .Meta(NFT_META_L4PROTO)
                         .Byte(17)
                         .Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2)
                         .Port(67)
                         .CtState(6)
                         .Verdict(NFT_JUMP, "allow")
                         .Read();
  EXPECT_EQ(rule.verdict, V::kJump);
  EXPECT_EQ(rule.target, "allow");
  ASSERT_EQ(rule.matches.size(), 4u);
  EXPECT_EQ(rule.matches[0], (NftMatch{F::kOifname, false, "virbr", true, 0}));
  EXPECT_EQ(rule.matches[2], (NftMatch{F::kSourcePort, false, "", false, 67}));
  EXPECT_EQ(rule.matches[3], (NftMatch{F::kCtState, false, "", false, 6}));

  // udp dport { 53, 67 } accept: the set lookup is a condition not read.
  rule =
      RuleBuilder().Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2).Lookup().Verdict(NF_ACCEPT).Read();
  ASSERT_EQ(rule.matches.size(), 1u);
  EXPECT_EQ(rule.matches[0].field, F::kUnknown);
}

TEST(ReadRuleInfoTest, OnlyAnUnconditionalDropDropsEverything) {
  EXPECT_TRUE(DropsEverything(RuleBuilder().Counter().Verdict(NF_DROP).Read()));
  EXPECT_FALSE(
      DropsEverything(RuleBuilder().Meta(NFT_META_IIFNAME).Name("lo").Verdict(NF_DROP).Read()));
  EXPECT_FALSE(DropsEverything(RuleBuilder().Verdict(NF_ACCEPT).Read()));
  // Anything after the verdict is not understood.
  EXPECT_FALSE(DropsEverything(RuleBuilder().Verdict(NF_DROP).Counter().Read()));
}

}  // namespace
}  // namespace virtnat::driver
