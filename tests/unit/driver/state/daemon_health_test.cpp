// The health file behind `virtnatd --status`: its text, a round trip through
// a directory, and the report printed from it.

#include "driver/state/daemon_health.h"

#include <gtest/gtest.h>

#include "driver/os/atomic_file.h"
#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

TEST(DaemonHealthTest, FormatsOneLinePerFactAndParsesBack) {
  DaemonHealth health{1234, 2, {"table ip filter chain FORWARD drops", "two\nlines"}};
  const std::string text = FormatHealth(health);
  EXPECT_EQ(text,
            "pid 1234\nrepairs 2\nwarning table ip filter chain FORWARD drops\n"
            "warning two lines\n");
  auto parsed = ParseHealth(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  health.warnings[1] = "two lines";
  EXPECT_EQ(*parsed, health);
}

TEST(DaemonHealthTest, UnknownLinesAreSkippedAndAPidIsRequired) {
  auto parsed = ParseHealth("pid 7\nfuture something\nwarning w\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (DaemonHealth{7, 0, {"w"}}));
  EXPECT_FALSE(ParseHealth("").ok());
  EXPECT_FALSE(ParseHealth("pid x\n").ok());
  EXPECT_FALSE(ParseHealth("pid -3\n").ok());
}

TEST(DaemonHealthTest, WrittenFileReadsBackAndAMissingOneIsNone) {
  virtnat::testing::TempDir dir;
  const std::string run = dir.path() + "/run";
  auto none = ReadHealth(run);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());
  DaemonHealth health{42, 0, {"w"}};
  ASSERT_TRUE(WriteHealth(run, health).ok());
  auto read = ReadHealth(run);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, health);
  ASSERT_TRUE(WriteFileAtomic(HealthPath(run), "garbage\n", 0644).ok());
  EXPECT_FALSE(ReadHealth(run).ok());
}

TEST(DaemonHealthTest, ReportNamesTheDaemonNetworksAndWarnings) {
  StatusRecord record;
  record.name = "default";
  record.bridge = "virbr0";
  record.dnsmasq = DnsmasqStatus{555, 1, {"/usr/sbin/dnsmasq"}};
  StatusRecord open;
  open.name = "open";
  open.bridge = "virbr9";
  DaemonHealth health{42, 1, {"table ip filter chain FORWARD drops"}};
  EXPECT_EQ(RenderStatusReport(health, true, {record, open}),
            "virtnatd: running (pid 42)\n"
            "network 'default': active, bridge virbr0, dnsmasq pid 555\n"
            "network 'open': active, bridge virbr9\n"
            "firewall rules restored 1 time since start-up\n"
            "warning: table ip filter chain FORWARD drops\n");
  EXPECT_EQ(RenderStatusReport(health, false, {record}),
            "virtnatd: not running\n"
            "network 'default': active, bridge virbr0, dnsmasq pid 555\n");
  EXPECT_EQ(RenderStatusReport(std::nullopt, false, {}), "virtnatd: not running\n");
  EXPECT_EQ(RenderStatusReport(DaemonHealth{42, 0, {}}, true, {}), "virtnatd: running (pid 42)\n");
}

}  // namespace
}  // namespace virtnat::driver
