// HostRealizer with fakes (netlink, firewall, host facts, dnsmasq) and the
// sysctls and dnsmasq files in a temporary directory: the order of a start,
// preflight errors, rollback at every step, stop from the record, and live
// updates (SIGHUP vs restart vs firewall batch).

#include <gtest/gtest.h>

#include "tests/support/host_realizer_fixture.h"

namespace virtnat::driver {
namespace {

TEST_F(HostRealizerTest, StartAppliesEveryStepInLibvirtsOrderAndStopUndoesThem) {
  Status s = realizer_->Start(Def(kSeed));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(netlink_.calls(), (std::vector<std::string>{
                                  "CreateBridge virbr0 mac=none mtu=0 stp=on delay=0",
                                  "AddAddress virbr0 192.168.122.1/24",
                                  "SetLinkUp virbr0 up",
                                  "AddRoute virbr0 10.9.0.0/16 via 192.168.122.3 metric 1",
                              }));
  EXPECT_EQ(firewall_.calls, (std::vector<FakeFirewall::Call>{{"apply", "seed"}}));
  EXPECT_EQ(Read("sys/net/ipv4/ip_forward"), "1\n");
  EXPECT_EQ(Read("sys/net/ipv6/conf/all/forwarding"), "0\n");
  EXPECT_EQ(dnsmasq_.calls, std::vector<std::string>{"start VIR_BRIDGE_NAME=virbr0"});
  ASSERT_EQ(commands_.size(), 1u);
  EXPECT_EQ(commands_[0].pid_file, (root_ / "run/seed.pid").string());
  EXPECT_EQ(commands_[0].args[0], "--conf-file=" + (root_ / "lib/seed.conf").string());
  // The conf is root's; dnsmasq re-reads the hosts files as its own user.
  EXPECT_EQ(Mode("lib/seed.conf"), 0600u);
  EXPECT_EQ(Mode("lib/seed.hostsfile"), 0644u);
  EXPECT_EQ(Mode("lib/seed.addnhosts"), 0644u);
  EXPECT_EQ(Read("lib/seed.hostsfile"), "52:54:00:00:00:10,192.168.122.10,web\n");
  EXPECT_EQ(Read("lib/seed.addnhosts"), "192.168.122.2\trouter\t\n");
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1000);

  s = realizer_->Stop(Def(kSeed));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(dnsmasq_.calls.back(), "stop 1000");
  EXPECT_EQ(netlink_.calls().back(), "DeleteLink virbr0");
  ExpectNothingLeft();
}

TEST_F(HostRealizerTest, PreflightRefusesATakenBridgeARoutedSubnetAndMissingFeatures) {
  facts_.interfaces.push_back("virbr0");
  Status s = realizer_->Start(Def(kSeed));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("error creating bridge interface virbr0: File exists"),
            std::string::npos)
      << s.message();
  facts_.interfaces = {"lo", "eth0"};
  facts_.routes.push_back(HostRoute{*IpAddress::Parse("192.168.122.0"), 24, "eth0"});
  s = realizer_->Start(Def(kSeed));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Network is already in use by interface eth0"), std::string::npos)
      << s.message();
  facts_.routes.clear();
  facts_.nftables_support = InternalError("nf_tables is missing");
  s = realizer_->Start(Def(kSeed));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nf_tables is missing"), std::string::npos);
  EXPECT_TRUE(netlink_.calls().empty());
  EXPECT_TRUE(firewall_.calls.empty());
  ExpectNothingLeft();
}

TEST_F(HostRealizerTest, AFailureAtAnyStepLeavesNothing) {
  const std::vector<std::string> netlink_steps = {"CreateBridge", "AddAddress", "SetLinkUp",
                                                  "AddRoute"};
  for (const std::string& step : netlink_steps) {
    SCOPED_TRACE(step);
    netlink_.FailOn(step, SystemErrorFromErrno(EPERM, "cannot " + step));
    Status s = realizer_->Start(Def(kSeed));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("cannot " + step), std::string::npos) << s.message();
    ExpectNothingLeft();
  }
  firewall_.fail_next = InternalError("add element fwd_in: File exists");
  ASSERT_FALSE(realizer_->Start(Def(kSeed)).ok());
  ExpectNothingLeft();
  EXPECT_EQ(netlink_.calls().back(), "DeleteLink virbr0");

  dnsmasq_.fail_start = InternalError("dnsmasq: bad option");
  Status s = realizer_->Start(Def(kSeed));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("dnsmasq: bad option"), std::string::npos);
  ExpectNothingLeft();
  EXPECT_EQ(firewall_.calls.back(), (FakeFirewall::Call{"remove", "seed"}));

  // And then it starts.
  ASSERT_TRUE(realizer_->Start(Def(kSeed)).ok());
}

TEST_F(HostRealizerTest, DhcpAndDnsHostChangesAreASighupWithTheSamePid) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  xml::NetworkDef changed = def;
  xml::DhcpHost host;
  host.mac = "52:54:00:00:00:11";
  host.ip = *IpAddress::Parse("192.168.122.11");
  changed.ips[0].hosts.push_back(host);
  changed.dns.hosts[0].hostnames.push_back("gw");
  Status s = realizer_->Reload(def, changed);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(dnsmasq_.calls.back(), "reload 1000");
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1000);
  EXPECT_EQ(Read("lib/seed.hostsfile"),
            "52:54:00:00:00:10,192.168.122.10,web\n52:54:00:00:00:11,192.168.122.11\n");
  EXPECT_EQ(Read("lib/seed.addnhosts"), "192.168.122.2\trouter\tgw\t\n");
  EXPECT_EQ(firewall_.calls.size(), 1u);  // rules untouched
}

TEST_F(HostRealizerTest, PortForwardChangesOnlyReplaceTheFirewallRules) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  xml::NetworkDef changed = def;
  xml::PortForward pf;
  pf.guest = *IpAddress::Parse("192.168.122.11");
  pf.ranges.push_back(xml::PortForwardRange{2222, 2222, 22});
  changed.port_forwards.push_back(pf);
  Status s = realizer_->Reload(def, changed);
  ASSERT_TRUE(s.ok()) << s.message();
  // FakeFirewall has the interface's default Replace: remove + apply.
  EXPECT_EQ(firewall_.calls, (std::vector<FakeFirewall::Call>{
                                 {"apply", "seed"}, {"remove", "seed"}, {"apply", "seed"}}));
  EXPECT_EQ(dnsmasq_.calls.size(), 1u);  // dnsmasq untouched
  EXPECT_EQ(realizer_->Applied("seed")->firewall.rules, firewall_.applied["seed"]);
}

TEST_F(HostRealizerTest, ConfChangesRestartDnsmasqAndLinkChangesAreRefused) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  xml::NetworkDef txt = def;
  txt.dns.txts.push_back(xml::DnsTxt{"example", "hello"});
  Status s = realizer_->Reload(def, txt);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(dnsmasq_.calls, (std::vector<std::string>{"start VIR_BRIDGE_NAME=virbr0", "stop 1000",
                                                      "start VIR_BRIDGE_NAME=virbr0"}));
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1001);
  EXPECT_NE(Read("lib/seed.conf").find("txt-record=example,hello"), std::string::npos);

  xml::NetworkDef mtu = txt;
  mtu.mtu = 9000;
  s = realizer_->Reload(txt, mtu);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, VIR_ERR_OPERATION_UNSUPPORTED);
}

TEST_F(HostRealizerTest, LeasesComeFromDnsmasqsLeaseFile) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  std::ofstream(root_ / "lib/seed.leases")
      << "0 52:54:00:00:00:20 192.168.122.150 guest1 01:52:54:00:00:00:20\n"
      << "1 52:54:00:00:00:21 192.168.122.151 * *\n";  // expired in 1970
  Result<std::vector<NetworkDhcpLease>> leases = realizer_->Leases(def);
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  ASSERT_EQ(leases->size(), 1u);
  const NetworkDhcpLease& l = (*leases)[0];
  EXPECT_EQ(l.iface, "virbr0");
  EXPECT_EQ(l.ip_address, "192.168.122.150");
  EXPECT_EQ(l.prefix, 24u);
  EXPECT_EQ(l.mac, "52:54:00:00:00:20");
  EXPECT_EQ(l.hostname, "guest1");
  EXPECT_EQ(l.client_id, "01:52:54:00:00:00:20");
  // The lease database outlives the network (leases survive a restart).
  ASSERT_TRUE(realizer_->Stop(def).ok());
  EXPECT_TRUE(fs::exists(root_ / "lib/seed.leases"));
}

TEST_F(HostRealizerTest, OpenNetworkWithoutDnsmasqOrRules) {
  xml::NetworkDef def =
      Def("<network><name>seed</name><forward mode='open'/><bridge name='virbr3'/>"
          "<dns enable='no'/><ip address='10.3.0.1' prefix='24'/></network>");
  ASSERT_TRUE(realizer_->Start(def).ok());
  EXPECT_TRUE(dnsmasq_.calls.empty());
  EXPECT_EQ(Files("lib"), std::vector<std::string>{});
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), std::nullopt);
  ASSERT_TRUE(realizer_->Stop(def).ok());
  ExpectNothingLeft();
}

// Re-adoption (network_state_adopt.h): a dnsmasq that cannot be adopted
// fails the adoption, unless the caller knows the recorded one is gone; then
// a new one starts, with its files written anew, and nothing else changes.
TEST_F(HostRealizerTest, AdoptStartsANewDnsmasqOnlyWhenTheRecordedOneIsGone) {
  EXPECT_FALSE(realizer_->Adopt(Def(kSeed)).ok());  // the fake adopts nothing
  EXPECT_EQ(realizer_->Applied("seed"), nullptr);
  EXPECT_TRUE(dnsmasq_.calls.empty());
  Status s = realizer_->Adopt(Def(kSeed), true);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(dnsmasq_.calls, std::vector<std::string>{"start VIR_BRIDGE_NAME=virbr0"});
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1000);
  EXPECT_EQ(Mode("lib/seed.conf"), 0600u);
  EXPECT_TRUE(netlink_.calls().empty());
  EXPECT_TRUE(firewall_.calls.empty());
}

// Supervision reports dnsmasq's exits and restarts by network: the command
// names the network it serves, on a start and on an adoption alike.
TEST_F(HostRealizerTest, DnsmasqCommandsNameTheirNetwork) {
  ASSERT_TRUE(realizer_->Start(Def(kSeed)).ok());
  dnsmasq_.adoptable = true;
  HostRealizer restarted(Deps());
  Result<NetworkPlan> plan = PlanNetwork(Def(kSeed), restarted.plan_facts());
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(restarted.Adopt(*plan).ok());
  EXPECT_EQ(dnsmasq_.networks, (std::vector<std::string>{"seed", "seed"}));
  EXPECT_EQ(restarted.Applied("seed")->dnsmasq_paths.conf_file, plan->dnsmasq_paths.conf_file);
  // A network adopted once is not adopted again.
  EXPECT_FALSE(restarted.Adopt(*plan).ok());
}

// The record of a start in progress is written before the first host
// effect, so that a daemon killed halfway leaves a trace of everything; a
// failed start drops it, and a start that cannot write it does nothing.
TEST_F(HostRealizerTest, StartRecordsItsIntentBeforeTheFirstEffect) {
  ASSERT_TRUE(realizer_->Start(Def(kSeed)).ok());
  EXPECT_EQ(journal_, std::vector<std::string>{"begin seed virbr0 after 0 netlink calls"});
  ASSERT_TRUE(realizer_->Stop(Def(kSeed)).ok());
  journal_.clear();
  netlink_.FailOn("SetLinkUp", SystemErrorFromErrno(EPERM, "cannot SetLinkUp"));
  ASSERT_FALSE(realizer_->Start(Def(kSeed)).ok());
  EXPECT_EQ(journal_.back(), "abandon seed");
  ExpectNothingLeft();
  journal_.clear();
  const size_t netlink_calls = netlink_.calls().size();
  fail_journal_ = InternalError("cannot write file 'seed.status'");
  Status s = realizer_->Start(Def(kSeed));
  EXPECT_EQ(s.message(), "internal error: cannot write file 'seed.status'");
  EXPECT_EQ(netlink_.calls().size(), netlink_calls);
  EXPECT_EQ(journal_.size(), 1u);
  ExpectNothingLeft();
}

// A daemon killed in a live update may leave dnsmasq's hosts files ahead of
// the recorded live definition: adoption puts them back in line with it and
// dnsmasq re-reads them (same process); intact files are left alone.
TEST_F(HostRealizerTest, AdoptionRewritesHostsFilesThatDisagreeWithTheRecord) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  const std::string hosts = Read("lib/seed.hostsfile");
  std::ofstream(root_ / "lib/seed.hostsfile") << hosts << "52:54:00:00:00:11,192.168.122.11\n";
  std::ofstream(root_ / "lib/seed.addnhosts.new") << "half";
  dnsmasq_.adoptable = true;
  HostRealizer restarted(Deps());
  ASSERT_TRUE(restarted.Adopt(def).ok());
  EXPECT_EQ(Read("lib/seed.hostsfile"), hosts);
  EXPECT_EQ(Files("lib"),
            (std::vector<std::string>{"seed.addnhosts", "seed.conf", "seed.hostsfile"}));
  EXPECT_EQ(dnsmasq_.calls, (std::vector<std::string>{"start VIR_BRIDGE_NAME=virbr0", "adopt 1001",
                                                      "reload 1001"}));
  HostRealizer again(Deps());
  ASSERT_TRUE(again.Adopt(def).ok());
  EXPECT_EQ(dnsmasq_.calls.back(), "adopt 1002");
}

}  // namespace
}  // namespace virtnat::driver
