#include "tests/support/host/realize_env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "driver/firewall/firewall_nft.h"
#include "driver/link/bridge_netlink.h"
#include "driver/link/host_facts_netlink.h"
#include "driver/qos/qos_netlink.h"
#include "tests/support/host/tcp_probe.h"
#include "xml/network_parse.h"
#include "xml/network_validate.h"

extern char** environ;

namespace virtnat::testing {
namespace {

using ::virtnat::testing::kPython;
constexpr const char* kServer = ::virtnat::testing::kTcpEchoPeerServer;
constexpr const char* kClient = ::virtnat::testing::kTcpProbeClient;

// udhcpc's event script: the address and the default route it was offered
// (IPv4 only: a guest's IPv6 addresses stay).
constexpr const char* kUdhcpcScript =
    "#!/bin/sh\n"
    "case \"$1\" in bound|renew)\n"
    "  ip -4 addr flush dev \"$interface\"\n"
    "  ip addr add \"$ip/$mask\" dev \"$interface\"\n"
    "  [ -n \"$router\" ] && ip route replace default via \"${router%% *}\"\n"
    "  ;;\n"
    "esac\n"
    "exit 0\n";

}  // namespace

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

RealizerHost::RealizerHost(const NetNs& ns, const std::string& state_dir) {
  std::promise<bool> ready;
  std::future<bool> done = ready.get_future();
  thread_ =
      std::thread([this, name = ns.name(), state_dir, &ready] { Main(name, state_dir, &ready); });
  ok_ = done.get();
}

RealizerHost::~RealizerHost() {
  if (ok_) RunOnLoop([this] { g_main_loop_quit(loop_.get()); });
  if (thread_.joinable()) thread_.join();
}

void RealizerHost::Main(const std::string& ns_name, const std::string& state_dir,
                        std::promise<bool>* ready) {
  int fd = open(("/run/netns/" + ns_name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    ADD_FAILURE() << "cannot enter " << ns_name;
    if (fd >= 0) close(fd);
    ready->set_value(false);
    return;
  }
  close(fd);
  context_.reset(g_main_context_new());
  g_main_context_push_thread_default(context_.get());
  loop_.reset(g_main_loop_new(context_.get(), FALSE));
  auto netlink = driver::RealNetlink::Open();
  auto firewall = driver::NftFirewall::Open();
  auto facts = driver::RealHostFacts::Open();
  auto qos = driver::NetlinkQos::Open();
  bool ok = netlink.ok() && firewall.ok() && facts.ok() && qos.ok();
  EXPECT_TRUE(ok) << "cannot open the kernel interfaces";
  if (ok) {
    netlink_ = std::move(*netlink);
    firewall_ = std::move(*firewall);
    facts_ = std::move(*facts);
    sysctl_ = std::make_unique<driver::Sysctl>();
    qos_ = std::move(*qos);
    driver::HostRealizerDeps deps;
    deps.netlink = netlink_.get();
    deps.firewall = firewall_.get();
    deps.facts = facts_.get();
    deps.sysctl = sysctl_.get();
    deps.qos = qos_.get();
    deps.dnsmasq = driver::SupervisedDnsmasq(context_.get());
    deps.paths.state_dir = state_dir + "/lib";
    deps.paths.run_dir = state_dir + "/run";
    realizer_ = std::make_unique<driver::HostRealizer>(std::move(deps));
  }
  ready->set_value(ok);
  if (ok) g_main_loop_run(loop_.get());
  realizer_.reset();
  loop_.reset();
  g_main_context_pop_thread_default(context_.get());
  context_.reset();
}

void RealizerHost::RunOnLoop(std::function<void()> task) {
  struct Job {
    std::function<void()> task;
    std::promise<void> done;
  };
  auto* job = new Job{std::move(task), {}};
  std::future<void> done = job->done.get_future();
  g_main_context_invoke_full(
      context_.get(), G_PRIORITY_DEFAULT,
      [](gpointer data) -> gboolean {
        auto* j = static_cast<Job*>(data);
        j->task();
        j->done.set_value();
        return G_SOURCE_REMOVE;
      },
      job, [](gpointer data) { delete static_cast<Job*>(data); });
  done.get();
}

RealizeEnv::RealizeEnv() {
  EXPECT_EQ(geteuid(), 0u) << "integration tests run as root";
  char tmpl[] = "/tmp/vn-realize-XXXXXX";
  if (!mkdtemp(tmpl)) return;
  dir_ = tmpl;
  // dnsmasq re-reads its hosts files as an unprivileged user.
  chmod(dir_.c_str(), 0755);
  // The daemon's state and run directories exist before any network starts.
  mkdir((dir_ + "/lib").c_str(), 0755);
  mkdir((dir_ + "/run").c_str(), 0755);
  std::ofstream(dir_ + "/server.py") << kServer;
  std::ofstream(dir_ + "/client.py") << kClient;
  std::ofstream(dir_ + "/udhcpc.sh") << kUdhcpcScript;
  chmod((dir_ + "/udhcpc.sh").c_str(), 0755);
  if (!host_.ok() || !wan_.ok() || !AddVethPair(host_, "eth0", wan_, "eth0")) return;
  if (host_.Exec("ip addr add 198.51.100.1/24 dev eth0").exit_status != 0 ||
      wan_.Exec("ip addr add 198.51.100.2/24 dev eth0").exit_status != 0) {
    ADD_FAILURE() << "cannot address the wan link";
    return;
  }
  realizer_ = std::make_unique<RealizerHost>(host_, dir_);
  ok_ = realizer_->ok();
}

RealizeEnv::~RealizeEnv() {
  realizer_.reset();
  for (pid_t pid : servers_) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  guests_.clear();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

xml::NetworkDef RealizeEnv::Def(const std::string& text) {
  auto def = xml::ParseNetworkXml(text);
  EXPECT_TRUE(def.ok()) << def.error().message;
  if (!def.ok()) return {};
  Status valid = xml::ValidateNetworkDef(*def);
  EXPECT_TRUE(valid.ok()) << valid.message();
  return *def;
}

NetNs& RealizeEnv::AddGuest(const std::string& bridge, const std::string& mac) {
  guests_.push_back(std::make_unique<NetNs>("rguest"));
  NetNs& guest = *guests_.back();
  const std::string port = "vg" + std::to_string(guests_.size());
  EXPECT_TRUE(AddVethPair(host_, port, guest, "eth0"));
  CommandResult r = host_.Exec("ip link set " + port + " master " + bridge);
  EXPECT_EQ(r.exit_status, 0) << r.output;
  r = guest.Exec("ip link set eth0 address " + mac);
  EXPECT_EQ(r.exit_status, 0) << r.output;
  return guest;
}

std::string RealizeEnv::Lease(NetNs& guest) {
  CommandResult r =
      guest.Exec("busybox udhcpc -i eth0 -n -q -f -t 20 -T 1 -s " + dir_ + "/udhcpc.sh");
  if (r.exit_status != 0) {
    ADD_FAILURE() << "udhcpc: " << r.output;
    return "";
  }
  return Trim(guest.Exec("ip -4 -o addr show dev eth0 | awk '{print $4}'").output);
}

void RealizeEnv::StartServer(NetNs& ns, const std::string& address, int port) {
  const std::string ready = dir_ + "/ready-" + ns.name() + "-" + std::to_string(port);
  std::vector<std::string> args = {
      "ip", "netns", "exec", ns.name(), kPython, dir_ + "/server.py", address, std::to_string(port),
      ready};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Not the test's stdout: a server outliving a crashed test must not keep
  // a reader of that output waiting.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, "ip", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(rc, 0);
  servers_.push_back(pid);
  for (int i = 0; i < 200 && access(ready.c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(access(ready.c_str(), F_OK), 0) << "server in " << ns.name() << " did not start";
}

std::string RealizeEnv::Connect(NetNs& ns, const std::string& address, int port) {
  return Trim(ns.Exec(std::string(kPython) + " " + dir_ + "/client.py " + address + " " +
                      std::to_string(port))
                  .output);
}

std::string RealizeEnv::Snapshot() {
  std::string out;
  // IPv6 duplicate address detection ends on its own after a second or
  // two: an address's "tentative" flag is not an effect of a start.
  for (const char* command : {"ip -o link show", "ip -o addr show | sed 's/ tentative//'",
                              "ip route show", "nft list ruleset"}) {
    out += std::string("## ") + command + "\n" + host_.Exec(command).output;
  }
  out += "## processes\n" + RunCommand("ip netns pids " + host_.name()).output;
  out += "## files\n" + RunCommand("cd " + dir_ + " && find lib run 2>/dev/null | sort").output;
  return out;
}

}  // namespace virtnat::testing
