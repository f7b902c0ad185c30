// Golden files: the nft text of every case of libvirt's
// networkxml2firewalldata, and of the port forward extension's cases in
// tests/data/firewall/NAME.xml, checked in as tests/data/firewall/NAME.nft.
// UPDATE_GOLDEN=1 rewrites them; REVIEW.md beside them compares them with
// libvirt's own rules for the same XML.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "driver/firewall/firewall_plan.h"
#include "driver/firewall/nft_text.h"
#include "tests/support/firewall_test_cases.h"

namespace virtnat::driver {
namespace {

using xml::NetworkDef;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class FirewallGolden : public testing::TestWithParam<const char*> {};

TEST_P(FirewallGolden, MatchesCheckedInText) {
  const std::string name = GetParam();
  std::ifstream corpus(std::string(VIRTNAT_TESTDATA) + "/networkxml2firewalldata/" + name + ".xml");
  std::ifstream own(std::string(VIRTNAT_TEST_DATA_DIR) + "/firewall/" + name + ".xml");
  ASSERT_TRUE(corpus.good() || own.good()) << "no XML for case " << name;
  NetworkDef def = FirewallCase(name);
  auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const std::string text = RenderPlan(*plan);
  const std::string path = std::string(VIRTNAT_TEST_DATA_DIR) + "/firewall/" + name + ".nft";
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << text;
  }
  EXPECT_EQ(ReadFile(path), text) << "rerun with UPDATE_GOLDEN=1 and review the diff";
}

INSTANTIATE_TEST_SUITE_P(Corpus, FirewallGolden, testing::ValuesIn(kFirewallCases),
                         FirewallCaseName);

}  // namespace
}  // namespace virtnat::driver
