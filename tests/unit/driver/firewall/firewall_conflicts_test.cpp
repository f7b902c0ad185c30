#include "driver/firewall/firewall_conflicts.h"

#include <gtest/gtest.h>

#include "driver/firewall/firewall_plan.h"

namespace virtnat::driver {
namespace {

NftNetworkRules With(NftElement e) {
  NftNetworkRules r;
  r.elements.push_back(std::move(e));
  return r;
}

NftElement Ports(unsigned first, unsigned last, uint8_t proto = kProtoTcp) {
  return {kMapDnat, ProtoPortsKey{proto, {first, last}}, {VerdictKind::kJump, "x_dnat"}};
}

NftElement Prefix(const char* net, unsigned prefix) {
  return {kMapNat4, PrefixKey{*IpAddress::Parse(net), prefix}, {VerdictKind::kJump, "x_nat"}};
}

TEST(FirewallConflicts, OverlapsWithOtherNetworksAreRefused) {
  std::map<std::string, SharedRules> applied = {{"a", With(Ports(8080, 8080))},
                                                {"n", With(Prefix("10.0.0.0", 8))}};
  Status s = CheckElementConflicts("b", With(Ports(8000, 8100)), applied);
  EXPECT_EQ(s.code(), VIR_ERR_OPERATION_INVALID);
  EXPECT_EQ(s.message(),
            "Requested operation is not valid: host port tcp 8000-8100 is already forwarded by "
            "network 'a' (host port tcp 8080)");
  EXPECT_TRUE(CheckElementConflicts("b", With(Ports(8081, 8100)), applied).ok());
  EXPECT_TRUE(CheckElementConflicts("b", With(Ports(8080, 8080, kProtoUdp)), applied).ok());
  EXPECT_TRUE(CheckElementConflicts("a", With(Ports(8080, 8080)), applied).ok());  // itself
  EXPECT_FALSE(CheckElementConflicts("b", With(Prefix("10.1.0.0", 16)), applied).ok());
  EXPECT_TRUE(CheckElementConflicts("b", With(Prefix("11.0.0.0", 8)), applied).ok());
  NftElement dev{kMapFwdIn, IfNameKey{"virbr0"}, {VerdictKind::kJump, "virbr0_in"}};
  applied["c"] = With(dev);
  s = CheckElementConflicts("d", With(dev), applied);
  EXPECT_NE(s.message().find("interface virbr0 is already used by network 'c'"), std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver
