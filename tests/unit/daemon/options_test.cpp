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
    EXPECT_EQ(o.error().message, std::string("Unknown option ") + bogus);
  }
  Result<Options> o = Parse({"virtnatd", "--config-dir", tmp.path(), "stray"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message, "unexpected argument 'stray'");
}

TEST(OptionsTest, AnOptionWithoutItsValueSaysSo) {
  testing::TempDir tmp;
  Result<Options> o = Parse({"virtnatd", "--config-dir", tmp.path(), "--timeout"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message, "Missing argument for --timeout");
}

TEST(OptionsTest, LibvirtsDaemonFlags) {
  testing::TempDir tmp;
  Result<Options> o =
      Parse({"virtnatd", "--config-dir", tmp.path(), "-t", "120", "-v", "-d", "--check"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->timeout, 120u);
  EXPECT_EQ(o->log_level, "debug");
  EXPECT_TRUE(o->daemonize);
  EXPECT_TRUE(o->check);
  o = Parse({"virtnatd", "--config-dir", tmp.path(), "--timeout=x"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message, "--timeout: invalid value 'x' for timeout");
}

TEST(OptionsTest, EverySettingIsAlsoAnOption) {
  testing::TempDir tmp;
  Result<Options> o =
      Parse({"virtnatd", "--config-dir", tmp.path(), "--hooks-dir", "/h", "--hook-timeout=7",
             "--dnsmasq-binary", "/opt/dnsmasq", "--log-outputs", "1:file:/tmp/x.log",
             "--lease-status-dir", "/srv/nss"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->hooks_dir, "/h");
  EXPECT_EQ(o->hook_timeout, 7u);
  EXPECT_EQ(o->dnsmasq_binary, "/opt/dnsmasq");
  EXPECT_EQ(o->log_outputs, "1:file:/tmp/x.log");
  EXPECT_EQ(o->lease_status_dir, "/srv/nss");
}

TEST(OptionsTest, LeasesArePublishedWhereLibnssLibvirtReadsUnlessConfiguredOff) {
  EXPECT_EQ(Options{}.lease_status_dir, "/var/lib/libvirt/dnsmasq");
  Options o;
  ASSERT_TRUE(ApplyConfigText("lease_status_dir = \"\"\n", o).ok());
  EXPECT_EQ(o.lease_status_dir, "");
  Options reread;
  EXPECT_EQ(SettingsNeedingRestart(o, reread), std::vector<std::string>{"lease_status_dir"});
}

TEST(OptionsTest, UnknownConfigKeysAreWarningsNamingTheFile) {
  testing::TempDir tmp;
  std::ofstream(tmp / "virtnatd.conf") << "listen_tls = 0\nlog_level = 2\n";
  Result<Options> o = Parse({"virtnatd", "--config-dir", tmp.path()});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->log_level, "info");  // libvirt's numbers: 2 is info
  EXPECT_EQ(o->warnings, (std::vector<std::string>{tmp / "virtnatd.conf" +
                                                   ": unknown setting 'listen_tls' ignored"}));
}

TEST(OptionsTest, ABadValueNamesTheFileAndLine) {
  testing::TempDir tmp;
  std::ofstream(tmp / "virtnatd.conf") << "# comment\nmax_clients = many\n";
  Result<Options> o = Parse({"virtnatd", "--config-dir", tmp.path()});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().message,
            tmp / "virtnatd.conf" + ": line 2: invalid value 'many' for max_clients");
}

TEST(OptionsTest, TheHelpNamesEveryOption) {
  std::string help = HelpText();
  for (const char* option : {"--config", "-f", "--pid-file", "--timeout", "-t", "--verbose",
                             "--daemon", "--check", "--status", "--log-outputs", "--version"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
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
