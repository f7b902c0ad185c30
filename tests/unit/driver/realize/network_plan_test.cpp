// NetworkPlan: golden text for every case of libvirt's networkxml2confdata
// and the project's tests/data/plan/NAME.xml, checked in as
// tests/data/plan/NAME.plan (UPDATE_GOLDEN=1 rewrites them), plus the rules
// the plan encodes (host-effects.md §2.1, §3) and the comparison that drives
// live updates.

#include "driver/realize/network_plan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "xml/network_parse.h"
#include "xml/network_validate.h"

namespace virtnat::driver {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

NetworkPlanFacts Facts() {
  NetworkPlanFacts facts;
  facts.state_dir = "/var/lib/virtnat/dnsmasq";
  facts.run_dir = "/run/virtnat";
  facts.dnsmasq_user = "dnsmasq";
  return facts;
}

xml::NetworkDef Parse(const std::string& text) {
  auto def = xml::ParseNetworkXml(text);
  EXPECT_TRUE(def.ok()) << def.error().message;
  if (!def.ok()) return {};
  Status valid = xml::ValidateNetworkDef(*def);
  EXPECT_TRUE(valid.ok()) << valid.message();
  return *def;
}

struct GoldenCase {
  std::string name;
  std::string xml_path;
};

std::vector<GoldenCase> Cases() {
  std::vector<GoldenCase> cases;
  for (const std::string& dir : {std::string(VIRTNAT_TESTDATA) + "/networkxml2confdata",
                                 std::string(VIRTNAT_TEST_DATA_DIR) + "/plan"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".xml") continue;
      cases.push_back({entry.path().stem().string(), entry.path().string()});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const GoldenCase& a, const GoldenCase& b) { return a.name < b.name; });
  return cases;
}

TEST(NetworkPlanGolden, EveryCaseMatchesItsCheckedInText) {
  std::vector<GoldenCase> cases = Cases();
  ASSERT_GE(cases.size(), 30u);
  const bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.name);
    xml::NetworkDef def = Parse(ReadFile(c.xml_path));
    Result<NetworkPlan> plan = PlanNetwork(def, Facts());
    const std::string text =
        plan.ok() ? DescribeNetworkPlan(*plan) : "error: " + plan.error().message + "\n";
    const std::string path = std::string(VIRTNAT_TEST_DATA_DIR) + "/plan/" + c.name + ".plan";
    if (update) std::ofstream(path, std::ios::binary) << text;
    EXPECT_EQ(ReadFile(path), text) << "rerun with UPDATE_GOLDEN=1 and review the diff";
  }
}

TEST(NetworkPlanTest, SeedFollowsTheStartOrderWithEveryFact) {
  xml::NetworkDef def = Parse(ReadFile(std::string(VIRTNAT_TEST_DATA_DIR) + "/plan/seed.xml"));
  Result<NetworkPlan> plan = PlanNetwork(def, Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->network, "seed");
  EXPECT_EQ(plan->bridge.name, "virbr0");
  ASSERT_TRUE(plan->bridge.mac.has_value());
  EXPECT_EQ(xml::FormatMac(*plan->bridge.mac), "52:54:00:0a:0b:0c");
  EXPECT_EQ(plan->bridge.mtu, 1400u);
  EXPECT_FALSE(plan->bridge.stp);
  ASSERT_EQ(plan->addresses.size(), 1u);
  EXPECT_EQ(plan->addresses[0].address.ToString(), "192.168.122.1");
  EXPECT_EQ(plan->addresses[0].prefix, 24u);  // from the netmask
  EXPECT_TRUE(plan->sysctls.ipv4_forwarding);
  EXPECT_FALSE(plan->sysctls.ipv6_forwarding);
  EXPECT_FALSE(plan->sysctls.bridge_ipv6);
  ASSERT_EQ(plan->route_checks.size(), 1u);
  EXPECT_EQ(plan->route_checks[0].address.ToString(), "192.168.122.0");
  EXPECT_TRUE(plan->dnsmasq.needed);
  EXPECT_EQ(plan->dnsmasq_paths.conf_file, "/var/lib/virtnat/dnsmasq/seed.conf");
  EXPECT_EQ(plan->dnsmasq_paths.pid_file, "/run/virtnat/seed.pid");
  EXPECT_EQ(plan->dnsmasq.hosts_file, "52:54:00:00:00:10,192.168.122.10,web\n");
  EXPECT_EQ(plan->dnsmasq.addn_hosts, "192.168.122.2\trouter\t\n");
  EXPECT_FALSE(plan->firewall.rules->empty());
  // dnsmasq daemonizes (the launcher refuses a foreground one) and writes its pid file.
  for (const std::string& arg : plan->dnsmasq.argv) {
    EXPECT_NE(arg, "--keep-in-foreground");
    EXPECT_NE(arg, "-k");
  }
  EXPECT_NE(plan->dnsmasq.conf.find("\npid-file=/run/virtnat/seed.pid\n"), std::string::npos);
}

TEST(NetworkPlanTest, IsolatedNetworksNeverTouchForwarding) {
  xml::NetworkDef def = Parse(
      "<network><name>iso</name><bridge name='virbr5'/>"
      "<ip address='10.1.0.1' prefix='24'/>"
      "<ip family='ipv6' address='2001:db8:1::1' prefix='64'/></network>");
  Result<NetworkPlan> plan = PlanNetwork(def, Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_FALSE(plan->sysctls.ipv4_forwarding);
  EXPECT_FALSE(plan->sysctls.ipv6_forwarding);
  EXPECT_TRUE(plan->sysctls.bridge_ipv6);
}

TEST(NetworkPlanTest, RoutesWithoutGatewayAreOnlyCheckedAndMetricDefaultsToOne) {
  xml::NetworkDef def = Parse(ReadFile(std::string(VIRTNAT_TEST_DATA_DIR) + "/plan/routes.xml"));
  Result<NetworkPlan> plan = PlanNetwork(def, Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->routes.size(), 2u);
  EXPECT_EQ(plan->routes[0].metric, 1u);
  EXPECT_EQ(plan->routes[1].metric, 5u);
  // The IPv4 <ip> and the IPv4 <route> are checked against host routes.
  ASSERT_EQ(plan->route_checks.size(), 2u);
  EXPECT_TRUE(plan->route_checks[1].is_route);
  EXPECT_FALSE(plan->dnsmasq.needed);
}

TEST(NetworkPlanTest, ModesWithoutAManagedBridgeAreExternalAndABridgeNameIsNeeded) {
  // libvirt starts them without host effects; a host bridge keeps its
  // <bandwidth> tree.
  xml::NetworkDef def = Parse(
      "<network><name>br</name><forward mode='bridge'/><bridge name='br0'/>"
      "<bandwidth><inbound average='1000'/></bandwidth></network>");
  Result<NetworkPlan> plan = PlanNetwork(def, Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_TRUE(plan->external);
  EXPECT_TRUE(plan->bridge.name.empty());
  EXPECT_TRUE(plan->firewall.rules->empty());
  EXPECT_FALSE(plan->dnsmasq.needed);
  EXPECT_FALSE(plan->qos.empty());
  EXPECT_EQ(DescribeNetworkPlan(*plan).substr(0, 51),
            "external: no bridge, addresses, rules or dnsmasq\ntc");
  for (const char* forward : {"<forward mode='vepa' dev='eth1'/>",
                              "<forward mode='passthrough'><pf dev='eth0'/></forward>",
                              "<forward mode='hostdev'><pf dev='eth0'/></forward>"}) {
    plan = PlanNetwork(Parse(std::string("<network><name>m</name>") + forward + "</network>"),
                       Facts());
    ASSERT_TRUE(plan.ok()) << forward << ": " << plan.error().message;
    EXPECT_TRUE(plan->external && plan->qos.empty()) << forward;
    EXPECT_EQ(DescribeNetworkPlan(*plan), "external: no bridge, addresses, rules or dnsmasq\n");
  }
  NetworkPlan managed =
      *PlanNetwork(Parse("<network><name>m</name><bridge name='virbr9'/></network>"), Facts());
  EXPECT_TRUE(ComparePlans(managed, *plan).link);

  // VLAN filtering of a host bridge is not done: refused, not ignored.
  xml::NetworkDef vlan = Parse(
      "<network><name>br</name><forward mode='bridge'/>"
      "<bridge name='br0' macTableManager='libvirt'/></network>");
  plan = PlanNetwork(vlan, Facts());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, VIR_ERR_CONFIG_UNSUPPORTED);

  xml::NetworkDef nameless = Parse("<network><name>n</name></network>");
  plan = PlanNetwork(nameless, Facts());
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message.find("network 'n' has no bridge name defined"), std::string::npos)
      << plan.error().message;
}

TEST(NetworkPlanTest, ComparisonSeparatesDnsmasqFirewallAndLinkChanges) {
  const std::string path = std::string(VIRTNAT_TEST_DATA_DIR) + "/plan/seed.xml";
  xml::NetworkDef def = Parse(ReadFile(path));
  NetworkPlan applied = *PlanNetwork(def, Facts());

  xml::NetworkDef hosts = def;
  xml::DhcpHost extra;
  extra.mac = "52:54:00:00:00:11";
  extra.ip = *IpAddress::Parse("192.168.122.11");
  hosts.ips[0].hosts.push_back(extra);
  PlanChanges c = ComparePlans(applied, *PlanNetwork(hosts, Facts()));
  EXPECT_TRUE(c.dnsmasq);
  EXPECT_FALSE(c.firewall);
  EXPECT_FALSE(c.link);

  xml::NetworkDef forwards = def;
  forwards.port_forwards[0].ranges[0].start = 8080;
  forwards.port_forwards[0].ranges[0].end = 8080;
  forwards.port_forwards[0].ranges[0].to = 80;
  c = ComparePlans(applied, *PlanNetwork(forwards, Facts()));
  EXPECT_FALSE(c.dnsmasq);
  EXPECT_TRUE(c.firewall);
  EXPECT_FALSE(c.link);

  xml::NetworkDef mtu = def;
  mtu.mtu = 1500;
  c = ComparePlans(applied, *PlanNetwork(mtu, Facts()));
  EXPECT_TRUE(c.link);

  c = ComparePlans(applied, applied);
  EXPECT_FALSE(c.dnsmasq || c.firewall || c.link);
}

}  // namespace
}  // namespace virtnat::driver
