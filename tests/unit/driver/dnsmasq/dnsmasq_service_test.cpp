#include "driver/dnsmasq/dnsmasq_service.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::Entries;
using virtnat::testing::ReadAll;
using virtnat::testing::TempDir;
using virtnat::testing::WriteAll;

mode_t PermissionsOf(const std::string& path) { return virtnat::testing::ModeOf(path) & 07777; }

DnsmasqPaths PathsIn(const TempDir& dir) {
  DnsmasqPaths paths;
  paths.conf_file = dir / "lib/n.conf";
  paths.hosts_file = dir / "lib/n.hostsfile";
  paths.addn_hosts_file = dir / "lib/n.addnhosts";
  paths.pid_file = dir / "run/n.pid";
  return paths;
}

// The files go through the one atomic writer with dnsmasq's exact modes,
// whatever the umask, in directories dnsmasq can traverse.
TEST(DnsmasqServiceTest, WritesItsFilesAtomicallyWithExactModes) {
  TempDir dir;
  const DnsmasqPaths paths = PathsIn(dir);
  DnsmasqPlan plan;
  plan.conf = "conf\n";
  plan.hosts_file = "hosts\n";
  plan.addn_hosts = "addn\n";
  Status written = [&] {
    virtnat::testing::ScopedUmask mask(077);
    return WriteDnsmasqFiles(plan, paths);
  }();
  ASSERT_TRUE(written.ok()) << written.message();
  EXPECT_EQ(ReadAll(paths.conf_file), "conf\n");
  EXPECT_EQ(ReadAll(paths.hosts_file), "hosts\n");
  EXPECT_EQ(ReadAll(paths.addn_hosts_file), "addn\n");
  EXPECT_EQ(PermissionsOf(paths.conf_file), 0600u);
  EXPECT_EQ(PermissionsOf(paths.hosts_file), 0644u);
  EXPECT_EQ(PermissionsOf(paths.addn_hosts_file), 0644u);
  EXPECT_EQ(PermissionsOf(dir / "lib"), 0755u);
  EXPECT_EQ(PermissionsOf(dir / "run"), 0755u);
  EXPECT_EQ(Entries(dir / "lib"),
            (std::vector<std::string>{"n.addnhosts", "n.conf", "n.hostsfile"}));
}

TEST(DnsmasqServiceTest, RemovesTheTemporariesOfInterruptedWrites) {
  TempDir dir;
  const DnsmasqPaths paths = PathsIn(dir);
  ASSERT_TRUE(WriteDnsmasqFiles(DnsmasqPlan{}, paths).ok());
  WriteAll(dir / "lib/.n.hostsfile.virtnat-tmp.0123456789abcdef", "half");
  WriteAll(dir / "lib/n.conf.new", "half, from an older daemon");
  ASSERT_TRUE(RemoveDnsmasqTemps(paths).ok());
  EXPECT_EQ(Entries(dir / "lib"),
            (std::vector<std::string>{"n.addnhosts", "n.conf", "n.hostsfile"}));
  WriteAll(dir / "lib/.n.addnhosts.virtnat-tmp.0123456789abcdef", "half");
  ASSERT_TRUE(RemoveDnsmasqFiles(paths).ok());
  EXPECT_TRUE(Entries(dir / "lib").empty());
}

}  // namespace
}  // namespace virtnat::driver
