// libvirt's BRIDGE.status JSON from dnsmasq's lease database, as its lease
// helper writes it and libnss-libvirt reads it.

#include "driver/dnsmasq/lease_status.h"

#include <gtest/gtest.h>

namespace virtnat::driver {
namespace {

TEST(RenderLeaseStatusTest, KeysInLibvirtsOrderAndEveryLeaseOfTheDatabase) {
  std::vector<DnsmasqLease> leases = ParseDnsmasqLeases(
      "1700000000 52:54:00:aa:bb:cc 192.168.122.10 guest1 01:52:54:00:aa:bb:cc\n"
      "0 52:54:00:11:22:33 192.168.122.11 * *\n"
      "duid 00:01:00:01:2c:00:00:01:52:54:00:00:00:01\n"
      "1700000100 1234 2001:db8::10 guest6 00:01:00:01:2c:00:00:02:52:54:00:aa:bb:cd\n");
  EXPECT_EQ(RenderLeaseStatus(leases),
            "[\n"
            "  {\n"
            "    \"ip-address\": \"192.168.122.10\",\n"
            "    \"mac-address\": \"52:54:00:aa:bb:cc\",\n"
            "    \"hostname\": \"guest1\",\n"
            "    \"client-id\": \"01:52:54:00:aa:bb:cc\",\n"
            "    \"expiry-time\": 1700000000\n"
            "  },\n"
            "  {\n"
            "    \"ip-address\": \"192.168.122.11\",\n"
            "    \"mac-address\": \"52:54:00:11:22:33\"\n"
            "  },\n"
            "  {\n"
            "    \"iaid\": \"1234\",\n"
            "    \"ip-address\": \"2001:db8::10\",\n"
            "    \"mac-address\": \"52:54:00:aa:bb:cd\",\n"
            "    \"hostname\": \"guest6\",\n"
            "    \"client-id\": \"00:01:00:01:2c:00:00:02:52:54:00:aa:bb:cd\",\n"
            "    \"expiry-time\": 1700000100\n"
            "  }\n"
            "]\n");
}

TEST(RenderLeaseStatusTest, LeasesWithoutMacAreLeftOutAndNoLeasesIsAnEmptyArray) {
  // An IPv6 lease whose DUID carries no MAC (DUID-EN): libnss-libvirt would
  // reject the whole file for an entry without "mac-address".
  std::vector<DnsmasqLease> leases =
      ParseDnsmasqLeases("duid 00:01\n1700000100 7 2001:db8::11 g 00:02:00:00:ab:11:01\n");
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(RenderLeaseStatus(leases), "[]\n");
  EXPECT_EQ(RenderLeaseStatus({}), "[]\n");
}

TEST(RenderLeaseStatusTest, StringsAreEscaped) {
  DnsmasqLease lease;
  lease.ip = *IpAddress::Parse("10.0.0.2");
  lease.mac = "52:54:00:00:00:02";
  lease.hostname = "a\"b\\c\x01";
  EXPECT_EQ(RenderLeaseStatus({lease}),
            "[\n  {\n    \"ip-address\": \"10.0.0.2\",\n    \"mac-address\": "
            "\"52:54:00:00:00:02\",\n    \"hostname\": \"a\\\"b\\\\c\\u0001\"\n  }\n]\n");
}

}  // namespace
}  // namespace virtnat::driver
