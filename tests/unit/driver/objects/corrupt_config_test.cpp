// A config directory with broken files in it (issue 5: corrupt inputs on
// disk): each broken definition is reported by name and skipped, the good
// ones load, nothing is fatal. Real files, the real XML codec.

#include <gtest/gtest.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/store/file_store.h"
#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::TempDir;
using virtnat::testing::WriteAll;

std::string Definition(const std::string& name, const std::string& uuid_tail,
                       const std::string& bridge) {
  return "<network>\n  <name>" + name + "</name>\n  <uuid>7e1d0c55-0000-4000-8000-" + uuid_tail +
         "</uuid>\n  <forward mode='nat'/>\n  <bridge name='" + bridge +
         "'/>\n  <ip address='10.9.0.1' prefix='24'/>\n</network>\n";
}

bool HasLine(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

class CorruptConfigTest : public ::testing::Test {
 protected:
  std::vector<std::string> Names() {
    std::vector<std::string> out;
    Result<std::vector<NetworkRef>> refs = driver_.ListAllNetworks(0);
    if (!refs.ok()) return out;
    for (const NetworkRef& ref : *refs) out.push_back(ref.name);
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  FileStore store_{dir_.path()};
  XmlCodec codec_;
  NullRealizer realizer_;
  NetworkObjects driver_{codec_, realizer_, store_};
};

TEST_F(CorruptConfigTest, BrokenDefinitionsAreNamedAndSkipped) {
  const std::string good = Definition("good", "000000000001", "vngood0");
  WriteAll(dir_ / "good.xml", good);
  WriteAll(dir_ / "truncated.xml", good.substr(0, good.size() / 2));
  WriteAll(dir_ / "empty.xml", "");
  WriteAll(dir_ / "renamed.xml", Definition("other", "000000000003", "vnother0"));
  WriteAll(dir_ / "badip.xml", "<network><name>badip</name><ip address='10.9.0.300'/></network>");
  // Same uuid as good, another name: libvirt refuses the second object.
  WriteAll(dir_ / "twin.xml", Definition("twin", "000000000001", "vntwin0"));
  ASSERT_EQ(mkdir((dir_ / "autostart").c_str(), 0755), 0);
  ASSERT_EQ(symlink((dir_ / "gone.xml").c_str(), (dir_ / "autostart/gone.xml").c_str()), 0);

  Result<std::vector<std::string>> problems = driver_.Load();
  ASSERT_TRUE(problems.ok()) << problems.status().message();
  std::vector<std::string> store = store_.LoadProblems();
  EXPECT_TRUE(HasLine(store, dir_ / "truncated.xml: not a well-formed XML document"));
  EXPECT_TRUE(HasLine(store, dir_ / "empty.xml: file is empty"));
  EXPECT_TRUE(HasLine(store, dir_ / "renamed.xml: defines network 'other' but the file is named "
                                    "after 'renamed'"));
  EXPECT_TRUE(HasLine(store, dir_ / "autostart/gone.xml: autostart link without a definition; "
                                    "removed"));
  EXPECT_EQ(store.size(), 4u);
  ASSERT_EQ(problems->size(), 2u);
  EXPECT_EQ((*problems)[0].rfind("stored definition skipped: ", 0), 0u) << (*problems)[0];
  EXPECT_NE((*problems)[0].find("10.9.0.300"), std::string::npos) << (*problems)[0];
  EXPECT_EQ((*problems)[1],
            "stored definition of network 'twin' skipped: network 'good' is already defined with "
            "uuid 7e1d0c55-0000-4000-8000-000000000001");
  EXPECT_EQ(Names(), std::vector<std::string>{"good"});
  // The dangling mark is gone; the broken files stay for inspection.
  EXPECT_NE(access((dir_ / "autostart/gone.xml").c_str(), F_OK), 0);
  EXPECT_EQ(access((dir_ / "truncated.xml").c_str(), F_OK), 0);
}

TEST_F(CorruptConfigTest, SharedBridgeNameKeepsBothAndSaysOnlyOneCanRun) {
  WriteAll(dir_ / "first.xml", Definition("first", "000000000011", "vnshared0"));
  WriteAll(dir_ / "second.xml", Definition("second", "000000000012", "vnshared0"));
  Result<std::vector<std::string>> problems = driver_.Load();
  ASSERT_TRUE(problems.ok());
  EXPECT_EQ(*problems, std::vector<std::string>{
                           "network 'second' uses bridge 'vnshared0' as network 'first' does; "
                           "it cannot start while that one runs"});
  EXPECT_EQ(Names(), (std::vector<std::string>{"first", "second"}));
}

// A status record that clashes with the loaded definitions is refused with
// libvirt's errors before anything is adopted.
TEST_F(CorruptConfigTest, RecordClashingWithADefinitionIsNotAdoptable) {
  WriteAll(dir_ / "good.xml", Definition("good", "000000000021", "vngood0"));
  ASSERT_TRUE(driver_.Load().ok());
  Result<xml::NetworkDef> same_name =
      driver_.CheckAdoptable(Definition("good", "000000000022", "vngood0"));
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().code, VIR_ERR_OPERATION_FAILED);
  EXPECT_EQ(same_name.error().message,
            "operation failed: network 'good' already exists with uuid "
            "7e1d0c55-0000-4000-8000-000000000021");
  Result<xml::NetworkDef> same_uuid =
      driver_.CheckAdoptable(Definition("renamed", "000000000021", "vngood0"));
  ASSERT_FALSE(same_uuid.ok());
  EXPECT_EQ(same_uuid.error().message,
            "operation failed: network 'good' is already defined with uuid "
            "7e1d0c55-0000-4000-8000-000000000021");
  EXPECT_FALSE(driver_.AdoptRunning(Definition("renamed", "000000000021", "vngood0")).ok());
  EXPECT_EQ(Names(), std::vector<std::string>{"good"});
  // The matching record is adoptable, once.
  const std::string live = Definition("good", "000000000021", "vngood0");
  ASSERT_TRUE(driver_.CheckAdoptable(live).ok());
  ASSERT_TRUE(driver_.AdoptRunning(live).ok());
  EXPECT_EQ(driver_.CheckAdoptable(live).error().code, VIR_ERR_OPERATION_INVALID);
}

}  // namespace
}  // namespace virtnat::driver
