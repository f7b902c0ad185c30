// The libnftnl rules virtnat builds, printed as libnftnl prints bytecode,
// equal those nft compiles from the golden text (NAME.bytecode, made by
// tests/data/firewall/update-bytecode.sh). Needs no root: the batch is only
// built and parsed back, never sent.

#include <gtest/gtest.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <fstream>
#include <sstream>
#include <string>

#include "driver/firewall/firewall_plan.h"
#include "driver/firewall/nft_batch.h"
#include "driver/firewall/nft_ptr.h"
#include "tests/support/firewall_test_cases.h"

namespace virtnat::driver {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "inet virtnat CHAIN\n  [ expr ]\n...\n\n" for every rule of the batch.
std::string RulesOf(const NftBatch& batch) {
  std::string out;
  for (const iovec& v : batch.Iovecs()) {
    int len = static_cast<int>(v.iov_len);
    for (auto* nlh = static_cast<const nlmsghdr*>(v.iov_base); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)) continue;
      NftnlRulePtr rule(nftnl_rule_alloc());
      EXPECT_EQ(nftnl_rule_nlmsg_parse(nlh, rule.get()), 0);
      out += std::string("inet virtnat ") + nftnl_rule_get_str(rule.get(), NFTNL_RULE_CHAIN) + "\n";
      nftnl_expr_foreach(
          rule.get(),
          [](nftnl_expr* e, void* data) {
            char buf[1024];
            nftnl_expr_snprintf(buf, sizeof buf, e, NFTNL_OUTPUT_DEFAULT, 0);
            *static_cast<std::string*>(data) +=
                std::string("  [ ") + nftnl_expr_get_str(e, NFTNL_EXPR_NAME) + " " + buf + "]\n";
            return 0;
          },
          &out);
      out += "\n";
    }
  }
  return out;
}

class FirewallBytecode : public testing::TestWithParam<const char*> {};

TEST_P(FirewallBytecode, RulesCompileAsNftCompilesTheirText) {
  const std::string name = GetParam();
  xml::NetworkDef def = FirewallCase(name);
  auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  auto batch = BuildAddBatch(plan->Base(), plan->rules, 1);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  const std::string expected =
      ReadFile(std::string(VIRTNAT_TEST_DATA_DIR) + "/firewall/" + name + ".bytecode");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(RulesOf(*batch), expected);
}

INSTANTIATE_TEST_SUITE_P(Corpus, FirewallBytecode, testing::ValuesIn(kFirewallCases),
                         FirewallCaseName);

}  // namespace
}  // namespace virtnat::driver
