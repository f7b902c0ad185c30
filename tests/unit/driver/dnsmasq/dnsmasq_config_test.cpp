// PlanDnsmasq on hand-built definitions: line order and conditions of
// host-effects.md §4.2, compared with libvirt's corpus where a case is
// rebuilt by hand, and the command line.
#include "driver/dnsmasq/dnsmasq_config.h"

#include <gtest/gtest.h>

#include "driver/dnsmasq/dnsmasq_dhcp.h"
#include "tests/support/dnsmasq_test_util.h"

namespace virtnat::driver {
namespace {

using namespace testing;  // NOLINT: test builders

DnsmasqFacts LibvirtFacts(const std::string& name) {
  DnsmasqFacts facts;
  facts.paths = MakeDnsmasqPaths("/var/lib/libvirt/dnsmasq", "/run/libvirt/network", name);
  facts.paths.pid_file.clear();  // the corpus is rendered without a pid file
  return facts;
}

std::string Conf(const xml::NetworkDef& def) {
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, LibvirtFacts(def.name));
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
  return plan.ok() ? plan->conf : "";
}

const char kHeader[] =
    "##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
    "##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:\n"
    "##    virsh net-edit n\n"
    "## or other application using the libvirt API.\n"
    "##\n"
    "## dnsmasq conf file created by libvirt\n"
    "strict-order\n";

TEST(DnsmasqConfigTest, NatNetworkMatchesCorpus) {
  xml::NetworkDef def = NatNetwork();
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, LibvirtFacts("default"));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->conf, ConfData("nat-network.conf"));
  EXPECT_EQ(plan->hosts_file, ConfData("nat-network.hostsfile"));
  EXPECT_EQ(plan->addn_hosts, "");
  EXPECT_TRUE(plan->needed);
}

TEST(DnsmasqConfigTest, IsolatedNetworkMatchesCorpus) {
  xml::NetworkDef def = Network("private", xml::ForwardMode::kNone, "virbr2");
  xml::IpDef v4 = Ipv4("192.168.152.1", "255.255.255.0");
  v4.ranges.push_back(Range("192.168.152.2", "192.168.152.254"));
  def.ips.push_back(v4);
  EXPECT_EQ(Conf(def), ConfData("isolated-network.conf"));
}

TEST(DnsmasqConfigTest, Dhcp6NatNetworkMatchesCorpus) {
  xml::NetworkDef def = Network("default", xml::ForwardMode::kNat, "virbr0");
  xml::IpDef v4 = Ipv4("192.168.122.1", "255.255.255.0");
  v4.hosts.push_back(Host("00:16:3e:77:e2:ed", "a.example.com", "192.168.122.10"));
  v4.hosts.push_back(Host("00:16:3e:3e:a9:1a", "b.example.com", "192.168.122.11"));
  v4.ranges.push_back(Range("192.168.122.2", "192.168.122.254"));
  def.ips.push_back(v4);
  def.ips.push_back(Ipv4("192.168.123.1", "255.255.255.0"));
  xml::IpDef v6 = Ipv6("2001:db8:ac10:fd01::1", 64);
  v6.ranges.push_back(Range("2001:db8:ac10:fd01::1:10", "2001:db8:ac10:fd01::1:ff"));
  v6.hosts.push_back(
      Host6("0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63", "", "2001:db8:ac10:fd01::1:20"));
  v6.hosts.push_back(Host6("", "paul", "2001:db8:ac10:fd01::1:21"));
  v6.hosts.push_back(Host6("0:3:0:1:0:16:3e:11:22:33", "peter.xyz", "2001:db8:ac10:fd01::1:22"));
  v6.hosts.push_back(Host6("0:3:0:1:0:16:3e:44:55:33", "", "2001:db8:ac10:fd01::1:23"));
  v6.hosts.push_back(
      Host6("0:1:0:1:18:aa:62:fe:0:16:3e:44:55:66", "badbob", "2001:db8:ac10:fd01::1:24"));
  def.ips.push_back(v6);
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, LibvirtFacts("default"));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->conf, ConfData("dhcp6-nat-network.conf"));
  EXPECT_EQ(plan->hosts_file, ConfData("dhcp6-nat-network.hostsfile"));
}

TEST(DnsmasqConfigTest, ForwardersSrvAndPtrMatchCorpus) {
  xml::NetworkDef fwd = Network("default", xml::ForwardMode::kNat, "virbr0");
  fwd.ips.push_back(Ipv4("192.168.122.1", "255.255.255.0"));
  fwd.dns.forwarders.push_back({"", Ip("8.8.8.8")});
  fwd.dns.forwarders.push_back({"", Ip("8.8.4.4")});
  fwd.dns.forwarders.push_back({"example.com", Ip("192.168.1.1")});
  fwd.dns.forwarders.push_back({"www.example.com", std::nullopt});
  EXPECT_EQ(Conf(fwd), ConfData("nat-network-dns-forwarders.conf"));

  xml::NetworkDef srv = NatNetwork();
  srv.dns.srvs.push_back(
      {"name", "tcp", "test-domain-name.com", "test.example.com", 1111, 11, 111});
  srv.dns.srvs.push_back({"name2", "udp", "", "test2.example.com", 2222, 22, 222});
  srv.dns.srvs.push_back({"name3", "tcp", "test3.com", "test3.example.com", 3333, 33, 0});
  srv.dns.srvs.push_back({"name4", "tcp", "test4.com", "test4.example.com", 4444, 0, 0});
  srv.dns.srvs.push_back({"name5", "udp", "", "test5.example.com", 0, 55, 555});
  srv.dns.srvs.push_back({"name6", "tcp", "test6.com", "test6.example.com", 6666, 0, 666});
  srv.dns.srvs.push_back({"name7", "tcp", "test7.com", "test7.example.com", 0, 0, 777});
  EXPECT_EQ(Conf(srv), ConfData("nat-network-dns-srv-record.conf"));

  xml::NetworkDef ptr = NatNetwork();
  ptr.ips[0].local_ptr = xml::TriState::kYes;
  ptr.ips[1].local_ptr = xml::TriState::kNo;
  ptr.ips[2].local_ptr = xml::TriState::kYes;
  EXPECT_EQ(Conf(ptr), ConfData("ptr-domains-auto.conf"));
}

TEST(DnsmasqConfigTest, DnsDisabledWritesPortZeroAndNoAddnHosts) {
  xml::NetworkDef def = Network("n", xml::ForwardMode::kRoute, "virbr1");
  def.dns.enable = xml::TriState::kNo;
  def.dns.txts.push_back({"ignored", "because dns is off"});
  def.ips.push_back(Ipv4("192.168.122.1", "255.255.255.0"));
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, LibvirtFacts("n"));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->conf,
            std::string(kHeader) + "port=0\nexcept-interface=lo\nbind-dynamic\ninterface=virbr1\n");
  EXPECT_FALSE(plan->needed);
}

TEST(DnsmasqConfigTest, NeededFollowsLibvirt) {
  xml::NetworkDef def = Network("n", xml::ForwardMode::kNat, "virbr1");
  EXPECT_FALSE(NeedsDnsmasq(def));  // no <ip>
  def.ips.push_back(Ipv4("192.168.122.1", "255.255.255.0"));
  EXPECT_TRUE(NeedsDnsmasq(def));  // DNS on
  def.dns.enable = xml::TriState::kNo;
  EXPECT_FALSE(NeedsDnsmasq(def));
  def.ips[0].tftp_root = "/srv/tftp";
  EXPECT_TRUE(NeedsDnsmasq(def));  // TFTP alone
  def.ips[0].tftp_root.clear();
  def.ips[0].hosts.push_back(Host("52:54:00:00:00:01", "", "192.168.122.9"));
  EXPECT_TRUE(NeedsDnsmasq(def));  // static DHCP alone
}

TEST(DnsmasqConfigTest, StaticOnlyDhcpAndLeaseMax) {
  xml::NetworkDef def = Network("n", xml::ForwardMode::kRoute, "virbr1");
  xml::IpDef v4 = Ipv4("10.0.0.1", "255.255.0.0");
  v4.ranges.push_back(Range("10.0.1.10", "10.0.1.20"));
  v4.ranges.push_back(Range("10.0.2.0", "10.0.3.255"));
  def.ips.push_back(v4);
  xml::IpDef v6 = Ipv6("2001:db8::1", 64);
  v6.hosts.push_back(Host6("", "h", "2001:db8::9"));
  def.ips.push_back(v6);
  std::string conf = Conf(def);
  EXPECT_NE(conf.find("dhcp-range=10.0.1.10,10.0.1.20,255.255.0.0\n"
                      "dhcp-range=10.0.2.0,10.0.3.255,255.255.0.0\n"
                      "dhcp-no-override\ndhcp-authoritative\n"
                      "dhcp-range=2001:db8::1,static,64\n"
                      "dhcp-lease-max=523\n"),
            std::string::npos)
      << conf;
  EXPECT_NE(conf.find("enable-ra\n"), std::string::npos);
  EXPECT_EQ(conf.find("ra-only"), std::string::npos);
}

TEST(DnsmasqConfigTest, LeaseTimes) {
  EXPECT_EQ(DnsmasqLeaseTime({0, xml::LeaseUnit::kHours}), "infinite");
  EXPECT_EQ(DnsmasqLeaseTime({300, xml::LeaseUnit::kSeconds}), "300s");
  EXPECT_EQ(DnsmasqLeaseTime({20, xml::LeaseUnit::kMinutes}), "20m");
  EXPECT_EQ(DnsmasqLeaseTime({2, xml::LeaseUnit::kHours}), "2h");
}

TEST(DnsmasqConfigTest, TftpBeforeDhcpAndEnabledOnce) {
  xml::NetworkDef def = Network("n", xml::ForwardMode::kNat, "virbr1");
  xml::IpDef a = Ipv4("192.168.122.1", "255.255.255.0");
  a.ranges.push_back(Range("192.168.122.2", "192.168.122.254"));
  a.tftp_root = "/srv/a";
  a.bootp = xml::Bootp{"pxe.img", Ip("10.20.30.40")};
  def.ips.push_back(a);
  xml::IpDef b = Ipv4("192.168.123.1", "255.255.255.0");
  b.tftp_root = "/srv/b";
  def.ips.push_back(b);
  std::string conf = Conf(def);
  EXPECT_NE(conf.find("interface=virbr1\nenable-tftp\ntftp-root=/srv/a\ntftp-root=/srv/b\n"
                      "dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0\n"
                      "dhcp-no-override\ndhcp-authoritative\ndhcp-boot=pxe.img,,10.20.30.40\n"),
            std::string::npos)
      << conf;
}

TEST(DnsmasqConfigTest, Errors) {
  xml::NetworkDef def = Network("n", xml::ForwardMode::kNat, "virbr1");
  xml::IpDef ip = Ipv4("192.168.122.1", "255.255.240.0");
  ip.local_ptr = xml::TriState::kYes;
  def.ips.push_back(ip);
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, LibvirtFacts("n"));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_EQ(plan.error().message,
            "unsupported configuration: PTR domain for IPv4 network with prefix 20 cannot be "
            "automatically created");

  xml::NetworkDef two = NatNetwork();
  two.ips[1].ranges.push_back(Range("192.168.123.2", "192.168.123.3"));
  plan = PlanDnsmasq(two, LibvirtFacts("n"));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message,
            "unsupported configuration: For IPv4, multiple DHCP definitions cannot be specified.");

  xml::NetworkDef bad = NatNetwork();
  bad.ips[0].ranges[0] = Range("192.168.122.0", "192.168.122.10");
  plan = PlanDnsmasq(bad, LibvirtFacts("n"));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, VIR_ERR_INTERNAL_ERROR);
  EXPECT_NE(plan.error().message.find("is the network address"), std::string::npos);
}

TEST(DnsmasqConfigTest, PtrDomains) {
  EXPECT_EQ(*PtrDomain(Ip("10.1.2.3"), 8), "10.in-addr.arpa");
  EXPECT_EQ(*PtrDomain(Ip("10.1.2.3"), 16), "1.10.in-addr.arpa");
  EXPECT_EQ(*PtrDomain(Ip("2001:db8::"), 36), "0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_FALSE(PtrDomain(Ip("10.1.2.3"), 32).ok());
  EXPECT_FALSE(PtrDomain(Ip("2001:db8::"), 62).ok());
}

TEST(DnsmasqConfigTest, ArgvAndVirtnatPaths) {
  DnsmasqFacts facts;
  facts.paths = MakeDnsmasqPaths("/var/lib/virtnat/dnsmasq", "/run/virtnat", "a\"b");
  facts.user = "nobody";
  facts.group = "dip";
  EXPECT_EQ(facts.paths.conf_file, "/var/lib/virtnat/dnsmasq/a&quot;b.conf");
  EXPECT_EQ(facts.paths.pid_file, "/run/virtnat/a\"b.pid");
  Result<DnsmasqPlan> plan = PlanDnsmasq(NatNetwork(), facts);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->argv,
            (std::vector<std::string>{"/usr/sbin/dnsmasq",
                                      "--conf-file=/var/lib/virtnat/dnsmasq/a&quot;b.conf",
                                      "--dhcp-leasefile=/var/lib/virtnat/dnsmasq/a&quot;b.leases",
                                      "--user=nobody", "--group=dip"}));
  EXPECT_NE(plan->conf.find("pid-file=/run/virtnat/a\"b.pid\nexcept-interface=lo\n"),
            std::string::npos);
  // A bridge given as a fact wins over the definition's.
  facts.bridge = "virbr9";
  plan = PlanDnsmasq(NatNetwork(), facts);
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->conf.find("\ninterface=virbr9\n"), std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver
