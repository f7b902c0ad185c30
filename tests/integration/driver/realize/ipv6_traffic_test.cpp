// IPv6 through the full HostRealizer, in throw-away namespaces: the host's
// wan link gets 2001:db8:ffff::1/64 (the wan 2001:db8:ffff::2/64) beside
// RealizeEnv's IPv4 link. Guests take their addresses as a VM would: by
// DHCPv6 from the network's dnsmasq (ipv6_probe.h's client, with the
// default route from dnsmasq's router advertisements), or by SLAAC from
// those advertisements when the network has no DHCPv6 range.
//
// Which XML masquerades IPv6 follows libvirt 9.0 (host-effects.md §6.2,
// §7.2): only <forward mode='nat'><nat ipv6='yes'/></forward>; plain nat
// and route mode route IPv6, so the wan sees the guest's own address.
// The host's sysctls are the driver's (§3.2, §3.3): IPv6 forwarding, the
// bridge's accept_ra/autoconf, and libvirt's accept_ra check, met here with
// a route the host really learned from a router advertisement.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <algorithm>
#include <fstream>

#include "common/ip_address.h"
#include "tests/support/host/ipv6_probe.h"
#include "tests/support/host/realize_env.h"
#include "tests/support/host/tcp_probe.h"

namespace virtnat::testing {
namespace {

using driver::HostRealizer;

constexpr const char* kHostWan = "2001:db8:ffff::1";
constexpr const char* kWan = "2001:db8:ffff::2";

// Dual stack as libvirt's default network with IPv6 added: NAT for both
// families, DHCPv6 from a range and a static host (matched by the DUID-LL
// of 52:54:00:00:06:10), and a port forward to that host.
constexpr const char* kNat6 = R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>nat6</name>
  <forward mode='nat'><nat ipv6='yes'/></forward>
  <bridge name='virbr6n' stp='off' delay='0'/>
  <dns><host ip='fd00:6:1::10'><hostname>web6.example</hostname></host></dns>
  <ip address='192.168.66.1' prefix='24'>
    <dhcp>
      <range start='192.168.66.100' end='192.168.66.199'/>
      <host mac='52:54:00:00:06:10' ip='192.168.66.10'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:6:1::1' prefix='64'>
    <dhcp>
      <range start='fd00:6:1::100' end='fd00:6:1::1ff'/>
      <host id='0:3:0:1:52:54:0:0:6:10' ip='fd00:6:1::10'/>
    </dhcp>
  </ip>
  <vn:portForward guest='fd00:6:1::10'><vn:range start='8080' to='80'/></vn:portForward>
</network>)";

// No DHCPv6: dnsmasq advertises the prefix for SLAAC (dhcp-range=…,ra-only).
std::string SlaacNetwork(const std::string& name, const std::string& forward,
                         const std::string& bridge, const std::string& prefix,
                         const std::string& extra = "") {
  return "<network><name>" + name + "</name>" + forward + "<bridge name='" + bridge +
         "' stp='off' delay='0'/><ip family='ipv6' address='" + prefix + "::1' prefix='64'/>" +
         extra + "</network>";
}

Status Start(RealizeEnv& env, const xml::NetworkDef& def) {
  return env.realizer().Call([&](HostRealizer& r) { return r.Start(def); });
}
Status Stop(RealizeEnv& env, const xml::NetworkDef& def) {
  return env.realizer().Call([&](HostRealizer& r) { return r.Stop(def); });
}

// Polls `condition` (a shell command) in `ns` for up to 10 s.
bool WaitFor(NetNs& ns, const std::string& condition) {
  return ns.Exec("for i in $(seq 100); do (" + condition + ") >/dev/null 2>&1 && exit 0; " +
                 "sleep 0.1; done; exit 1")
             .exit_status == 0;
}

std::string Sysctls(NetNs& ns, const std::string& dir, const std::string& names) {
  return ns.Exec("cd /proc/sys/net/ipv6/conf/" + dir + " && cat " + names + " | tr '\\n' ' '")
      .output;
}

class Ipv6TrafficTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    std::ofstream(env_.dir() + "/dhcp6.py") << kDhcpv6Client;
    std::ofstream(env_.dir() + "/ra.py") << kRouterAdvertisement;
    ASSERT_EQ(env_.host().Exec("ip addr add 2001:db8:ffff::1/64 dev eth0 nodad").exit_status, 0);
    ASSERT_EQ(env_.wan().Exec("ip addr add 2001:db8:ffff::2/64 dev eth0 nodad").exit_status, 0);
    ASSERT_NO_FATAL_FAILURE(env_.StartServer(env_.wan(), "::", 9000));
  }

  // A guest on `bridge` that solicits routers every second (Linux waits 4 s
  // and more between solicitations; dnsmasq's first unsolicited RA comes
  // after a random delay of up to 5 s), so the tests need not wait for them.
  NetNs& AddIpv6Guest(const std::string& bridge, const std::string& mac) {
    NetNs& guest = env_.AddGuest(bridge, mac);
    EXPECT_EQ(guest
                  .Exec("sysctl -qw net.ipv6.conf.eth0.router_solicitation_interval=1 "
                        "net.ipv6.conf.eth0.router_solicitation_delay=0 && "
                        "ip link set eth0 down && ip link set eth0 up")
                  .exit_status,
              0);
    return guest;
  }

  // The guest's address from DHCPv6, configured as dhclient would (/128;
  // the on-link prefix and the default route come from the RA).
  std::string Dhcp6(NetNs& guest, const std::string& mac) {
    CommandResult r = guest.Exec(std::string(kPython) + " " + env_.dir() + "/dhcp6.py eth0 " + mac);
    if (r.exit_status != 0) {
      ADD_FAILURE() << "DHCPv6: " << r.output;
      return "";
    }
    const std::string address = Trim(r.output);
    EXPECT_EQ(guest.Exec("ip addr add " + address + "/128 dev eth0 nodad").exit_status, 0);
    return address;
  }

  // A default route learned from the network's router advertisements.
  void ExpectRaDefaultRoute(NetNs& guest) {
    EXPECT_TRUE(WaitFor(guest, "ip -6 route show default | grep -q 'proto ra'"))
        << guest.Exec("ip -6 route").output;
  }

  // The guest's SLAAC address (global, past DAD), or "".
  std::string Slaac(NetNs& guest) {
    const std::string query = "ip -6 -o addr show dev eth0 scope global -tentative";
    if (!WaitFor(guest, query + " | grep -q inet6")) {
      ADD_FAILURE() << "no SLAAC address: " << guest.Exec("ip -6 addr").output;
      return "";
    }
    std::string cidr = Trim(guest.Exec(query + " | awk '{print $4}'").output);
    return cidr.substr(0, cidr.find('/'));
  }

  RealizeEnv env_;
};

TEST_F(Ipv6TrafficTest, NatMasqueradesServesDhcpv6AndForwardsAPort) {
  ASSERT_EQ(env_.wan().Exec("ip -6 route add fd00:6:1::/64 via 2001:db8:ffff::1").exit_status, 0);
  xml::NetworkDef def = RealizeEnv::Def(kNat6);
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  // Forwarding on; on the bridge IPv6 on, RAs and autoconf from guests off.
  EXPECT_EQ(Trim(env_.host().Exec("cat /proc/sys/net/ipv6/conf/all/forwarding").output), "1");
  EXPECT_EQ(Trim(env_.host().Exec("cat /proc/sys/net/ipv4/ip_forward").output), "1");
  EXPECT_EQ(Sysctls(env_.host(), "virbr6n", "disable_ipv6 accept_ra autoconf"), "0 0 0 ");

  NetNs& web = AddIpv6Guest("virbr6n", "52:54:00:00:06:10");
  NetNs& other = AddIpv6Guest("virbr6n", "52:54:00:00:06:20");
  EXPECT_EQ(Dhcp6(web, "52:54:00:00:06:10"), "fd00:6:1::10");  // the static <host>
  const std::string other_ip = Dhcp6(other, "52:54:00:00:06:20");
  auto ip = IpAddress::Parse(other_ip);
  EXPECT_TRUE(ip && *ip >= *IpAddress::Parse("fd00:6:1::100") &&
              *ip <= *IpAddress::Parse("fd00:6:1::1ff"))
      << other_ip;  // from the range
  ExpectRaDefaultRoute(web);
  ExpectRaDefaultRoute(other);
  // A name from <dns><host>, asked of dnsmasq at the bridge's IPv6 address.
  CommandResult dns = other.Exec("busybox nslookup -type=aaaa web6.example fd00:6:1::1");
  EXPECT_NE(dns.output.find("fd00:6:1::10"), std::string::npos) << dns.output;

  // Out to the wan, ICMPv6 and TCP, masqueraded to the host's wan address.
  EXPECT_EQ(web.Exec(std::string("ping -6 -c 1 -W 2 ") + kWan).exit_status, 0);
  EXPECT_EQ(env_.Connect(web, kWan, 9000), kHostWan);
  EXPECT_EQ(env_.Connect(other, kWan, 9000), kHostWan);
  // IPv4 beside it, from the same dnsmasq and the same rules.
  const std::string web_ip4 = env_.Lease(web);
  EXPECT_EQ(web_ip4, "192.168.66.10/24");
  // (The wan's server listens on "::", so it sees IPv4 peers v4-mapped.)
  EXPECT_EQ(env_.Connect(web, "198.51.100.2", 9000), "::ffff:198.51.100.1");

  // The forwarded port of the host's wan address: from the wan (the guest
  // sees the real client), the host itself, and another guest (hairpin).
  ASSERT_NO_FATAL_FAILURE(env_.StartServer(web, "::", 80));
  EXPECT_EQ(env_.Connect(env_.wan(), kHostWan, 8080), kWan);
  EXPECT_EQ(env_.Connect(env_.host(), kHostWan, 8080), kHostWan);
  EXPECT_EQ(env_.Connect(other, kHostWan, 8080), "fd00:6:1::1");
  // Unsolicited, straight to the guest's own address (the wan has a route):
  // refused.
  EXPECT_EQ(env_.Connect(env_.wan(), "fd00:6:1::10", 80), "refused");
  EXPECT_NE(env_.wan().Exec("ping -6 -c 1 -W 1 fd00:6:1::10").exit_status, 0);

  // The leases, as net-dhcp-leases lists them.
  auto leases = env_.realizer().Call([&](HostRealizer& r) { return r.Leases(def); });
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  std::vector<std::string> seen;
  for (const driver::NetworkDhcpLease& l : *leases) {
    const bool v6 = l.type == VIR_IP_ADDR_TYPE_IPV6;
    EXPECT_EQ(l.prefix, v6 ? 64u : 24u);
    seen.push_back(l.ip_address + "/" + std::to_string(l.prefix));
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> want = {"fd00:6:1::10/64", other_ip + "/64", web_ip4};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);

  ASSERT_TRUE(Stop(env_, def).ok());
  EXPECT_EQ(env_.host().Exec("ip link show virbr6n").exit_status, 1);
  EXPECT_EQ(env_.host().Exec("nft list ruleset").output, "");
  EXPECT_EQ(Trim(RunCommand("ip netns pids " + env_.host().name()).output), "");
}

TEST_F(Ipv6TrafficTest, RouteModeShowsTheGuestsSlaacAddressBothWays) {
  ASSERT_EQ(env_.wan().Exec("ip -6 route add fd00:6:2::/64 via 2001:db8:ffff::1").exit_status, 0);
  // A static route to a subnet behind the guest (its EUI-64 address).
  xml::NetworkDef def =
      RealizeEnv::Def(SlaacNetwork("route6", "<forward mode='route'/>", "virbr6r", "fd00:6:2",
                                   "<route family='ipv6' address='fd00:7::' prefix='64' "
                                   "gateway='fd00:6:2:0:5054:ff:fe00:630'/>"));
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Trim(env_.host().Exec("cat /proc/sys/net/ipv6/conf/all/forwarding").output), "1");
  NetNs& guest = AddIpv6Guest("virbr6r", "52:54:00:00:06:30");
  // EUI-64 of the MAC in the advertised prefix.
  const std::string address = Slaac(guest);
  EXPECT_EQ(address, "fd00:6:2:0:5054:ff:fe00:630");
  ExpectRaDefaultRoute(guest);
  // The <route>, with libvirt's default metric, carries the host's traffic.
  const std::string route = env_.host().Exec("ip -6 route show fd00:7::/64").output;
  const std::string want = "fd00:7::/64 via fd00:6:2:0:5054:ff:fe00:630 dev virbr6r metric 1 ";
  EXPECT_EQ(route.rfind(want, 0), 0u) << route;
  ASSERT_EQ(guest.Exec("ip addr add fd00:7::1/128 dev lo").exit_status, 0);
  EXPECT_EQ(env_.host().Exec("ping -6 -c 1 -W 2 fd00:7::1").exit_status, 0);

  EXPECT_EQ(guest.Exec(std::string("ping -6 -c 1 -W 2 ") + kWan).exit_status, 0);
  EXPECT_EQ(env_.Connect(guest, kWan, 9000), address);
  // Routed, not NATed: as in libvirt, the prefix is reachable from outside.
  ASSERT_NO_FATAL_FAILURE(env_.StartServer(guest, "::", 80));
  EXPECT_EQ(env_.wan().Exec("ping -6 -c 1 -W 2 " + address).exit_status, 0);
  EXPECT_EQ(env_.Connect(env_.wan(), address, 80), kWan);
  // Only the network's own prefix is forwarded: a guest using an address
  // from elsewhere gets no way out, though both the wan and the host have
  // routes for it.
  ASSERT_EQ(env_.wan().Exec("ip -6 route add fd00:99::/64 via 2001:db8:ffff::1").exit_status, 0);
  ASSERT_EQ(guest.Exec("ip addr add fd00:99::5/128 dev eth0 nodad").exit_status, 0);
  ASSERT_EQ(env_.host().Exec("ip -6 route add fd00:99::/64 dev virbr6r").exit_status, 0);
  EXPECT_NE(guest.Exec(std::string("ping -6 -c 1 -W 1 -I fd00:99::5 ") + kWan).exit_status, 0);
  ASSERT_TRUE(Stop(env_, def).ok());
  EXPECT_EQ(env_.host().Exec("nft list ruleset").output, "");
}

// Without <nat ipv6='yes'> a nat network routes its IPv6 prefix (libvirt
// 9.0 uses the route-style rules for it), so the wan sees the guest.
TEST_F(Ipv6TrafficTest, NatWithoutIpv6MasqueradeRoutesIpv6) {
  ASSERT_EQ(env_.wan().Exec("ip -6 route add fd00:6:3::/64 via 2001:db8:ffff::1").exit_status, 0);
  xml::NetworkDef def =
      RealizeEnv::Def(SlaacNetwork("nat6r", "<forward mode='nat'/>", "virbr6p", "fd00:6:3"));
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  NetNs& guest = AddIpv6Guest("virbr6p", "52:54:00:00:06:40");
  const std::string address = Slaac(guest);
  ASSERT_FALSE(address.empty());
  ExpectRaDefaultRoute(guest);
  EXPECT_EQ(env_.Connect(guest, kWan, 9000), address);
  EXPECT_EQ(env_.wan().Exec("ping -6 -c 1 -W 2 " + address).exit_status, 0);
  ASSERT_TRUE(Stop(env_, def).ok());
}

// An isolated network advertises its prefix with a router lifetime of 0
// (dnsmasq's ra-param=*,0,0): guests get addresses but no default route.
TEST_F(Ipv6TrafficTest, IsolatedGuestsGetAnAddressButNoRouteOut) {
  xml::NetworkDef def = RealizeEnv::Def(SlaacNetwork("iso6", "", "virbr6i", "fd00:6:5"));
  Status s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  // No forward mode: libvirt leaves the forwarding sysctls alone.
  EXPECT_EQ(Trim(env_.host().Exec("cat /proc/sys/net/ipv6/conf/all/forwarding").output), "0");
  NetNs& guest = AddIpv6Guest("virbr6i", "52:54:00:00:06:50");
  ASSERT_EQ(Slaac(guest), "fd00:6:5:0:5054:ff:fe00:650");  // the RA came
  EXPECT_EQ(guest.Exec("ip -6 route show default").output, "");
  EXPECT_EQ(guest.Exec("ping -6 -c 1 -W 2 fd00:6:5::1").exit_status, 0);
  // Even with a route of its own, and on a host that forwards (for other
  // networks), nothing leaves the bridge: the firewall refuses it.
  ASSERT_EQ(guest.Exec("ip -6 route add default via fd00:6:5::1").exit_status, 0);
  ASSERT_EQ(env_.host().Exec("sysctl -qw net.ipv6.conf.all.forwarding=1").exit_status, 0);
  EXPECT_EQ(env_.Connect(guest, kWan, 9000), "refused");
  ASSERT_TRUE(Stop(env_, def).ok());
}

// libvirt's accept_ra check: with a route learned from an RA on an
// interface whose accept_ra is 1, enabling forwarding would make the kernel
// flush it, so the start fails and leaves the host as it was; with
// accept_ra=2 it starts and the route survives.
TEST_F(Ipv6TrafficTest, AcceptRaCheckGuardsRoutesLearnedFromAdvertisements) {
  // The RA's source is the wan's link-local address, usable after DAD.
  ASSERT_TRUE(
      WaitFor(env_.wan(), "ip -6 addr show dev eth0 scope link -tentative | grep -q inet6"));
  CommandResult ra = env_.wan().Exec(std::string(kPython) + " " + env_.dir() + "/ra.py eth0");
  ASSERT_EQ(ra.exit_status, 0) << ra.output;
  ASSERT_TRUE(WaitFor(env_.host(), "ip -6 route show default dev eth0 | grep -q 'proto ra'"))
      << env_.host().Exec("ip -6 route").output;

  xml::NetworkDef def =
      RealizeEnv::Def(SlaacNetwork("ra6", "<forward mode='route'/>", "virbr6a", "fd00:6:4"));
  const std::string before = env_.Snapshot();
  Status s = Start(env_, def);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_NE(s.message().find("interface eth0 has kernel autoconfigured IPv6 routes"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(env_.Snapshot(), before);
  EXPECT_EQ(Trim(env_.host().Exec("cat /proc/sys/net/ipv6/conf/all/forwarding").output), "0");

  ASSERT_EQ(env_.host().Exec("sysctl -qw net.ipv6.conf.eth0.accept_ra=2").exit_status, 0);
  s = Start(env_, def);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Trim(env_.host().Exec("cat /proc/sys/net/ipv6/conf/all/forwarding").output), "1");
  EXPECT_EQ(env_.host().Exec("ip -6 route show default dev eth0 | grep -q 'proto ra'").exit_status,
            0)
      << env_.host().Exec("ip -6 route").output;
  ASSERT_TRUE(Stop(env_, def).ok());
}

}  // namespace
}  // namespace virtnat::testing
