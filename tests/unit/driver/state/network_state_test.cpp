// Status records follow the network lifecycle (network_state.h).

#include "driver/state/network_state.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/os/process.h"
#include "driver/os/process_identity.h"
#include "driver/store/definition_store.h"
#include "tests/support/fake_codec.h"

namespace virtnat::driver {
namespace {

class NetworkStateTest : public ::testing::Test {
 protected:
  ~NetworkStateTest() override { std::filesystem::remove_all(dir_); }

  std::vector<StatusRecord> Records() {
    auto loaded = store_.LoadAll();
    EXPECT_TRUE(loaded.ok());
    return loaded.ok() ? loaded->records : std::vector<StatusRecord>{};
  }

  static std::string MakeTempDir() {
    char tmpl[] = "/tmp/virtnat-state-test.XXXXXX";
    return mkdtemp(tmpl);
  }

  std::string dir_ = MakeTempDir();  // first: the store below lives in it
  testing::FakeCodec codec_;
  NullRealizer realizer_;
  MemoryStore definitions_;
  NetworkObjects driver_{codec_, realizer_, definitions_};
  StatusStore store_{dir_ + "/run"};
  RunningFacts facts_{.bridge = "virbr5",
                      .addresses = {{*IpAddress::Parse("10.5.0.1"), 24}},
                      .firewall = "opaque firewall",
                      .dnsmasq_pid = getpid(),
                      .files = {"/state/a.conf", "/run/a.pid"}};
  std::vector<std::string> problems_;
  NetworkStateRecorder recorder_{driver_, store_, [this](const std::string&) { return facts_; },
                                 [this](const std::string& p) { problems_.push_back(p); }};
};

TEST_F(NetworkStateTest, RecordWrittenOnStartAndRemovedOnStop) {
  auto net = driver_.DefineXml(
      "<network><name>a</name><uuid>11111111-2222-3333-4444-555555555501</uuid></network>", 0);
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE(Records().empty());
  ASSERT_TRUE(driver_.Create(*net).ok());
  std::vector<StatusRecord> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name, "a");
  EXPECT_EQ(records[0].live_xml, *driver_.GetXmlDesc(*net, 0));
  EXPECT_EQ(records[0].bridge, "virbr5");
  EXPECT_EQ(records[0].firewall, "opaque firewall");
  EXPECT_EQ(records[0].addresses,
            (std::vector<InterfaceAddress>{{*IpAddress::Parse("10.5.0.1"), 24}}));
  EXPECT_EQ(records[0].files, (std::vector<std::string>{"/state/a.conf", "/run/a.pid"}));
  ASSERT_TRUE(records[0].dnsmasq.has_value());
  EXPECT_EQ(records[0].dnsmasq->pid, getpid());
  EXPECT_TRUE(
      ProcessMatches(getpid(), records[0].dnsmasq->start_time, records[0].dnsmasq->cmdline));
  ASSERT_TRUE(driver_.Destroy(*net).ok());
  EXPECT_TRUE(Records().empty());
  EXPECT_TRUE(problems_.empty());
}

TEST_F(NetworkStateTest, LiveUpdateRewritesTheRecord) {
  driver_.SetLiveChangeHook([this](const NetworkRef& net) { recorder_.Rewrite(net); });
  auto net = driver_.CreateXml(
      "<network><name>c</name><uuid>11111111-2222-3333-4444-555555555503</uuid></network>", 0);
  ASSERT_TRUE(net.ok());
  ASSERT_TRUE(driver_.Update(*net, 3, 4, -1, "changed", VIR_NETWORK_UPDATE_AFFECT_LIVE).ok());
  std::vector<StatusRecord> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].live_xml.find("changed"), std::string::npos) << records[0].live_xml;
  EXPECT_EQ(records[0].live_xml, *driver_.GetXmlDesc(*net, 0));
}

// Ports are part of the record: written before port create and delete
// return, read back byte for byte, taken back by a new driver.
TEST_F(NetworkStateTest, PortsAreRecordedAndTakenBack) {
  driver_.SetLiveChangeHook([this](const NetworkRef& net) { recorder_.Rewrite(net); });
  auto net = driver_.CreateXml(
      "<network><name>p</name><uuid>11111111-2222-3333-4444-555555555504</uuid></network>", 0);
  ASSERT_TRUE(net.ok());
  auto port_xml = [](char n) {
    return std::string("<networkport><uuid>a1a1a1a1-0000-4000-8000-00000000000") + n +
           "</uuid><owner><name>vm &amp; co</name><uuid>a1a1a1a1-0000-4000-8000-000000000000"
           "</uuid></owner><mac address='52:54:00:a1:00:0" +
           n + "'/></networkport>";
  };
  auto a = driver_.PortCreateXml(*net, port_xml('1'), 0);
  auto b = driver_.PortCreateXml(*net, port_xml('2'), 0);
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<StatusRecord> records = Records();
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].ports.size(), 2u);
  EXPECT_EQ(records[0].ports[0], *driver_.PortGetXmlDesc(*a, 0));
  EXPECT_EQ(records[0].ports[1], *driver_.PortGetXmlDesc(*b, 0));
  EXPECT_NE(records[0].live_xml.find("connections='2'"), std::string::npos);

  // A daemon that restarts takes the network and its ports back.
  NetworkObjects restarted{codec_, realizer_, definitions_};
  Result<xml::NetworkDef> live = restarted.AdoptRunning(records[0].live_xml);
  ASSERT_TRUE(live.ok());
  NetworkRef ref{live->name, live->uuid};
  EXPECT_TRUE(restarted.AdoptPorts(ref, records[0].ports).empty());
  EXPECT_EQ(*restarted.GetXmlDesc(ref, 0), *driver_.GetXmlDesc(*net, 0));
  EXPECT_EQ(*restarted.PortGetXmlDesc(*b, 0), records[0].ports[1]);

  ASSERT_TRUE(driver_.PortDelete(*a, 0).ok());
  records = Records();
  ASSERT_EQ(records[0].ports.size(), 1u);
  EXPECT_EQ(records[0].ports[0], *driver_.PortGetXmlDesc(*b, 0));
}

TEST_F(NetworkStateTest, UnreadableDnsmasqIsReportedAndTheNetworkRuns) {
  facts_.dnsmasq_pid = 0x3ffffff0;  // above pid_max: no such process
  auto net = driver_.CreateXml(
      "<network><name>b</name><uuid>11111111-2222-3333-4444-555555555502</uuid></network>", 0);
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE(*driver_.IsActive(*net));
  EXPECT_TRUE(Records().empty());
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_EQ(problems_[0].rfind("status record of network 'b': ", 0), 0u) << problems_[0];
}

// A CleanupHost over a set of bridges that records its calls.
class RecordingCleanupHost final : public CleanupHost {
 public:
  std::set<std::string> bridges;
  Status remove_firewall_status;
  std::optional<DnsmasqPaths> paths;
  std::vector<std::string> calls;

  bool InterfaceExists(const std::string& ifname) override { return bridges.count(ifname) > 0; }
  Status DeleteBridge(const std::string& ifname) override {
    calls.push_back("delete " + ifname);
    return Status::Ok();
  }
  Status RemoveFirewall(const RecordedNetwork& net) override {
    calls.push_back("firewall " + net.record.name + " " + net.record.firewall);
    return remove_firewall_status;
  }
  std::optional<DnsmasqPaths> DnsmasqPathsOf(const std::string& network) override {
    calls.push_back("paths " + network);
    return paths;
  }
};

TEST(CleanUpRecordedNetworkTest, RemovesRulesAndBridgeAndNamesFailures) {
  RecordedNetwork net;
  StatusRecord& record = net.record;
  record.name = "a";
  record.bridge = "virbr5";
  record.firewall = "rules";
  // Our own pid with another start time: a reused pid, never signalled.
  record.dnsmasq = DnsmasqStatus{getpid(), 1, {"/usr/sbin/dnsmasq"}};
  RecordingCleanupHost host;
  host.bridges = {"virbr5"};
  host.remove_firewall_status = InternalError("no such table");
  std::vector<std::string> problems = CleanUpRecordedNetwork(net, host);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"paths a", "firewall a rules", "delete virbr5"}));
  EXPECT_EQ(problems, std::vector<std::string>{"network 'a': internal error: no such table"});
  record.bridge = "gone0";
  record.firewall.clear();
  host.calls.clear();
  EXPECT_TRUE(CleanUpRecordedNetwork(net, host).empty());
  EXPECT_EQ(host.calls, std::vector<std::string>{"paths a"});
}

TEST(CleanUpRecordedNetworkTest, DeletesTheIfbDeviceOfAnOutboundBandwidth) {
  RecordedNetwork net;
  net.record.name = "a";
  net.record.bridge = "virbr5";
  net.plan.emplace();
  net.plan->qos.ifb = "virbr5-ifb";
  RecordingCleanupHost host;
  host.bridges = {"virbr5", "virbr5-ifb"};
  EXPECT_TRUE(CleanUpRecordedNetwork(net, host).empty());
  EXPECT_EQ(host.calls,
            (std::vector<std::string>{"paths a", "delete virbr5", "delete virbr5-ifb"}));
}

// A start cut off by a crash: the intent record reads back as one, and
// cleanup ends whatever runs with the network's dnsmasq configuration (here
// a shell carrying that argument, as a dnsmasq still starting would) and
// removes dnsmasq's files, leases aside.
TEST(CleanUpRecordedNetworkTest, EndsWhatRunsWithTheNetworksConfAndRemovesItsFiles) {
  char tmpl[] = "/tmp/virtnat-cleanup-test.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  DnsmasqPaths paths = MakeDnsmasqPaths(dir, dir + "/run", "a");
  std::filesystem::create_directories(dir + "/run");
  for (const std::string& file : {paths.conf_file, paths.hosts_file, paths.addn_hosts_file,
                                  paths.pid_file, paths.lease_file, paths.conf_file + ".new"}) {
    std::ofstream(file) << "x\n";
  }
  auto child = Spawn(SpawnRequest{
      "/bin/sh",
      {"sh", "-c", "trap 'kill $!; exit' TERM; sleep 30 & wait", "--conf-file=" + paths.conf_file},
      {}});
  ASSERT_TRUE(child.ok()) << child.error().message;
  // The shell has run its trap command once it waits.
  for (int i = 0; i < 100 && ProcessesWithArgument("--conf-file=" + paths.conf_file).empty(); ++i) {
    usleep(10000);
  }
  usleep(50000);
  ASSERT_EQ(ProcessesWithArgument("--conf-file=" + paths.conf_file).size(), 1u);

  StatusStore store(dir + "/status");
  ASSERT_TRUE(store.Write(StartIntentRecord("a", "<network/>", "virbr5", "")).ok());
  auto loaded = store.LoadAll();
  ASSERT_TRUE(loaded.ok() && loaded->records.size() == 1u);
  EXPECT_TRUE(IsStartIntent(loaded->records[0]));
  StatusRecord running = loaded->records[0];
  running.extra.clear();
  EXPECT_FALSE(IsStartIntent(running));

  RecordingCleanupHost host;
  host.paths = paths;
  RecordedNetwork intent;
  intent.record = loaded->records[0];
  EXPECT_TRUE(CleanUpRecordedNetwork(intent, host).empty());
  EXPECT_EQ(host.calls, (std::vector<std::string>{"paths a"}));
  EXPECT_TRUE(child->process.WaitForExit(std::chrono::milliseconds(2000)));
  EXPECT_TRUE(ProcessesWithArgument("--conf-file=" + paths.conf_file).empty());
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) left.push_back(entry.path().filename());
  }
  EXPECT_EQ(left, std::vector<std::string>{"a.leases"});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace virtnat::driver
