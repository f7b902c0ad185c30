#pragma once
// The HostRealizer's test scene: fakes for netlink, firewall, host facts and
// dnsmasq (whose starts can be held until the test finishes them), sysctls
// and dnsmasq files in a temporary directory.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "driver/realize/host_realizer.h"
#include "tests/support/fake_firewall.h"
#include "tests/support/fake_host_facts.h"
#include "tests/support/fake_netlink.h"
#include "tests/support/fake_qos.h"
#include "xml/network_parse.h"
#include "xml/network_validate.h"

namespace virtnat::driver {

namespace fs = std::filesystem;

// What the fake dnsmasq services did, shared by all of them.
struct DnsmasqLog {
  std::vector<std::string> calls;  // "start virbr0", "reload", "stop"
  std::optional<Error> fail_start;
  int next_pid = 1000;
  bool defer = false;  // BeginStart waits for `finish`
  std::function<void(Status)> finish;
  bool adoptable = false;             // Adopt finds a running dnsmasq
  std::vector<std::string> networks;  // DnsmasqCommand::network of each service made
};

class FakeDnsmasq final : public DnsmasqService {
 public:
  FakeDnsmasq(DnsmasqCommand command, DnsmasqLog* log) : command_(std::move(command)), log_(log) {
    log_->networks.push_back(command_.network);
  }
  ~FakeDnsmasq() override {
    if (!waiting_) return;
    log_->finish = nullptr;
    log_->calls.push_back("cancel");
  }
  void BeginStart(StartDone done) override {
    if (!log_->defer) return DnsmasqService::BeginStart(std::move(done));
    log_->calls.push_back("begin " + command_.env[0]);
    waiting_ = true;
    log_->finish = [this, done = std::move(done)](Status s) {
      waiting_ = false;
      if (s.ok()) pid_ = log_->next_pid++;
      done(std::move(s));
    };
  }
  Status Start() override {
    log_->calls.push_back("start " + command_.env[0]);
    if (log_->fail_start) {
      Error e = *log_->fail_start;
      log_->fail_start.reset();
      return e;
    }
    pid_ = log_->next_pid++;
    return Status::Ok();
  }
  Status Reload() override {
    log_->calls.push_back("reload " + std::to_string(*pid_));
    return Status::Ok();
  }
  Status Stop() override {
    log_->calls.push_back("stop " + std::to_string(*pid_));
    pid_.reset();
    return Status::Ok();
  }
  Status Adopt() override {
    if (!log_->adoptable) return DnsmasqService::Adopt();
    pid_ = log_->next_pid++;
    log_->calls.push_back("adopt " + std::to_string(*pid_));
    return Status::Ok();
  }
  std::optional<pid_t> pid() const override { return pid_; }

 private:
  DnsmasqCommand command_;
  DnsmasqLog* log_;
  std::optional<pid_t> pid_;
  bool waiting_ = false;
};

inline constexpr const char* kSeed = R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>seed</name>
  <forward mode='nat'/>
  <bridge name='virbr0'/>
  <dns><host ip='192.168.122.2'><hostname>router</hostname></host></dns>
  <ip address='192.168.122.1' prefix='24'>
    <dhcp>
      <range start='192.168.122.100' end='192.168.122.199'/>
      <host mac='52:54:00:00:00:10' name='web' ip='192.168.122.10'/>
    </dhcp>
  </ip>
  <route address='10.9.0.0' prefix='16' gateway='192.168.122.3'/>
  <vn:portForward guest='192.168.122.10'><vn:range start='80'/></vn:portForward>
</network>)";

class HostRealizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vn-realizer-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "sys/net/ipv4");
    fs::create_directories(root_ / "sys/net/ipv6/conf/all");
    fs::create_directories(root_ / "net");
    std::ofstream(root_ / "sys/net/ipv4/ip_forward") << "0\n";
    std::ofstream(root_ / "sys/net/ipv6/conf/all/forwarding") << "0\n";
    std::ofstream(root_ / "net/ipv6_route") << "";
    sysctl_ =
        std::make_unique<Sysctl>(SysctlPaths{(root_ / "sys").string(), (root_ / "net").string()});
    realizer_ = std::make_unique<HostRealizer>(Deps());
  }
  // A realizer's dependencies; a second realizer on the same ones stands for
  // a restarted daemon.
  HostRealizerDeps Deps() {
    HostRealizerDeps deps;
    deps.netlink = &netlink_;
    deps.firewall = &firewall_;
    deps.facts = &facts_;
    deps.sysctl = sysctl_.get();
    deps.qos = &qos_;
    deps.dnsmasq = [this](DnsmasqCommand command) -> std::unique_ptr<DnsmasqService> {
      commands_.push_back(command);
      return std::make_unique<FakeDnsmasq>(std::move(command), &dnsmasq_);
    };
    deps.paths.state_dir = (root_ / "lib").string();
    deps.paths.run_dir = (root_ / "run").string();
    deps.begin_start = [this](const xml::NetworkDef& def, const NetworkPlan& plan) -> Status {
      journal_.push_back("begin " + def.name + " " + plan.bridge.name + " after " +
                         std::to_string(netlink_.calls().size()) + " netlink calls");
      if (fail_journal_) return *fail_journal_;
      return Status::Ok();
    };
    deps.abandon_start = [this](const std::string& network) {
      journal_.push_back("abandon " + network);
    };
    return deps;
  }
  void TearDown() override { fs::remove_all(root_); }

  static xml::NetworkDef Def(const std::string& text) {
    auto def = xml::ParseNetworkXml(text);
    EXPECT_TRUE(def.ok()) << def.error().message;
    if (!def.ok()) return {};
    EXPECT_TRUE(xml::ValidateNetworkDef(*def).ok());
    return *def;
  }
  std::string Read(const std::string& rel) {
    std::ifstream in(root_ / rel);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> Files(const std::string& rel) {
    std::vector<std::string> names;
    if (!fs::exists(root_ / rel)) return names;
    for (const auto& e : fs::directory_iterator(root_ / rel)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  unsigned Mode(const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(stat((root_ / rel).c_str(), &st), 0) << rel;
    return st.st_mode & 0777;
  }
  // Nothing of the network is left anywhere.
  void ExpectNothingLeft() {
    EXPECT_TRUE(netlink_.links().empty());
    EXPECT_TRUE(firewall_.applied.empty());
    EXPECT_EQ(Files("lib"), std::vector<std::string>{});
    EXPECT_EQ(Files("run"), std::vector<std::string>{});
    EXPECT_EQ(realizer_->Applied("seed"), nullptr);
  }

  fs::path root_;
  FakeNetlink netlink_;
  FakeFirewall firewall_;
  FakeHostFacts facts_;
  FakeQos qos_;
  std::unique_ptr<Sysctl> sysctl_;
  DnsmasqLog dnsmasq_;
  std::vector<DnsmasqCommand> commands_;
  std::vector<std::string> journal_;  // begin_start / abandon_start calls
  std::optional<Error> fail_journal_;
  std::unique_ptr<HostRealizer> realizer_;
};

}  // namespace virtnat::driver
