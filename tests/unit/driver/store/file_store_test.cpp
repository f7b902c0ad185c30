#include "driver/store/file_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::Entries;
using virtnat::testing::ReadAll;
using virtnat::testing::TempDir;
using virtnat::testing::WriteAll;

std::string Xml(const std::string& name) {
  return "<network>\n  <name>" + name +
         "</name>\n  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n"
         "</network>\n";
}

std::string LinkTarget(const std::string& link) {
  char buf[4096] = {};
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class FileStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string config_ = dir_ / "networks";
  FileStore store_{config_};
};

TEST_F(FileStoreTest, SaveWritesLibvirtHeaderByteForByte) {
  ASSERT_TRUE(store_.Save("default", Xml("default")).ok());
  const std::string expected =
      "<!--\n"
      "WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
      "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
      "  virsh net-edit default\n"
      "or other application using the libvirt API.\n"
      "-->\n"
      "\n"
      "<network>\n"
      "  <name>default</name>\n"
      "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n"
      "</network>\n";
  EXPECT_EQ(ReadAll(config_ + "/default.xml"), expected);
  struct stat st;
  ASSERT_EQ(stat((config_ + "/default.xml").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(Entries(config_), std::vector<std::string>{"default.xml"});
}

TEST_F(FileStoreTest, LoadReturnsWhatWasSaved) {
  ASSERT_TRUE(store_.Save("b", Xml("b")).ok());
  ASSERT_TRUE(store_.Save("a", Xml("a")).ok());
  Result<std::vector<StoredDefinition>> loaded = FileStore(config_).LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].xml, Xml("a"));
  EXPECT_EQ((*loaded)[1].xml, Xml("b"));
  EXPECT_FALSE((*loaded)[0].autostart);
  EXPECT_TRUE(store_.LoadProblems().empty());
}

TEST_F(FileStoreTest, SaveReplacesDefinition) {
  ASSERT_TRUE(store_.Save("a", Xml("a")).ok());
  std::string changed = Xml("a") + "<!-- later -->\n";
  ASSERT_TRUE(store_.Save("a", changed).ok());
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].xml, changed);
  EXPECT_EQ(Entries(config_), std::vector<std::string>{"a.xml"});
}

TEST_F(FileStoreTest, AutostartLinkAsLibvirtMakesIt) {
  ASSERT_TRUE(store_.Save("net1", Xml("net1")).ok());
  ASSERT_TRUE(store_.SetAutostart("net1", true).ok());
  const std::string link = config_ + "/autostart/net1.xml";
  EXPECT_EQ(LinkTarget(link), config_ + "/net1.xml");
  ASSERT_TRUE(store_.SetAutostart("net1", true).ok());  // again: still one link
  EXPECT_EQ(Entries(config_ + "/autostart"), std::vector<std::string>{"net1.xml"});

  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_TRUE((*loaded)[0].autostart);

  ASSERT_TRUE(store_.SetAutostart("net1", false).ok());
  EXPECT_FALSE(Exists(link));
  ASSERT_TRUE(store_.SetAutostart("net1", false).ok());
  loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE((*loaded)[0].autostart);
}

TEST_F(FileStoreTest, AutostartSurvivesRedefine) {
  ASSERT_TRUE(store_.Save("n", Xml("n")).ok());
  ASSERT_TRUE(store_.SetAutostart("n", true).ok());
  ASSERT_TRUE(store_.Save("n", Xml("n")).ok());
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_TRUE((*loaded)[0].autostart);
}

TEST_F(FileStoreTest, RemoveDeletesDefinitionAndMark) {
  ASSERT_TRUE(store_.Save("n", Xml("n")).ok());
  ASSERT_TRUE(store_.Save("keep", Xml("keep")).ok());
  ASSERT_TRUE(store_.SetAutostart("n", true).ok());
  ASSERT_TRUE(store_.Remove("n").ok());
  EXPECT_EQ(Entries(config_), (std::vector<std::string>{"autostart", "keep.xml"}));
  EXPECT_TRUE(Entries(config_ + "/autostart").empty());
  EXPECT_TRUE(store_.Remove("n").ok());
  // Defined again, it starts without autostart (as in libvirt).
  ASSERT_TRUE(store_.Save("n", Xml("n")).ok());
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_FALSE((*loaded)[1].autostart);
}

TEST_F(FileStoreTest, RefusesNamesThatAreNotFileNames) {
  for (const std::string& name :
       std::vector<std::string>{"", "a/b", "/abs", ".hidden", "..", std::string("a\0b", 3)}) {
    Status status = store_.Save(name, Xml("x"));
    EXPECT_EQ(status.code(), VIR_ERR_INVALID_ARG) << name;
    EXPECT_EQ(store_.SetAutostart(name, true).code(), VIR_ERR_INVALID_ARG) << name;
    EXPECT_EQ(store_.Remove(name).code(), VIR_ERR_INVALID_ARG) << name;
  }
  EXPECT_FALSE(Exists(config_ + "/a"));
  EXPECT_TRUE(Entries(config_).empty());
}

TEST_F(FileStoreTest, MissingDirectoryLoadsEmpty) {
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->empty());
  EXPECT_TRUE(store_.LoadProblems().empty());
}

TEST_F(FileStoreTest, BrokenFilesAreReportedAndSkipped) {
  ASSERT_TRUE(store_.Save("good", Xml("good")).ok());
  ASSERT_TRUE(store_.SetAutostart("good", true).ok());
  const std::string full = ReadAll(config_ + "/good.xml");
  WriteAll(config_ + "/truncated.xml", full.substr(0, full.size() - 12));
  WriteAll(config_ + "/empty.xml", "");
  WriteAll(config_ + "/other.xml", Xml("notother"));
  WriteAll(config_ + "/domain.xml", "<domain><name>domain</name></domain>\n");
  ASSERT_EQ(symlink("/nonexistent/file.xml", (config_ + "/dangling.xml").c_str()), 0);
  ASSERT_EQ(mkdir((config_ + "/dir.xml").c_str(), 0755), 0);
  WriteAll(config_ + "/notes.txt", "not a definition");

  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].xml, Xml("good"));
  EXPECT_TRUE((*loaded)[0].autostart);

  std::vector<std::string> problems = store_.LoadProblems();
  ASSERT_EQ(problems.size(), 6u);
  // Sorted by file name; each names its file.
  EXPECT_EQ(problems[0],
            "cannot read file '" + config_ + "/dangling.xml': No such file or directory");
  EXPECT_EQ(problems[1], config_ + "/dir.xml: not a regular file; skipped");
  EXPECT_EQ(problems[2], config_ + "/domain.xml: root element is <domain>, not <network>");
  EXPECT_EQ(problems[3], config_ + "/empty.xml: file is empty");
  EXPECT_EQ(problems[4], config_ +
                             "/other.xml: defines network 'notother' but the file is named "
                             "after 'other'");
  EXPECT_EQ(problems[5].rfind(config_ + "/truncated.xml: not a well-formed XML document: ", 0), 0u)
      << problems[5];
  // Nothing was deleted: the user may want to repair them.
  EXPECT_TRUE(Exists(config_ + "/truncated.xml"));
}

TEST_F(FileStoreTest, StaleTemporariesAreRemoved) {
  ASSERT_TRUE(store_.Save("a", Xml("a")).ok());
  ASSERT_TRUE(store_.SetAutostart("a", true).ok());
  WriteAll(config_ + "/.a.xml.virtnat-tmp.0123456789abcdef", "<network><na");
  ASSERT_EQ(symlink("x", (config_ + "/autostart/.a.xml.virtnat-tmp.fedcba9876543210").c_str()), 0);
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->size(), 1u);
  EXPECT_TRUE(store_.LoadProblems().empty());
  EXPECT_EQ(Entries(config_), (std::vector<std::string>{"a.xml", "autostart"}));
  EXPECT_EQ(Entries(config_ + "/autostart"), std::vector<std::string>{"a.xml"});
}

TEST_F(FileStoreTest, OrphanAutostartLinkIsRemovedAndReported) {
  ASSERT_TRUE(store_.Save("a", Xml("a")).ok());
  ASSERT_TRUE(store_.SetAutostart("a", true).ok());
  // What a crash between the two unlinks of Remove leaves.
  ASSERT_EQ(unlink((config_ + "/a.xml").c_str()), 0);
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->empty());
  ASSERT_EQ(store_.LoadProblems().size(), 1u);
  EXPECT_EQ(store_.LoadProblems()[0],
            config_ + "/autostart/a.xml: autostart link without a definition; removed");
  EXPECT_TRUE(Entries(config_ + "/autostart").empty());
}

TEST_F(FileStoreTest, LinkToAnotherFileIsNotAutostart) {
  ASSERT_TRUE(store_.Save("a", Xml("a")).ok());
  ASSERT_TRUE(store_.Save("b", Xml("b")).ok());
  ASSERT_EQ(mkdir((config_ + "/autostart").c_str(), 0755), 0);
  ASSERT_EQ(symlink((config_ + "/b.xml").c_str(), (config_ + "/autostart/a.xml").c_str()), 0);
  Result<std::vector<StoredDefinition>> loaded = store_.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_FALSE((*loaded)[0].autostart);
  ASSERT_EQ(store_.LoadProblems().size(), 1u);
  EXPECT_NE(store_.LoadProblems()[0].find("autostart link points to"), std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver

namespace virtnat::driver {
namespace {

// With a relative config directory an absolute target cannot be known, so
// the link is relative to the autostart directory.
TEST(FileStoreRelativeTest, AutostartLinkIsRelative) {
  virtnat::testing::TempDir dir;
  char saved[4096];
  ASSERT_NE(getcwd(saved, sizeof saved), nullptr);
  ASSERT_EQ(chdir(dir.path().c_str()), 0);
  FileStore store("networks/");
  Status saved_ok = store.Save("n", Xml("n"));
  Status marked = store.SetAutostart("n", true);
  std::string target = LinkTarget("networks/autostart/n.xml");
  Result<std::vector<StoredDefinition>> loaded = store.LoadAll();
  ASSERT_EQ(chdir(saved), 0);
  ASSERT_TRUE(saved_ok.ok());
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(target, "../n.xml");
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_TRUE((*loaded)[0].autostart);
}

}  // namespace
}  // namespace virtnat::driver
