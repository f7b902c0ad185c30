#include "daemon/options.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace virtnat::daemon {
namespace {

Result<Options> Parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(OptionsTest, AnUnknownOptionIsNamed) {
  testing::TempDir tmp;
  for (const char* bogus : {"--bogus", "--bogus=1", "-x"}) {
    Result<Options> o = Parse({"virtnatd", "--config-dir", tmp.path(), bogus});
    ASSERT_FALSE(o.ok()) << bogus;
    std::string name = std::string(bogus).substr(0, std::string(bogus).find('='));
    EXPECT_EQ(o.error().message, "unknown option '" + name + "'");
  }
}

TEST(OptionsTest, ShortOptionsAsLibvirtsDaemons) {
  testing::TempDir tmp;
  std::ofstream(tmp / "c.conf") << "log_level = \"debug\"\npid_file = \"/x/p.pid\"\n";
  Result<Options> o = Parse({"virtnatd", "-f", tmp / "c.conf", "-V"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->log_level, "debug");
  EXPECT_EQ(o->PidFilePath(), "/x/p.pid");
  EXPECT_TRUE(o->version);
  o = Parse({"virtnatd", "--config-dir", tmp.path(), "--run-dir", "/r", "-p", "/y.pid"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->PidFilePath(), "/y.pid");
}

TEST(OptionsTest, ThePidFileLivesInTheRunDirectoryByDefault) {
  testing::TempDir tmp;
  Result<Options> o = Parse({"virtnatd", "--config-dir", tmp.path(), "--run-dir=/r"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->PidFilePath(), "/r/virtnatd.pid");
}

TEST(OptionsTest, AReloadNamesTheChangedSettingsThatNeedARestart) {
  Options running;
  Options reread;
  EXPECT_TRUE(SettingsNeedingRestart(running, reread).empty());
  ASSERT_TRUE(ApplyConfigText("log_level = \"debug\"\n", reread).ok());
  EXPECT_TRUE(SettingsNeedingRestart(running, reread).empty());  // applied live
  ASSERT_TRUE(ApplyConfigText("hook_timeout = 5\nunix_sock_group = \"libvirt\"\n", reread).ok());
  EXPECT_EQ(SettingsNeedingRestart(running, reread),
            (std::vector<std::string>{"unix_sock_group", "hook_timeout"}));
}

}  // namespace
}  // namespace virtnat::daemon
