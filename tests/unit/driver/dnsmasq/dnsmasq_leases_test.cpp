// Parsing dnsmasq's lease file, the lease store virtnat's dnsmasq keeps.
#include "driver/dnsmasq/dnsmasq_leases.h"

#include <gtest/gtest.h>

namespace virtnat::driver {
namespace {

// A file as dnsmasq 2.90 writes it: IPv4 leases, the server DUID, IPv6 leases.
constexpr char kLeaseFile[] =
    "1795800112 52:54:00:11:22:33 10.55.221.19 g2 01:52:54:00:11:22:33\n"
    "0 52:54:00:aa:bb:cc 10.55.221.20 * *\n"
    "duid 00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f\n"
    "1795804015 1122867 2001:db8:55:21::18 * 00:01:00:01:32:9c:6a:a3:52:54:00:11:22:33\n"
    "1795804016 T7 2001:db8:55:21::19 host6 00:02:00:00:ab:11:01:02\n";

TEST(DnsmasqLeasesTest, ParsesIpv4AndIpv6Leases) {
  std::vector<DnsmasqLease> leases = ParseDnsmasqLeases(kLeaseFile);
  ASSERT_EQ(leases.size(), 4u);

  EXPECT_EQ(leases[0].expiry, 1795800112u);
  EXPECT_EQ(leases[0].mac, "52:54:00:11:22:33");
  EXPECT_EQ(leases[0].ip.ToString(), "10.55.221.19");
  EXPECT_EQ(leases[0].hostname, "g2");
  EXPECT_EQ(leases[0].client_id, "01:52:54:00:11:22:33");
  EXPECT_EQ(leases[0].iaid, "");

  EXPECT_EQ(leases[1].expiry, 0u);  // infinite
  EXPECT_EQ(leases[1].hostname, "");
  EXPECT_EQ(leases[1].client_id, "");

  EXPECT_TRUE(leases[2].ip.is_v6());
  EXPECT_EQ(leases[2].iaid, "1122867");
  EXPECT_EQ(leases[2].client_id, "00:01:00:01:32:9c:6a:a3:52:54:00:11:22:33");
  EXPECT_EQ(leases[2].mac, "52:54:00:11:22:33");  // from the DUID-LLT
  EXPECT_EQ(leases[2].server_duid, "00:01:00:01:32:9c:6a:85:6a:da:68:11:d7:6f");

  EXPECT_EQ(leases[3].iaid, "7");  // temporary address marker dropped
  EXPECT_EQ(leases[3].mac, "");    // DUID-EN carries no MAC
  EXPECT_EQ(leases[3].hostname, "host6");
}

TEST(DnsmasqLeasesTest, SkipsWhatIsNotALease) {
  std::vector<DnsmasqLease> leases = ParseDnsmasqLeases(
      "\n"
      "garbage\n"
      "12 52:54:00:11:22:33 not-an-ip * *\n"
      "x 52:54:00:11:22:33 10.0.0.2 * *\n"
      "1 52:54:00:11:22:33 10.0.0.3 * *\n"
      "17958 52:54:00:11:22");  // partial last line while dnsmasq rewrites
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].ip.ToString(), "10.0.0.3");
  EXPECT_TRUE(ParseDnsmasqLeases("").empty());
}

TEST(DnsmasqLeasesTest, MacFromDuid) {
  EXPECT_EQ(MacFromDuid("00:03:00:01:52:54:00:44:55:66"), "52:54:00:44:55:66");  // DUID-LL
  EXPECT_EQ(MacFromDuid("00:01:00:01:18:aa:62:fe:00:16:3e:44:55:66"), "00:16:3e:44:55:66");
  EXPECT_EQ(MacFromDuid("00:03:00:20:52:54:00:44:55:66"), "");  // not Ethernet
  EXPECT_EQ(MacFromDuid("00:04:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63"), "");  // UUID
  EXPECT_EQ(MacFromDuid("0:3:0:1"), "");
  EXPECT_EQ(MacFromDuid(""), "");
}

}  // namespace
}  // namespace virtnat::driver
