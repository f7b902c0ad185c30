// The planner's dnsmasq (driver/dnsmasq_config.h) run by the supervisor for
// a real network definition: the pieces fit. A guest with a static <host>
// gets its fixed address, and a <dns><host> name resolves at the bridge.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <fstream>

#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/dnsmasq/dnsmasq_process.h"
#include "driver/dnsmasq/leases.h"
#include "tests/support/host/dnsmasq_process_fixture.h"
#include "xml/network_parse.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::DnsmasqTest;

constexpr const char* kNetwork = R"(<network>
  <name>vntest</name>
  <bridge name='virbrd0' stp='off'/>
  <domain name='example.test'/>
  <dns>
    <host ip='10.9.0.7'><hostname>printer</hostname></host>
  </dns>
  <ip address='10.9.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.9.0.100' end='10.9.0.150'/>
      <host mac='52:54:00:aa:00:01' name='guest1' ip='10.9.0.42'/>
    </dhcp>
  </ip>
</network>
)";

bool WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  return chmod(path.c_str(), mode) == 0;
}

TEST_F(DnsmasqTest, PlannedDnsmasqServesStaticHostAndDnsNames) {
  auto def = xml::ParseNetworkXml(kNetwork);
  ASSERT_TRUE(def.ok()) << def.error().message;
  DnsmasqFacts facts;
  facts.paths = MakeDnsmasqPaths(dir_, dir_, "vntest");
  auto plan = PlanDnsmasq(*def, facts);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_TRUE(plan->needed);
  ASSERT_TRUE(WriteFile(facts.paths.conf_file, plan->conf, 0600));
  ASSERT_TRUE(WriteFile(facts.paths.hosts_file, plan->hosts_file, 0644));
  ASSERT_TRUE(WriteFile(facts.paths.addn_hosts_file, plan->addn_hosts, 0644));

  DnsmasqCommand command;
  command.binary = plan->argv[0];
  // dnsmasq must daemonize for LaunchDnsmasq to see its startup errors
  // (dnsmasq_process.h); the plan still asks for the foreground.
  std::copy_if(plan->argv.begin() + 1, plan->argv.end(), std::back_inserter(command.args),
               [](const std::string& a) { return a != "--keep-in-foreground"; });
  command.env = {"VIR_BRIDGE_NAME=virbrd0"};
  command.pid_file = facts.paths.pid_file;

  host_.Run([&] {
    DnsmasqProcess dnsmasq(command);
    Status s = dnsmasq.Start();
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(GuestLease(), "10.9.0.42/24");
    auto dns = guest_.Exec("busybox nslookup printer.example.test 10.9.0.1");
    EXPECT_NE(dns.output.find("10.9.0.7"), std::string::npos) << dns.output;

    auto leases = ReadNetworkLeases(facts.paths.lease_file, {24, 64});
    ASSERT_TRUE(leases.ok()) << leases.error().message;
    ASSERT_EQ(leases->size(), 1u);
    EXPECT_EQ((*leases)[0].ip.ToString(), "10.9.0.42");
    EXPECT_EQ((*leases)[0].prefix, 24u);
    EXPECT_EQ((*leases)[0].hostname, "guest1");  // dnsmasq names it from the <host>
    EXPECT_TRUE(dnsmasq.Stop().ok());
  });
}

}  // namespace
}  // namespace virtnat::driver
