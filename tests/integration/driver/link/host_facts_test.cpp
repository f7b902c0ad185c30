// Host facts read from a real kernel inside a throw-away namespace.

#include <gtest/gtest.h>

#include <algorithm>

#include "driver/link/host_facts_netlink.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::NetNs;

TEST(HostFactsIntegrationTest, ListsInterfacesAndMainTableRoutes) {
  NetNs ns("facts");
  ASSERT_TRUE(ns.ok());
  ASSERT_EQ(ns.Exec("ip link add hf0 type bridge && ip link set hf0 up && "
                    "ip addr add 10.77.1.1/24 dev hf0 && "
                    "ip route add 10.77.9.0/24 via 10.77.1.2 && "
                    "ip route add 10.77.8.0/24 via 10.77.1.2 table 100")
                .exit_status,
            0);
  ns.Run([] {
    auto facts = RealHostFacts::Open();
    ASSERT_TRUE(facts.ok()) << facts.error().message;
    auto names = (*facts)->InterfaceNames();
    ASSERT_TRUE(names.ok());
    std::sort(names->begin(), names->end());
    EXPECT_EQ(*names, (std::vector<std::string>{"hf0", "lo"}));
    EXPECT_TRUE(*(*facts)->InterfaceExists("hf0"));
    EXPECT_FALSE(*(*facts)->InterfaceExists("virbr0"));

    auto routes = (*facts)->Ipv4Routes();
    ASSERT_TRUE(routes.ok()) << routes.error().message;
    std::vector<std::string> seen;
    for (const HostRoute& r : *routes) {
      seen.push_back(r.destination.ToString() + "/" + std::to_string(r.prefix) + " " + r.interface);
    }
    std::sort(seen.begin(), seen.end());
    // Table 100 and the local table are not the main table.
    EXPECT_EQ(seen, (std::vector<std::string>{"10.77.1.0/24 hf0", "10.77.9.0/24 hf0"}));
    Status in_use = CheckSubnetNotRouted(*routes, *IpAddress::Parse("10.77.1.1"), 24);
    EXPECT_EQ(in_use.message(), "internal error: Network is already in use by interface hf0");
  });
}

TEST(HostFactsIntegrationTest, KernelHasBridgeAndNftablesAndTheProbeLeavesNothing) {
  NetNs ns("facts");
  ASSERT_TRUE(ns.ok());
  const std::string links_before = ns.Exec("ip -o link show").output;
  ns.Run([] {
    auto facts = RealHostFacts::Open();
    ASSERT_TRUE(facts.ok());
    Status s = (*facts)->CheckBridgeSupport();
    EXPECT_TRUE(s.ok()) << s.message();
    s = (*facts)->CheckNftablesSupport();
    EXPECT_TRUE(s.ok()) << s.message();
  });
  EXPECT_EQ(ns.Exec("ip -o link show").output, links_before);
}

}  // namespace
}  // namespace virtnat::driver
