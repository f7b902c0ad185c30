// Golden files: the nft text of every case of libvirt's
// networkxml2firewalldata, checked in as tests/data/firewall/NAME.nft.
// UPDATE_GOLDEN=1 rewrites them; REVIEW.md beside them compares them with
// libvirt's own rules for the same XML.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "driver/firewall_plan.h"
#include "driver/nft_text.h"
#include "xml/network_def.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;
using xml::IpDef;
using xml::NetworkDef;

// Until the XML parser is merged, the cases are transcribed by hand from
// ../shared/libvirt-testdata/networkxml2firewalldata/NAME.xml.
IpDef Ip(const char* address, unsigned prefix, const char* tftp = "") {
  IpDef ip;
  ip.address = *IpAddress::Parse(address);
  ip.prefix = prefix;
  ip.tftp_root = tftp;
  return ip;
}

NetworkDef Base(ForwardMode mode) {
  NetworkDef def;
  def.name = "default";
  def.bridge.name = "virbr0";
  def.forward.mode = mode;
  return def;
}

NetworkDef Case(const std::string& name) {
  const IpDef v4 = Ip("192.168.122.1", 24);
  const IpDef v4b = Ip("192.168.128.1", 24);
  const IpDef v6 = Ip("2001:db8:ca2:2::1", 64);
  NetworkDef def = Base(ForwardMode::kNat);
  if (name == "forward-dev") {
    def.forward.dev = "enp0s7";
    def.ips = {v4};
  } else if (name == "isolated") {
    def.forward.mode = ForwardMode::kNone;
    def.ips = {v4, v4b, v6};
  } else if (name == "nat-default") {
    def.ips = {v4};
  } else if (name == "nat-ipv6") {
    def.ips = {v4, v6};
  } else if (name == "nat-ipv6-masquerade") {
    def.forward.nat_ipv6 = xml::TriState::kYes;
    def.ips = {v4, v6};
  } else if (name == "nat-many-ips") {
    def.ips = {v4, v4b, Ip("192.168.150.1", 24)};
  } else if (name == "nat-no-dhcp") {
    def.ips = {v4, v6};
  } else if (name == "nat-port-range") {
    def.forward.nat_port = xml::PortRange{500, 1000};
    def.ips = {v4, v4b, v6};
  } else if (name == "nat-port-range-ipv6") {
    def.forward.nat_ipv6 = xml::TriState::kYes;
    def.forward.nat_port = xml::PortRange{500, 1000};
    def.ips = {v4, v4b, v6};
  } else if (name == "nat-tftp") {
    def.ips = {Ip("192.168.122.1", 24, "/some/dir")};
  } else if (name == "route-default") {
    def.forward.mode = ForwardMode::kRoute;
    def.ips = {v4};
  }
  return def;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class FirewallGolden : public testing::TestWithParam<const char*> {};

TEST_P(FirewallGolden, MatchesCheckedInText) {
  const std::string name = GetParam();
  std::ifstream xml(std::string(VIRTNAT_TESTDATA) + "/networkxml2firewalldata/" + name + ".xml");
  ASSERT_TRUE(xml.good()) << "case " << name << " is not in libvirt's corpus";
  NetworkDef def = Case(name);
  auto plan = PlanFirewall(def, FirewallFacts{def.bridge.name});
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const std::string text = RenderPlan(*plan);
  const std::string path = std::string(VIRTNAT_TEST_DATA_DIR) + "/firewall/" + name + ".nft";
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << text;
  }
  EXPECT_EQ(ReadFile(path), text) << "rerun with UPDATE_GOLDEN=1 and review the diff";
}

INSTANTIATE_TEST_SUITE_P(Corpus, FirewallGolden,
                         testing::Values("forward-dev", "isolated", "nat-default", "nat-ipv6",
                                         "nat-ipv6-masquerade", "nat-many-ips", "nat-no-dhcp",
                                         "nat-port-range", "nat-port-range-ipv6", "nat-tftp",
                                         "route-default"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace virtnat::driver
