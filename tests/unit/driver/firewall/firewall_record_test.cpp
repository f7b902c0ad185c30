#include "driver/firewall/firewall_record.h"

#include <gtest/gtest.h>

#include "driver/firewall/firewall_plan.h"
#include "driver/firewall/nft_batch.h"
#include "tests/support/firewall_test_cases.h"

namespace virtnat::driver {
namespace {

TEST(FirewallRecord, RoundTripsWhatRemovalNeedsForEveryCase) {
  for (const char* name : kFirewallCases) {
    SCOPED_TRACE(name);
    xml::NetworkDef def = FirewallCase(name);
    auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
    ASSERT_TRUE(plan.ok());
    const std::string text = FormatFirewallRecord(plan->rules);
    auto back = ParseFirewallRecord(text);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->elements, plan->rules->elements);
    ASSERT_EQ(back->chains.size(), plan->rules->chains.size());
    for (size_t i = 0; i < back->chains.size(); ++i) {
      EXPECT_EQ(back->chains[i].name, plan->rules->chains[i].name);
    }
    EXPECT_EQ(FormatFirewallRecord(*back), text);
    // The removal batch from the parsed record is the one from the plan.
    auto a = BuildRemoveBatch(plan->rules, true, 1);
    auto b = BuildRemoveBatch(*back, true, 1);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->message_count(), b->message_count());
    for (uint32_t seq = 1; seq < a->end_seq(); ++seq) EXPECT_EQ(a->Describe(seq), b->Describe(seq));
  }
}

TEST(FirewallRecord, Format) {
  xml::NetworkDef def = FirewallCase("port-forwards");
  auto plan = PlanFirewall(def, FirewallFacts{"virbr0"});
  ASSERT_TRUE(plan.ok());
  const std::string text = FormatFirewallRecord(plan->rules);
  EXPECT_EQ(text.substr(0, text.find('\n')), "chain virbr0_hostin");
  EXPECT_NE(text.find("\nelement fwd_in ifname virbr0 jump virbr0_in\n"), std::string::npos);
  EXPECT_NE(text.find("\nelement nat4 prefix 192.168.122.0/24 jump virbr0_nat\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nelement portfwd ports tcp 2222-2223 jump virbr0_dnat\n"),
            std::string::npos);
}

TEST(FirewallRecord, RejectsWhatItDoesNotWrite) {
  for (const char* bad :
       {"table x", "chain", "chain a b", "element fwd_in ifname virbr0", "element m ifname a jmp c",
        "element nat4 prefix 10.0.0.0 jump c", "element nat4 prefix 10.0.0.0/33 jump c",
        "element portfwd ports sctp 1-2 jump c", "element portfwd ports tcp 9-2 jump c",
        "element portfwd ports tcp 1-70000 jump c", "element m mac aa jump c"}) {
    auto r = ParseFirewallRecord(std::string("chain ok\n") + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(ParseFirewallRecord("").ok());
  EXPECT_TRUE(ParseFirewallRecord("\n\nchain a\n").ok());
}

}  // namespace
}  // namespace virtnat::driver
