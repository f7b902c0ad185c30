#pragma once
// The firewall test cases: every case of libvirt's networkxml2firewalldata
// plus the port forward extension's (tests/data/firewall/NAME.xml).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "xml/network_def.h"
#include "xml/network_parse.h"
#include "xml/network_validate.h"

namespace virtnat::driver {

inline constexpr const char* kFirewallCases[] = {
    "forward-dev",         "isolated",     "nat-default",   "nat-ipv6",
    "nat-ipv6-masquerade", "nat-many-ips", "nat-no-dhcp",   "nat-port-range",
    "nat-port-range-ipv6", "nat-tftp",     "route-default", "port-forwards",
};

// gtest names may not contain '-'.
inline std::string FirewallCaseName(const testing::TestParamInfo<const char*>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}

// The XML of a case: libvirt's file, or the project's for extension cases.
inline std::string FirewallCaseXmlPath(const std::string& name) {
  std::string corpus = std::string(VIRTNAT_TESTDATA) + "/networkxml2firewalldata/" + name + ".xml";
  if (std::ifstream(corpus).good()) return corpus;
  return std::string(VIRTNAT_TEST_DATA_DIR) + "/firewall/" + name + ".xml";
}

// The case's definition as the driver would see it: parsed and validated
// (the cases all name their bridge, so no define-time default matters).
inline xml::NetworkDef FirewallCase(const std::string& name) {
  std::ifstream in(FirewallCaseXmlPath(name), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  auto def = xml::ParseNetworkXml(text.str());
  EXPECT_TRUE(def.ok()) << name << ": " << def.error().message;
  if (!def.ok()) return {};
  Status valid = xml::ValidateNetworkDef(*def);
  EXPECT_TRUE(valid.ok()) << name << ": " << valid.message();
  return *def;
}

}  // namespace virtnat::driver
