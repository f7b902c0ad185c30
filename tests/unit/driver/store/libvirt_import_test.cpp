#include "driver/store/libvirt_import.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>

#include "driver/store/definition_dir.h"
#include "tests/support/temp_dir.h"
#include "xml/xml_document.h"
#include "xml/xml_node.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::Entries;
using virtnat::testing::ReadAll;
using virtnat::testing::TempDir;
using virtnat::testing::WriteAll;

const std::string kCorpus = std::string(VIRTNAT_TESTDATA) + "/networkxml2xmlin";

std::string NetworkName(const std::string& xml) {
  Result<xml::XmlDocPtr> doc = xml::ParseXmlDocument(xml, "test", 1 << 20);
  if (!doc.ok()) return "";
  return xml::ChildText(xmlDocGetRootElement(doc->get()), "name").value_or("");
}

// Lays out the corpus as libvirt keeps its definitions: NAME.xml (the first
// corpus file per name) with libvirt's header, and absolute autostart links
// for every other network.
class LibvirtImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((dir_ + "/autostart").c_str(), 0755), 0);
    std::vector<std::string> files = Entries(kCorpus);
    ASSERT_GE(files.size(), 40u);
    bool mark = true;
    for (const std::string& file : files) {
      std::string text = ReadAll(kCorpus + "/" + file);
      std::string name = NetworkName(text);
      if (name.empty() || name.find('/') != std::string::npos || expected_.count(name)) continue;
      WriteAll(dir_ + "/" + name + ".xml", DefinitionFileHeader(name) + text);
      expected_[name] = {text, mark};
      if (mark) {
        std::string target = dir_ + "/" + name + ".xml";
        ASSERT_EQ(symlink(target.c_str(), (dir_ + "/autostart/" + name + ".xml").c_str()), 0);
      }
      mark = !mark;
    }
    ASSERT_GE(expected_.size(), 10u);
  }

  struct Expected {
    std::string xml;
    bool autostart;
  };
  TempDir tmp_;
  std::string dir_ = tmp_ / "networks";
  std::map<std::string, Expected> expected_;
};

TEST_F(LibvirtImportTest, ImportsCorpusWithAutostartMarks) {
  Result<LibvirtImport> imported = ReadLibvirtNetworks(dir_);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_TRUE(imported->problems.empty()) << imported->problems[0];
  ASSERT_EQ(imported->networks.size(), expected_.size());
  int autostarted = 0;
  for (const ImportedNetwork& net : imported->networks) {
    ASSERT_EQ(expected_.count(net.name), 1u) << net.name;
    EXPECT_EQ(net.xml, expected_[net.name].xml) << net.name;
    EXPECT_EQ(net.autostart, expected_[net.name].autostart) << net.name;
    EXPECT_EQ(net.path, dir_ + "/" + net.name + ".xml");
    autostarted += net.autostart;
  }
  EXPECT_EQ(autostarted, static_cast<int>((expected_.size() + 1) / 2));
}

TEST_F(LibvirtImportTest, BrokenFilesAndStrayLinksAreReported) {
  WriteAll(dir_ + "/broken.xml", "<network>\n  <name>broken</name>\n  <uuid>");
  ASSERT_EQ(symlink("/etc/libvirt/qemu/networks/gone.xml", (dir_ + "/autostart/gone.xml").c_str()),
            0);
  Result<LibvirtImport> imported = ReadLibvirtNetworks(dir_);
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->networks.size(), expected_.size());
  ASSERT_EQ(imported->problems.size(), 2u);
  EXPECT_EQ(imported->problems[0].rfind(dir_ + "/broken.xml: not a well-formed XML document", 0),
            0u)
      << imported->problems[0];
  EXPECT_EQ(imported->problems[1],
            dir_ + "/autostart/gone.xml: autostart link without a definition; ignored");
  // The import never changes libvirt's directory.
  EXPECT_TRUE(ReadAll(dir_ + "/broken.xml").size() > 0);
  EXPECT_EQ(Entries(dir_ + "/autostart").size(), (expected_.size() + 1) / 2 + 1);
}

TEST_F(LibvirtImportTest, LinksCopiedFromAnotherHostStillCount) {
  // A copy of /etc/libvirt/qemu/networks keeps libvirt's absolute targets.
  const std::string name = expected_.begin()->first;
  const std::string link = dir_ + "/autostart/" + name + ".xml";
  unlink(link.c_str());
  ASSERT_EQ(symlink(("/etc/libvirt/qemu/networks/" + name + ".xml").c_str(), link.c_str()), 0);
  Result<LibvirtImport> imported = ReadLibvirtNetworks(dir_);
  ASSERT_TRUE(imported.ok());
  int found = 0;
  for (const ImportedNetwork& net : imported->networks) {
    if (net.name != name) continue;
    ++found;
    EXPECT_TRUE(net.autostart);
  }
  EXPECT_EQ(found, 1);
}

TEST(LibvirtImportErrorTest, MissingDirectoryIsAnError) {
  TempDir tmp;
  Result<LibvirtImport> imported = ReadLibvirtNetworks(tmp / "nope");
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_EQ(imported.status().message(),
            "cannot read directory '" + (tmp / "nope") + "': No such file or directory");
}

TEST(DefinitionHeaderTest, StripLeadingComment) {
  EXPECT_EQ(StripLeadingComment(DefinitionFileHeader("x") + "<network/>\n"), "<network/>\n");
  EXPECT_EQ(StripLeadingComment("<network/>\n"), "<network/>\n");
  EXPECT_EQ(StripLeadingComment("<!-- unterminated <network/>"), "<!-- unterminated <network/>");
  EXPECT_EQ(StripLeadingComment("\n<!-- c -->\n\n\n<network/>"), "<network/>");
}

}  // namespace
}  // namespace virtnat::driver
