// Status records follow the network lifecycle (network_state.h).

#include "driver/network_state.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "driver/definition_store.h"
#include "driver/memory_driver.h"
#include "driver/network_realizer.h"
#include "driver/process_identity.h"
#include "fake_codec.h"

namespace virtnat::driver {
namespace {

class NetworkStateTest : public ::testing::Test {
 protected:
  NetworkStateTest() {
    char tmpl[] = "/tmp/virtnat-state-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~NetworkStateTest() override { std::filesystem::remove_all(dir_); }

  std::vector<StatusRecord> Records() {
    auto loaded = store_.LoadAll();
    EXPECT_TRUE(loaded.ok());
    return loaded.ok() ? loaded->records : std::vector<StatusRecord>{};
  }

  std::string dir_;
  testing::FakeCodec codec_;
  NullRealizer realizer_;
  MemoryStore definitions_;
  MemoryDriver driver_{codec_, realizer_, definitions_};
  StatusStore store_{dir_ + "/run"};
  RunningFacts facts_{"virbr5", "opaque firewall", getpid()};
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
  ASSERT_TRUE(records[0].dnsmasq.has_value());
  EXPECT_EQ(records[0].dnsmasq->pid, getpid());
  EXPECT_TRUE(
      ProcessMatches(getpid(), records[0].dnsmasq->start_time, records[0].dnsmasq->cmdline));
  ASSERT_TRUE(driver_.Destroy(*net).ok());
  EXPECT_TRUE(Records().empty());
  EXPECT_TRUE(problems_.empty());
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

TEST(CleanUpRecordedNetworkTest, RemovesRulesAndBridgeAndNamesFailures) {
  StatusRecord record;
  record.name = "a";
  record.bridge = "virbr5";
  record.firewall = "rules";
  // Our own pid with another start time: a reused pid, never signalled.
  record.dnsmasq = DnsmasqStatus{getpid(), 1, {"/usr/sbin/dnsmasq"}, {}};
  std::vector<std::string> calls;
  CleanupHooks hooks;
  hooks.interface_exists = [&](const std::string& ifname) { return ifname == "virbr5"; };
  hooks.delete_bridge = [&](const std::string& ifname) {
    calls.push_back("delete " + ifname);
    return Status::Ok();
  };
  hooks.remove_firewall = [&](const std::string& network, const std::string& text) -> Status {
    calls.push_back("firewall " + network + " " + text);
    return InternalError("no such table");
  };
  std::vector<std::string> problems = CleanUpRecordedNetwork(record, hooks);
  EXPECT_EQ(calls, (std::vector<std::string>{"firewall a rules", "delete virbr5"}));
  EXPECT_EQ(problems, std::vector<std::string>{"network 'a': internal error: no such table"});
  record.bridge = "gone0";
  record.firewall.clear();
  calls.clear();
  EXPECT_TRUE(CleanUpRecordedNetwork(record, hooks).empty());
  EXPECT_TRUE(calls.empty());
}

}  // namespace
}  // namespace virtnat::driver
