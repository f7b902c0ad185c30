// Re-adoption reads a bridge's addresses back from the kernel and compares
// them with its status record as values (network_state_adopt.h): the
// reading must give each address with the prefix length of its netmask,
// IPv6 included, and only those of the named interface.

#include "driver/link/interface_addresses.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "driver/state/status_record.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::NetNs;

// The addresses as "ADDRESS/PREFIX", or one line naming the error.
std::vector<std::string> Read(const std::string& ifname) {
  Result<std::vector<InterfaceAddress>> read = ReadInterfaceAddresses(ifname);
  if (!read.ok()) return {"error: " + read.status().message()};
  std::vector<std::string> out;
  for (const InterfaceAddress& a : *read) out.push_back(AddressText(a));
  return out;
}

TEST(InterfaceAddressesTest, ReadsAddressesWithTheirPrefixes) {
  NetNs ns("ifaddr");
  ASSERT_TRUE(ns.ok());
  for (const char* command :
       {"ip link add vnaddr0 type bridge", "ip link add vnaddr1 type bridge",
        "ip addr add 192.168.150.1/24 dev vnaddr0", "ip addr add 10.1.2.3/30 dev vnaddr0",
        "ip addr add fd00:0150:0000::1/64 dev vnaddr0", "ip addr add 172.16.0.1/16 dev vnaddr1",
        "ip link set vnaddr0 up"}) {
    ASSERT_EQ(ns.Exec(command).exit_status, 0) << command;
  }
  std::vector<std::string> got = ns.Run([] { return Read("vnaddr0"); });
  // The kernel adds a link-local address once the link is up; the record
  // never holds one, so it does not matter whether it is there yet.
  got.erase(std::remove_if(got.begin(), got.end(),
                           [](const std::string& a) { return a.starts_with("fe80:"); }),
            got.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"10.1.2.3/30", "192.168.150.1/24", "fd00:150::1/64"}));

  EXPECT_TRUE(ns.Run([] { return Read("absent0"); }).empty());

  // As values: the same addresses a plan holds for them.
  std::vector<InterfaceAddress> typed = ns.Run([] {
    Result<std::vector<InterfaceAddress>> read = ReadInterfaceAddresses("vnaddr1");
    return read.ok() ? *read : std::vector<InterfaceAddress>{};
  });
  EXPECT_EQ(typed, (std::vector<InterfaceAddress>{{*IpAddress::Parse("172.16.0.1"), 16}}));
}

}  // namespace
}  // namespace virtnat::driver
