#include "driver/dnsmasq/leases.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace virtnat::driver {
namespace {

// Written by dnsmasq 2.90 for a guest holding an IPv4 and an IPv6 lease.
constexpr const char* kLeaseFile =
    "1795800112 52:54:00:11:22:33 10.55.221.19 g2 01:52:54:00:11:22:33\n"
    "1795800200 52:54:00:aa:bb:cc 10.55.221.20 * *\n"
    "duid 00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f\n"
    "1795804015 1122867 2001:db8:55:21::18 * 00:01:00:01:32:9c:6a:a3:52:54:00:11:22:33\n";

constexpr LeasePrefixes kPrefixes{24, 64};

TEST(LeasesTest, ParsesIpv4AndIpv6Leases) {
  std::vector<NetworkLease> leases = ParseNetworkLeases(kLeaseFile, kPrefixes);
  ASSERT_EQ(leases.size(), 3u);

  EXPECT_EQ(leases[0].expiry, 1795800112u);
  EXPECT_EQ(leases[0].mac, "52:54:00:11:22:33");
  EXPECT_EQ(leases[0].ip.ToString(), "10.55.221.19");
  EXPECT_EQ(leases[0].prefix, 24u);
  EXPECT_EQ(leases[0].hostname, "g2");
  EXPECT_EQ(leases[0].client_id, "01:52:54:00:11:22:33");
  EXPECT_EQ(leases[0].iaid, "");

  EXPECT_EQ(leases[1].hostname, "");  // "*" means none
  EXPECT_EQ(leases[1].client_id, "");

  EXPECT_TRUE(leases[2].ip.is_v6());
  EXPECT_EQ(leases[2].ip.ToString(), "2001:db8:55:21::18");
  EXPECT_EQ(leases[2].prefix, 64u);
  EXPECT_EQ(leases[2].iaid, "1122867");
  EXPECT_EQ(leases[2].client_id, "00:01:00:01:32:9c:6a:a3:52:54:00:11:22:33");
  EXPECT_EQ(leases[2].mac, "52:54:00:11:22:33");
  EXPECT_EQ(leases[2].server_duid, "00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f");
}

TEST(LeasesTest, SkipsGarbageAndV6LeasesWithoutAMac) {
  std::vector<NetworkLease> leases = ParseNetworkLeases(
      "not a lease\n"
      "\n"
      "x 52:54:00:11:22:33 10.0.0.2 a b\n"
      "10 52:54:00:11:22:33 10.0.0.300 a b\n"
      "duid 00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f\n"
      // DUID-EN (type 2) carries no link-layer address.
      "20 7 fd00::5 h 00:02:00:00:ab:11:01:02:03:04\n"
      "0 52:54:00:00:00:01 10.0.0.3 forever *",
      kPrefixes);
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].ip.ToString(), "10.0.0.3");
  EXPECT_EQ(leases[0].expiry, 0u);
}

TEST(LeasesTest, SelectsByMacAnyCaseAndDropsExpired) {
  std::vector<NetworkLease> leases = ParseNetworkLeases(kLeaseFile, kPrefixes);
  leases.push_back(leases[1]);
  leases.back().expiry = 0;  // never expires
  std::vector<NetworkLease> mine = SelectLeases(leases, "52:54:00:11:22:33", 1795800000);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].ip.ToString(), "10.55.221.19");
  EXPECT_EQ(mine[1].ip.ToString(), "2001:db8:55:21::18");
  EXPECT_EQ(SelectLeases(leases, "52:54:00:AA:BB:CC", 1795800000).size(), 2u);
  leases[1].mac = "52:54:00:AA:BB:CC";  // whatever case the file has
  EXPECT_EQ(SelectLeases(leases, "52:54:00:aa:bb:cc", 1795800000).size(), 2u);
  // After the IPv4 leases expired only the IPv6 one and the infinite one are left.
  std::vector<NetworkLease> later = SelectLeases(leases, std::nullopt, 1795800300);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_TRUE(later[0].ip.is_v6());
  EXPECT_EQ(later[1].expiry, 0u);
}

TEST(LeasesTest, MissingFileMeansNoLeases) {
  auto leases = ReadNetworkLeases("/nonexistent/virtnat/x.leases", kPrefixes);
  ASSERT_TRUE(leases.ok());
  EXPECT_TRUE(leases->empty());
}

TEST(LeasesTest, ReadsAFile) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("vn-leases-" + std::to_string(getpid()) + ".leases");
  std::ofstream(path) << kLeaseFile;
  auto leases = ReadNetworkLeases(path, kPrefixes);
  std::filesystem::remove(path);
  ASSERT_TRUE(leases.ok());
  EXPECT_EQ(leases->size(), 3u);
}

}  // namespace
}  // namespace virtnat::driver
