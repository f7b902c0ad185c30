#include "xml/schema.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::string path;
  std::string name;  // gtest-safe: folder and file stem
};

void PrintTo(const Fixture& f, std::ostream* os) { *os << f.path; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string SafeName(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

std::vector<Fixture> ListXml(const std::string& dir, const std::string& label) {
  std::vector<Fixture> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".xml") continue;
    out.push_back({entry.path().string(), SafeName(label + "_" + entry.path().stem().string())});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.path < b.path; });
  return out;
}

// libvirt's test folders whose every .xml is a complete <network> document.
const std::vector<std::pair<std::string, std::string>>& CorpusFolders() {
  static const std::vector<std::pair<std::string, std::string>> kFolders = {
      {"networkxml2xmlin", "xmlin"},
      {"networkxml2xmlout", "xmlout"},
      {"networkxml2confdata", "conf"},
      {"networkxml2firewalldata", "firewall"},
      {"networkxml2xmlupdateout", "updateout"},
  };
  return kFolders;
}

std::vector<Fixture> CorpusFixtures() {
  std::vector<Fixture> all;
  for (const auto& [folder, label] : CorpusFolders()) {
    auto part = ListXml(std::string(VIRTNAT_TESTDATA) + "/" + folder, label);
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

std::string ExtensionDir(const char* kind) {
  return std::string(VIRTNAT_TEST_DATA_DIR) + "/schema/" + kind;
}

std::string NameOf(const ::testing::TestParamInfo<Fixture>& info) { return info.param.name; }

// Fixtures that libvirt refuses at parse or validate time, by design. The
// schema accepts them, as libvirt's own schema does: each rule relates
// values to one another, which the parser and validator check and report
// with libvirt's error codes (not VIR_ERR_XML_INVALID_SCHEMA).
const std::map<std::string, std::string>& SemanticallyInvalid() {
  static const std::map<std::string, std::string> kCases = {
      {"hostdev-duplicate", "the same PCI address twice in the pool"},
      {"passthrough-duplicate", "the same interface twice in the pool"},
      {"passthrough-address-crash", "a PCI address in a passthrough pool"},
      {"passthrough-pf", "<ip> with forward mode passthrough"},
      {"open-network-with-forward-dev", "forward dev with mode open"},
      {"routed-network-no-dns-extra-elements", "children in a disabled <dns>"},
  };
  return kCases;
}

// ---- libvirt's corpus: every document validates ----

class SchemaCorpusTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(SchemaCorpusTest, Validates) {
  Status status = ValidateNetworkSchema(ReadFile(GetParam().path));
  EXPECT_TRUE(status.ok()) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Libvirt, SchemaCorpusTest, ::testing::ValuesIn(CorpusFixtures()), NameOf);

TEST(SchemaCorpusSummary, EveryFolderIsPresentAndValidates) {
  // At least the case counts listed in libvirt-testdata/README.md.
  const std::map<std::string, size_t> kMinimum = {
      {"xmlin", 47}, {"xmlout", 43}, {"conf", 27}, {"firewall", 11}, {"updateout", 21}};
  size_t total = 0, accepted = 0;
  for (const auto& [folder, label] : CorpusFolders()) {
    auto fixtures = ListXml(std::string(VIRTNAT_TESTDATA) + "/" + folder, label);
    size_t ok = 0;
    for (const auto& f : fixtures) ok += ValidateNetworkSchema(ReadFile(f.path)).ok() ? 1 : 0;
    std::cout << "[ schema   ] " << folder << ": " << ok << " of " << fixtures.size()
              << " validate\n";
    EXPECT_GE(fixtures.size(), kMinimum.at(label)) << folder;
    total += fixtures.size();
    accepted += ok;
  }
  std::cout << "[ schema   ] corpus total: " << accepted << " of " << total << " validate, "
            << total - accepted << " rejected\n";
  EXPECT_EQ(accepted, total);
}

TEST(SchemaCorpusSummary, SemanticallyInvalidFixturesPassTheSchema) {
  for (const auto& [name, reason] : SemanticallyInvalid()) {
    std::string path = std::string(VIRTNAT_TESTDATA) + "/networkxml2xmlin/" + name + ".xml";
    ASSERT_TRUE(fs::exists(path)) << path;
    Status status = ValidateNetworkSchema(ReadFile(path));
    EXPECT_TRUE(status.ok()) << name << " (" << reason << "): " << status.message();
  }
}

// ---- virtnat's own documents ----

class SchemaValidTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(SchemaValidTest, Validates) {
  Status status = ValidateNetworkSchema(ReadFile(GetParam().path));
  EXPECT_TRUE(status.ok()) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Extension, SchemaValidTest,
                         ::testing::ValuesIn(ListXml(ExtensionDir("valid"), "valid")), NameOf);

// Each invalid document starts with "<!-- expect: TEXT -->", TEXT being part
// of the validity error libxml2 reports for it.
std::string ExpectedDetail(const std::string& text) {
  const std::string kOpen = "<!-- expect: ";
  size_t begin = text.find(kOpen);
  if (begin == std::string::npos) return {};
  begin += kOpen.size();
  size_t end = text.find(" -->", begin);
  return end == std::string::npos ? std::string() : text.substr(begin, end - begin);
}

class SchemaInvalidTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(SchemaInvalidTest, IsRejectedWithSchemaError) {
  std::string text = ReadFile(GetParam().path);
  std::string detail = ExpectedDetail(text);
  ASSERT_FALSE(detail.empty()) << "missing <!-- expect: ... --> line";
  Status status = ValidateNetworkSchema(text);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), VIR_ERR_XML_INVALID_SCHEMA);
  EXPECT_EQ(status.error().domain, VIR_FROM_XML);
  std::string prefix =
      "XML document failed to validate against schema: Unable to validate doc against " +
      NetworkSchemaPath() + "\n";
  EXPECT_EQ(status.message().substr(0, prefix.size()), prefix);
  EXPECT_NE(status.message().find(detail), std::string::npos) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Extension, SchemaInvalidTest,
                         ::testing::ValuesIn(ListXml(ExtensionDir("invalid"), "invalid")), NameOf);

TEST(SchemaInvalidSummary, EnoughInvalidDocuments) {
  auto invalid = ListXml(ExtensionDir("invalid"), "invalid");
  auto valid = ListXml(ExtensionDir("valid"), "valid");
  std::cout << "[ schema   ] virtnat documents: " << valid.size() << " valid, " << invalid.size()
            << " invalid\n";
  EXPECT_GE(invalid.size(), 15u);
  EXPECT_GE(valid.size(), 4u);
}

// ---- messages and hostile input ----

TEST(SchemaTest, MessageMatchesLibvirtForExtraElement) {
  Status status = ValidateNetworkSchema("<network><name>x</name><bogus/></network>");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "XML document failed to validate against schema: Unable to validate doc against " +
                NetworkSchemaPath() + "\nElement network has extra content: bogus\n");
}

TEST(SchemaTest, ErrorsDoNotCarryOverBetweenCalls) {
  ASSERT_FALSE(ValidateNetworkSchema("<network><name>x</name><bogus/></network>").ok());
  EXPECT_TRUE(ValidateNetworkSchema("<network><name>x</name></network>").ok());
  Status second = ValidateNetworkSchema("<network><name>x</name><other/></network>");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.message().find("bogus"), std::string::npos) << second.message();
  EXPECT_NE(second.message().find("extra content: other"), std::string::npos);
}

// Unreadable documents get the parser's errors (xml_document.h), so that
// --validate does not change what a syntax error looks like.
TEST(SchemaTest, MalformedDocumentIsAnXmlDetailError) {
  Status status = ValidateNetworkSchema("<network>\n<name>x</name>\n<bridge>\n</network>");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), VIR_ERR_XML_DETAIL);
  const std::string kFirstLine =
      "(network_definition):4: Opening and ending tag mismatch: bridge line 3 and network\n";
  EXPECT_EQ(status.message().substr(0, kFirstLine.size()), kFirstLine);
}

TEST(SchemaTest, EmptyAndBinaryInputAreRejected) {
  EXPECT_EQ(ValidateNetworkSchema("").code(), VIR_ERR_XML_DETAIL);
  EXPECT_EQ(ValidateNetworkSchema("hello").code(), VIR_ERR_XML_DETAIL);
  std::string with_nul("<network><name>x\0y</name></network>", 36);
  EXPECT_EQ(ValidateNetworkSchema(with_nul).code(), VIR_ERR_XML_DETAIL);
  EXPECT_EQ(ValidateNetworkSchema("<network><name>\xff\xfe</name></network>").code(),
            VIR_ERR_XML_DETAIL);
  std::string utf16("\xff\xfe<\0n\0e\0t\0>\0", 12);
  EXPECT_EQ(ValidateNetworkSchema(utf16).code(), VIR_ERR_XML_DETAIL);
}

TEST(SchemaTest, TextIsReadAsUtf8WhateverItDeclares) {
  EXPECT_TRUE(ValidateNetworkSchema("<?xml version='1.0' encoding='ISO-8859-1'?>"
                                    "<network><name>\xc3\xa9</name></network>")
                  .ok());
}

TEST(SchemaTest, DocumentTypeDeclarationsAreRefused) {
  const char* kLaughs =
      "<!DOCTYPE network [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
      "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]><network><name>&c;</name></network>";
  const char* kExternal =
      "<!DOCTYPE network [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
      "<network><name>&x;</name></network>";
  for (const char* text :
       {kLaughs, kExternal, "<!DOCTYPE network><network><name>x</name></network>"}) {
    Status status = ValidateNetworkSchema(text);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), VIR_ERR_XML_DETAIL);
    EXPECT_NE(status.message().find("DOCTYPE declarations are not allowed"), std::string::npos)
        << status.message();
  }
}

TEST(SchemaTest, OversizedDocumentIsRefused) {
  std::string big = "<network><name>x</name><description>";
  big.append(kMaxNetworkXmlSize, 'a');
  big += "</description></network>";
  Status status = ValidateNetworkSchema(big);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), VIR_ERR_XML_ERROR);
  EXPECT_NE(status.message().find("exceeds the limit"), std::string::npos) << status.message();
}

TEST(SchemaTest, SchemaPathPointsAtAReadableGrammar) {
  std::string path = NetworkSchemaPath();
  EXPECT_EQ(access(path.c_str(), R_OK), 0) << path;
}

TEST(SchemaTest, SchemaPathIsTheInstalledOneUnlessOverridden) {
  const char* saved = getenv("VIRTNAT_SCHEMA_DIR");
  std::string keep = saved ? saved : "";
  unsetenv("VIRTNAT_SCHEMA_DIR");
  EXPECT_EQ(NetworkSchemaPath(), std::string(VIRTNAT_SCHEMA_DIR) + "/network.rng");
  setenv("VIRTNAT_SCHEMA_DIR", "/elsewhere", 1);
  EXPECT_EQ(NetworkSchemaPath(), "/elsewhere/network.rng");
  if (saved) {
    setenv("VIRTNAT_SCHEMA_DIR", keep.c_str(), 1);
  } else {
    unsetenv("VIRTNAT_SCHEMA_DIR");
  }
}

TEST(SchemaTest, ConcurrentValidationsGiveConsistentResults) {
  const std::string good = ReadFile(ExtensionDir("valid") + "/seed-port-forward.xml");
  const std::string bad = ReadFile(ExtensionDir("invalid") + "/port-forward-bad-proto.xml");
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!ValidateNetworkSchema(good).ok()) ++failures[t];
        Status s = ValidateNetworkSchema(bad);
        if (s.ok() || s.message().find("proto") == std::string::npos) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace virtnat::xml
