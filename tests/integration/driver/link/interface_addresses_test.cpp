// Re-adoption reads a bridge's addresses back from the kernel and compares
// them with its status record as text (network_state_adopt.h): the reading
// must print each address as the record does, IPv6 included, and only those
// of the named interface.

#include "driver/link/interface_addresses.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::NetNs;

// The addresses, or one line naming the error.
std::vector<std::string> Read(const std::string& ifname) {
  Result<std::vector<std::string>> read = ReadInterfaceAddresses(ifname);
  return read.ok() ? *read : std::vector<std::string>{"error: " + read.status().message()};
}

TEST(InterfaceAddressesTest, ReadsAsTheRecordWritesThem) {
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
}

}  // namespace
}  // namespace virtnat::driver
