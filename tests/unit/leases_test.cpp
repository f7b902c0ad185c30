#include "driver/leases.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace virtnat::driver {
namespace {

// Written by dnsmasq 2.90 for a guest holding an IPv4 and an IPv6 lease,
// plus a client that sent neither hostname nor client id.
constexpr const char* kLeaseFile =
    "1795800112 52:54:00:11:22:33 10.55.221.19 g2 01:52:54:00:11:22:33\n"
    "1795800200 52:54:00:aa:bb:cc 10.55.221.20 * *\n"
    "duid 00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f\n"
    "1795804015 1122867 2001:db8:55:21::18 * 00:01:00:01:32:9c:6a:a3:52:54:00:11:22:33\n";

constexpr LeasePrefixes kPrefixes{24, 64};
constexpr int64_t kNow = 1795800000;

TEST(LeasesTest, ReportsLeasesAsLibvirtDoes) {
  std::vector<DhcpLease> leases = NetworkLeases(kLeaseFile, "virbr5", kPrefixes, kNow);
  ASSERT_EQ(leases.size(), 3u);

  DhcpLease v4;
  v4.iface = "virbr5";
  v4.expiry_time = 1795800112;
  v4.type = VIR_IP_ADDR_TYPE_IPV4;
  v4.mac = "52:54:00:11:22:33";
  v4.ip_address = "10.55.221.19";
  v4.prefix = 24;
  v4.hostname = "g2";
  v4.client_id = "01:52:54:00:11:22:33";
  EXPECT_EQ(leases[0], v4);

  EXPECT_FALSE(leases[1].hostname);  // "*": none
  EXPECT_FALSE(leases[1].client_id);
  EXPECT_FALSE(leases[1].iaid);

  DhcpLease v6;
  v6.iface = "virbr5";
  v6.expiry_time = 1795804015;
  v6.type = VIR_IP_ADDR_TYPE_IPV6;
  v6.mac = "52:54:00:11:22:33";  // from the client's DUID-LLT
  v6.iaid = "1122867";
  v6.ip_address = "2001:db8:55:21::18";
  v6.prefix = 64;
  v6.client_id = "00:01:00:01:32:9c:6a:a3:52:54:00:11:22:33";
  EXPECT_EQ(leases[2], v6);
}

TEST(LeasesTest, DropsExpiredAndMaclessLeasesKeepsInfiniteOnes) {
  std::vector<DhcpLease> leases = NetworkLeases(
      "1795800112 52:54:00:11:22:33 10.55.221.19 g2 *\n"
      "0 52:54:00:00:00:01 10.55.221.3 forever *\n"
      "duid 00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f\n"
      // DUID-EN (type 2) carries no link-layer address.
      "1795804015 7 2001:db8:55:21::5 h 00:02:00:00:ab:11:01:02:03:04\n",
      "virbr5", kPrefixes, 1795800200);
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].ip_address, "10.55.221.3");
  EXPECT_EQ(leases[0].expiry_time, 0);
}

TEST(LeasesTest, MissingFileMeansNoLeases) {
  auto leases = ReadNetworkLeases("/nonexistent/virtnat/x.leases", "virbr5", kPrefixes, kNow);
  ASSERT_TRUE(leases.ok());
  EXPECT_TRUE(leases->empty());
}

TEST(LeasesTest, ReadsAFile) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("vn-leases-" + std::to_string(getpid()) + ".leases");
  std::ofstream(path) << kLeaseFile;
  auto leases = ReadNetworkLeases(path, "virbr5", kPrefixes, kNow);
  std::filesystem::remove(path);
  ASSERT_TRUE(leases.ok());
  EXPECT_EQ(leases->size(), 3u);
}

}  // namespace
}  // namespace virtnat::driver
