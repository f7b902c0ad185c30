// The seed scenario end to end through the HostRealizer, in throw-away
// namespaces: DHCP from the range and from a static host, DNS from <dns>,
// NAT to the wan, the forwarded port from the wan, the host and another
// guest, refusals; then live DHCP host changes (same dnsmasq, lease kept)
// and dnsmasq's supervision.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/support/host/realize_env.h"

namespace virtnat::testing {
namespace {

using driver::HostRealizer;
using std::chrono::milliseconds;

// STP off: with it a new port drops the first DHCP requests for 2 x 2 s.
constexpr const char* kSeed = R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>seed</name>
  <forward mode='nat'/>
  <bridge name='virbrs0' stp='off' delay='0'/>
  <dns>
    <host ip='192.168.122.10'><hostname>web.example</hostname></host>
  </dns>
  <ip address='192.168.122.1' prefix='24'>
    <dhcp>
      <range start='192.168.122.100' end='192.168.122.199'/>
      <host mac='52:54:00:00:00:10' name='web' ip='192.168.122.10'/>
    </dhcp>
  </ip>
  <vn:portForward guest='192.168.122.10'><vn:range start='8080' to='80'/></vn:portForward>
</network>)";

std::optional<pid_t> Pid(RealizeEnv& env) {
  return env.realizer().Call([](HostRealizer& r) { return r.DnsmasqPid("seed"); });
}

bool InRange(const std::string& cidr) {
  auto ip = IpAddress::Parse(cidr.substr(0, cidr.find('/')));
  return ip && *ip >= *IpAddress::Parse("192.168.122.100") &&
         *ip <= *IpAddress::Parse("192.168.122.199");
}

TEST(SeedScenarioTest, GuestsGetAddressesNamesNatAndTheForwardedPort) {
  RealizeEnv env;
  ASSERT_TRUE(env.ok());
  // The wan knows the guests' subnet, so it can try to reach them directly.
  ASSERT_EQ(env.wan().Exec("ip route add 192.168.122.0/24 via 198.51.100.1").exit_status, 0);
  ASSERT_NO_FATAL_FAILURE(env.StartServer(env.wan(), "0.0.0.0", 9000));
  xml::NetworkDef def = RealizeEnv::Def(kSeed);
  Status s = env.realizer().Call([&](HostRealizer& r) { return r.Start(def); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Trim(env.host().Exec("cat /proc/sys/net/ipv4/ip_forward").output), "1");

  NetNs& web = env.AddGuest("virbrs0", "52:54:00:00:00:10");
  NetNs& other = env.AddGuest("virbrs0", "52:54:00:00:00:20");
  EXPECT_EQ(env.Lease(web), "192.168.122.10/24");  // the static <host>
  const std::string other_ip = env.Lease(other);
  EXPECT_TRUE(InRange(other_ip)) << other_ip;  // from the range

  // A name from <dns><host>, asked of dnsmasq at the bridge address.
  CommandResult dns = other.Exec("busybox nslookup web.example 192.168.122.1");
  EXPECT_NE(dns.output.find("192.168.122.10"), std::string::npos) << dns.output;

  // Out to the wan: ICMP and TCP, masqueraded to the host's address.
  EXPECT_EQ(web.Exec("ping -c 1 -W 2 198.51.100.2").exit_status, 0);
  EXPECT_EQ(env.Connect(web, "198.51.100.2", 9000), "198.51.100.1");

  // The forwarded port: from the wan (the guest sees the real client), from
  // the host itself, and from another guest (hairpin, via the host).
  ASSERT_NO_FATAL_FAILURE(env.StartServer(web, "0.0.0.0", 80));
  EXPECT_EQ(env.Connect(env.wan(), "198.51.100.1", 8080), "198.51.100.2");
  EXPECT_EQ(env.Connect(env.host(), "198.51.100.1", 8080), "198.51.100.1");
  EXPECT_EQ(env.Connect(other, "198.51.100.1", 8080), "192.168.122.1");
  // Unsolicited, straight to the guest's own address: refused.
  EXPECT_EQ(env.Connect(env.wan(), "192.168.122.10", 80), "refused");

  // Both leases, as net-dhcp-leases lists them.
  auto leases = env.realizer().Call([&](HostRealizer& r) { return r.Leases(def); });
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  std::vector<std::string> seen;
  for (const driver::NetworkDhcpLease& l : *leases) seen.push_back(l.ip_address + "/24");
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> want = {"192.168.122.10/24", other_ip};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);

  s = env.realizer().Call([&](HostRealizer& r) { return r.Stop(def); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(env.host().Exec("ip link show virbrs0").exit_status, 1);
  EXPECT_EQ(env.host().Exec("nft list ruleset").output, "");
  EXPECT_EQ(Trim(RunCommand("ip netns pids " + env.host().name()).output), "");
}

TEST(SeedScenarioTest, LiveDhcpHostAddKeepsDnsmasqAndItsLeases) {
  RealizeEnv env;
  ASSERT_TRUE(env.ok());
  xml::NetworkDef def = RealizeEnv::Def(kSeed);
  ASSERT_TRUE(env.realizer().Call([&](HostRealizer& r) { return r.Start(def); }).ok());
  NetNs& holder = env.AddGuest("virbrs0", "52:54:00:00:00:20");
  const std::string held = env.Lease(holder);
  ASSERT_TRUE(InRange(held)) << held;
  const std::optional<pid_t> pid = Pid(env);
  ASSERT_TRUE(pid);

  xml::NetworkDef changed = def;
  xml::DhcpHost host;
  host.mac = "52:54:00:00:00:30";
  host.name = "late";
  host.ip = *IpAddress::Parse("192.168.122.30");
  changed.ips[0].hosts.push_back(host);
  Status s = env.realizer().Call([&](HostRealizer& r) { return r.Reload(def, changed); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Pid(env), pid);  // SIGHUP, no restart

  // The new host entry is served, and the old lease is still there.
  NetNs& late = env.AddGuest("virbrs0", "52:54:00:00:00:30");
  EXPECT_EQ(env.Lease(late), "192.168.122.30/24");
  EXPECT_EQ(env.Lease(holder), held);  // renewal keeps the address
  auto leases = env.realizer().Call([&](HostRealizer& r) { return r.Leases(changed); });
  ASSERT_TRUE(leases.ok());
  EXPECT_EQ(leases->size(), 2u);
  EXPECT_EQ(Pid(env), pid);

  // Deleting it again: still the same dnsmasq.
  s = env.realizer().Call([&](HostRealizer& r) { return r.Reload(changed, def); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Pid(env), pid);
}

TEST(SeedScenarioTest, LivePortForwardChangesTouchOnlyTheFirewall) {
  RealizeEnv env;
  ASSERT_TRUE(env.ok());
  xml::NetworkDef def = RealizeEnv::Def(kSeed);
  ASSERT_TRUE(env.realizer().Call([&](HostRealizer& r) { return r.Start(def); }).ok());
  const std::string rules = env.host().Exec("nft list ruleset").output;
  const std::optional<pid_t> pid = Pid(env);
  // A guest with the forwarded address, configured by hand (no DHCP wait).
  NetNs& web = env.AddGuest("virbrs0", "52:54:00:00:00:10");
  ASSERT_EQ(web.Exec("ip addr add 192.168.122.10/24 dev eth0 && "
                     "ip route add default via 192.168.122.1")
                .exit_status,
            0);
  ASSERT_NO_FATAL_FAILURE(env.StartServer(web, "0.0.0.0", 80));
  EXPECT_EQ(env.Connect(env.wan(), "198.51.100.1", 2222), "refused");

  xml::NetworkDef changed = def;
  changed.port_forwards[0].ranges.push_back(xml::PortForwardRange{2222, 2222, 80});
  Status s = env.realizer().Call([&](HostRealizer& r) { return r.Reload(def, changed); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(env.Connect(env.wan(), "198.51.100.1", 2222), "198.51.100.2");
  EXPECT_EQ(env.Connect(env.wan(), "198.51.100.1", 8080), "198.51.100.2");
  EXPECT_EQ(Pid(env), pid);  // dnsmasq untouched

  s = env.realizer().Call([&](HostRealizer& r) { return r.Reload(changed, def); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(env.Connect(env.wan(), "198.51.100.1", 2222), "refused");
  EXPECT_EQ(env.Connect(env.wan(), "198.51.100.1", 8080), "198.51.100.2");
  EXPECT_EQ(env.host().Exec("nft list ruleset").output, rules);
  ASSERT_TRUE(env.realizer().Call([&](HostRealizer& r) { return r.Stop(def); }).ok());
}

TEST(SeedScenarioTest, KilledDnsmasqIsBackWithinASecondAndServes) {
  RealizeEnv env;
  ASSERT_TRUE(env.ok());
  xml::NetworkDef def = RealizeEnv::Def(kSeed);
  ASSERT_TRUE(env.realizer().Call([&](HostRealizer& r) { return r.Start(def); }).ok());
  const std::optional<pid_t> pid = Pid(env);
  ASSERT_TRUE(pid);
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(*pid, SIGKILL), 0);
  std::optional<pid_t> now;
  while (std::chrono::steady_clock::now() - killed_at < milliseconds(3000)) {
    now = Pid(env);
    if (now && *now != *pid) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  auto back_after = std::chrono::steady_clock::now() - killed_at;
  ASSERT_TRUE(now && *now != *pid);
  EXPECT_LT(back_after, milliseconds(1000));
  std::cerr << "dnsmasq back after " << std::chrono::duration_cast<milliseconds>(back_after).count()
            << " ms\n";
  NetNs& web = env.AddGuest("virbrs0", "52:54:00:00:00:10");
  EXPECT_EQ(env.Lease(web), "192.168.122.10/24");
  ASSERT_TRUE(env.realizer().Call([&](HostRealizer& r) { return r.Stop(def); }).ok());
  EXPECT_EQ(Trim(RunCommand("ip netns pids " + env.host().name()).output), "");
}

}  // namespace
}  // namespace virtnat::testing
