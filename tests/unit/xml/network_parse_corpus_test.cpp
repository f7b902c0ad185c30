// Every input of libvirt's networkxml2xmlin corpus parses, except the four
// cases libvirt's own test expects to fail at parse time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::set<std::string> kParseFailures = {"hostdev-duplicate", "passthrough-duplicate",
                                              "open-network-with-forward-dev",
                                              "routed-network-no-dns-extra-elements"};

TEST(NetworkParseCorpusTest, EveryInputParsesOrFailsAsLibvirtDoes) {
  std::filesystem::path dir = std::filesystem::path(VIRTNAT_TESTDATA) / "networkxml2xmlin";
  ASSERT_TRUE(std::filesystem::exists(dir)) << dir;
  int parsed = 0, failed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".xml") continue;
    std::string name = entry.path().stem().string();
    auto def = ParseNetworkXml(ReadFile(entry.path()));
    if (kParseFailures.count(name)) {
      EXPECT_FALSE(def.ok()) << name << " must fail at parse";
      ++failed;
    } else {
      EXPECT_TRUE(def.ok()) << name << ": " << (def.ok() ? "" : def.error().message);
      ++parsed;
    }
  }
  EXPECT_EQ(parsed, 43);
  EXPECT_EQ(failed, 4);
}

TEST(NetworkParseCorpusTest, ExpectedParseFailureMessages) {
  std::filesystem::path dir = std::filesystem::path(VIRTNAT_TESTDATA) / "networkxml2xmlin";
  struct Case {
    const char* file;
    int code;
    const char* message;
  };
  const Case cases[] = {
      {"hostdev-duplicate", VIR_ERR_XML_ERROR,
       "XML error: PCI device '0000:03:00.3' can only be listed once in network hostdev"},
      {"passthrough-duplicate", VIR_ERR_XML_ERROR,
       "XML error: interface 'eth3' can only be listed once in network passthrough-duplicate"},
      {"open-network-with-forward-dev", VIR_ERR_XML_ERROR,
       "XML error: forward dev not allowed for network 'open' with forward mode='open'"},
      {"routed-network-no-dns-extra-elements", VIR_ERR_XML_ERROR,
       "XML error: Extra data in disabled network 'local'"},
  };
  for (const auto& c : cases) {
    auto def = ParseNetworkXml(ReadFile(dir / (std::string(c.file) + ".xml")));
    ASSERT_FALSE(def.ok()) << c.file;
    EXPECT_EQ(def.error().code, c.code) << c.file;
    EXPECT_EQ(def.error().domain, VIR_FROM_NETWORK) << c.file;
    EXPECT_EQ(def.error().message, c.message) << c.file;
  }
}

}  // namespace
}  // namespace virtnat::xml
