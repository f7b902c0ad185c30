// What virtnat prints must pass virtnat's own grammar: every document the
// parser accepts, formatted live and inactive, validates.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "xml/network_format.h"
#include "xml/network_parse.h"
#include "xml/schema.h"

namespace virtnat::xml {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Inputs() {
  std::vector<std::string> out;
  for (const std::string& dir : {std::string(VIRTNAT_TESTDATA) + "/networkxml2xmlin",
                                 std::string(VIRTNAT_TESTDATA) + "/networkxml2confdata",
                                 std::string(VIRTNAT_TESTDATA) + "/networkxml2firewalldata",
                                 std::string(VIRTNAT_TEST_DATA_DIR) + "/schema/valid"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".xml") out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SchemaFormatTest, FormattedDefinitionsValidate) {
  size_t parsed = 0, checked = 0;
  for (const std::string& path : Inputs()) {
    auto def = ParseNetworkXml(ReadFile(path));
    if (!def.ok()) continue;  // the expected parse failures of the corpus
    ++parsed;
    for (unsigned flags : {0u, kFormatInactive}) {
      std::string text = FormatNetworkXml(*def, flags);
      Status status = ValidateNetworkSchema(text);
      EXPECT_TRUE(status.ok()) << path << " flags " << flags << ": " << status.message() << "\n"
                               << text;
      ++checked;
    }
  }
  std::cout << "[ schema   ] " << parsed << " parsed definitions, " << checked
            << " formatted documents validated\n";
  EXPECT_GE(parsed, 80u);
}

}  // namespace
}  // namespace virtnat::xml
