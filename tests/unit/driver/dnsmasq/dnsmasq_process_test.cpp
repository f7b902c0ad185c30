// Launch, supervision and stop logic against a stand-in for dnsmasq: a
// script that fails, hangs or "daemonizes" (leaves a sleep behind and writes
// its pid) as the file `mode` in its directory says. No root needed.

#include "driver/dnsmasq/dnsmasq_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/glib_handle.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;

constexpr const char* kFakeDnsmasq = R"sh(#!/bin/sh
dir=$(/usr/bin/dirname "$0")
case "$(/bin/cat "$dir/mode")" in
  fail)
    echo >&2
    echo "dnsmasq: failed to create listening socket for 10.66.5.1: Address already in use" >&2
    exit 2;;
  hang) exec /bin/sleep 30;;
  nopid) exit 0;;
  pidthenfail)
    echo $$ > "$dir/dnsmasq.pid"
    echo "dnsmasq: TFTP directory /x inaccessible: No such file or directory" >&2
    exit 3;;
  daemon)
    /bin/sleep 300 </dev/null >/dev/null 2>&1 &
    echo $! > "$dir/dnsmasq.pid"
    exit 0;;
esac
exit 9
)sh";

class DnsmasqProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vn-fakednsmasq-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/dnsmasq") << kFakeDnsmasq;
    std::filesystem::permissions(dir_ + "/dnsmasq", std::filesystem::perms::owner_all);
    SetMode("daemon");
    context_.reset(g_main_context_new());
  }
  void TearDown() override {
    std::ifstream in(dir_ + "/dnsmasq.pid");
    pid_t pid = 0;
    if (in >> pid && pid > 1 && pid != getpid())
      kill(pid, SIGKILL);  // the stand-in daemon, by its pid
    std::filesystem::remove_all(dir_);
    context_.reset();
  }

  void SetMode(const std::string& mode) { std::ofstream(dir_ + "/mode") << mode << "\n"; }

  DnsmasqCommand Command() {
    DnsmasqCommand command;
    command.binary = dir_ + "/dnsmasq";
    command.args = {"--conf-file=" + dir_ + "/x.conf"};
    command.env = {"VIR_BRIDGE_NAME=virbrx7"};
    command.pid_file = dir_ + "/dnsmasq.pid";
    command.user = "nobody";
    return command;
  }

  DnsmasqTimings Fast() {
    DnsmasqTimings t;
    t.start_timeout = milliseconds(2000);
    t.stop_timeout = milliseconds(1000);
    t.first_backoff = milliseconds(50);
    t.max_backoff = milliseconds(200);
    return t;
  }

  void IterateUntil(const std::function<bool()>& done, milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      while (g_main_context_iteration(context_.get(), FALSE)) {
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  }

  std::string dir_;
  GMainContextPtr context_;
};

TEST_F(DnsmasqProcessTest, ArgvEndsWithTheUnprivilegedUser) {
  DnsmasqCommand command = Command();
  EXPECT_EQ(DnsmasqArgv(command),
            (std::vector<std::string>{dir_ + "/dnsmasq", "--conf-file=" + dir_ + "/x.conf",
                                      "--user=nobody"}));
  command.user.clear();
  std::string user = DnsmasqArgv(command).back();
  EXPECT_TRUE(user == "--user=dnsmasq" || user == "--user=nobody") << user;
}

TEST_F(DnsmasqProcessTest, ArgvKeepsAUserGivenByThePlan) {
  DnsmasqCommand command = Command();
  command.args.push_back("--user=dnsmasq");
  std::vector<std::string> argv = DnsmasqArgv(command);
  EXPECT_EQ(std::count_if(argv.begin(), argv.end(),
                          [](const std::string& a) { return a.rfind("--user=", 0) == 0; }),
            1);
  EXPECT_EQ(argv.back(), "--user=dnsmasq");
}

TEST_F(DnsmasqProcessTest, ForegroundDnsmasqIsRefused) {
  DnsmasqCommand command = Command();
  command.args.push_back("--keep-in-foreground");
  auto daemon = LaunchDnsmasq(command, milliseconds(2000));
  ASSERT_FALSE(daemon.ok());
  EXPECT_EQ(daemon.error().message,
            "internal error: dnsmasq must daemonize for its start to be checked; remove "
            "'--keep-in-foreground' from its command line");
}

TEST_F(DnsmasqProcessTest, FailureCarriesDnsmasqsMessageInLibvirtsWords) {
  SetMode("fail");
  auto daemon = LaunchDnsmasq(Command(), milliseconds(2000));
  ASSERT_FALSE(daemon.ok());
  EXPECT_EQ(daemon.error().code, VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(daemon.error().message,
            "internal error: Child process (VIR_BRIDGE_NAME=virbrx7 " + dir_ +
                "/dnsmasq --conf-file=" + dir_ +
                "/x.conf --user=nobody) unexpected exit status 2: \n"
                "dnsmasq: failed to create listening socket for 10.66.5.1: Address already in use");
}

TEST_F(DnsmasqProcessTest, HangingLaunchIsBoundedAndKilled) {
  SetMode("hang");
  auto begin = std::chrono::steady_clock::now();
  auto daemon = LaunchDnsmasq(Command(), milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(2000));
  ASSERT_FALSE(daemon.ok());
  EXPECT_NE(daemon.error().message.find(") did not finish within 300 ms"), std::string::npos)
      << daemon.error().message;
  // The user learns which phase of the start took long and what bounds it.
  EXPECT_NE(daemon.error().message.find("(start phase 'dnsmasq'; start_timeout in virtnatd.conf "
                                        "sets the limit)"),
            std::string::npos)
      << daemon.error().message;
}

TEST_F(DnsmasqProcessTest, ExitWithoutPidFileIsAnError) {
  SetMode("nopid");
  auto daemon = LaunchDnsmasq(Command(), milliseconds(2000));
  ASSERT_FALSE(daemon.ok());
  EXPECT_EQ(daemon.error().message,
            "internal error: dnsmasq did not write its pid file '" + dir_ + "/dnsmasq.pid'");
}

TEST_F(DnsmasqProcessTest, FailureAfterThePidFileRemovesIt) {
  SetMode("pidthenfail");
  auto daemon = LaunchDnsmasq(Command(), milliseconds(2000));
  ASSERT_FALSE(daemon.ok());
  EXPECT_NE(daemon.error().message.find("unexpected exit status 3: dnsmasq: TFTP directory"),
            std::string::npos)
      << daemon.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/dnsmasq.pid"));
}

TEST_F(DnsmasqProcessTest, StaleOrForeignPidFileIsNotAdopted) {
  std::ofstream(dir_ + "/dnsmasq.pid") << getpid() << "\n";  // alive, but not dnsmasq
  DnsmasqProcess dnsmasq(Command(), context_.get(), Fast());
  Status s = dnsmasq.Adopt();
  EXPECT_EQ(s.message(), "internal error: process " + std::to_string(getpid()) + " from '" + dir_ +
                             "/dnsmasq.pid' is not this network's dnsmasq");
  std::filesystem::remove(dir_ + "/dnsmasq.pid");
}

TEST_F(DnsmasqProcessTest, RestartsWithDoublingBackoffUntilItWorks) {
  DnsmasqProcess dnsmasq(Command(), context_.get(), Fast());
  std::vector<std::string> events;
  dnsmasq.SetListener([&events](const std::string& line) { events.push_back(line); });
  ASSERT_TRUE(dnsmasq.Start().ok());
  pid_t first = *dnsmasq.pid();

  SetMode("fail");
  ASSERT_EQ(kill(first, SIGKILL), 0);
  IterateUntil([&] { return events.size() >= 4; }, milliseconds(3000));
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0], "dnsmasq (pid " + std::to_string(first) + ") exited; restarting in 50 ms");
  EXPECT_NE(events[1].find("cannot restart dnsmasq: internal error: Child process ("),
            std::string::npos);
  EXPECT_NE(events[1].find("; next attempt in 100 ms"), std::string::npos) << events[1];
  EXPECT_NE(events[2].find("; next attempt in 200 ms"), std::string::npos) << events[2];
  EXPECT_NE(events[3].find("; next attempt in 200 ms"), std::string::npos) << events[3];
  EXPECT_FALSE(dnsmasq.pid());
  EXPECT_TRUE(dnsmasq.Reload().ok());  // nothing to signal while waiting: the next start reads all

  SetMode("daemon");
  IterateUntil([&] { return dnsmasq.pid().has_value(); }, milliseconds(3000));
  ASSERT_TRUE(dnsmasq.pid());
  EXPECT_NE(*dnsmasq.pid(), first);
  EXPECT_EQ(dnsmasq.restarts(), 1);
  EXPECT_EQ(events.back(), "dnsmasq restarted (pid " + std::to_string(*dnsmasq.pid()) + ")");

  pid_t second = *dnsmasq.pid();
  auto watch = Pidfd::Open(second);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(dnsmasq.Stop().ok());
  EXPECT_TRUE(watch->WaitForExit(milliseconds(2000)));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/dnsmasq.pid"));
  // A stopped dnsmasq is not restarted.
  IterateUntil([] { return false; }, milliseconds(200));
  EXPECT_EQ(dnsmasq.restarts(), 1);
  EXPECT_FALSE(dnsmasq.pid());
}

TEST_F(DnsmasqProcessTest, HangingRestartNeverBlocksTheLoop) {
  DnsmasqTimings timings = Fast();
  timings.start_timeout = milliseconds(300);
  DnsmasqProcess dnsmasq(Command(), context_.get(), timings);
  std::vector<std::string> events;
  dnsmasq.SetListener([&events](const std::string& line) { events.push_back(line); });
  ASSERT_TRUE(dnsmasq.Start().ok());
  SetMode("hang");
  ASSERT_EQ(kill(*dnsmasq.pid(), SIGKILL), 0);

  auto longest = milliseconds(0);
  auto deadline = std::chrono::steady_clock::now() + milliseconds(3000);
  while (events.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto begin = std::chrono::steady_clock::now();
    g_main_context_iteration(context_.get(), FALSE);
    longest = std::max(longest, std::chrono::duration_cast<milliseconds>(
                                    std::chrono::steady_clock::now() - begin));
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_GE(events.size(), 2u);
  EXPECT_NE(events[1].find("start_timeout in virtnatd.conf sets the limit); next attempt in"),
            std::string::npos)
      << events[1];
  EXPECT_LT(longest, milliseconds(150));  // the 300 ms launch ran beside the loop

  SetMode("daemon");
  IterateUntil([&] { return dnsmasq.pid().has_value(); }, milliseconds(3000));
  EXPECT_TRUE(dnsmasq.pid());
  EXPECT_TRUE(dnsmasq.Stop().ok());
}

TEST_F(DnsmasqProcessTest, StopDuringARestartEndsTheLauncher) {
  DnsmasqTimings timings = Fast();
  timings.start_timeout = milliseconds(5000);
  DnsmasqProcess dnsmasq(Command(), context_.get(), timings);
  ASSERT_TRUE(dnsmasq.Start().ok());
  SetMode("hang");
  ASSERT_EQ(kill(*dnsmasq.pid(), SIGKILL), 0);
  // Let the exit be seen and the restart begin (first backoff 50 ms).
  IterateUntil([] { return false; }, milliseconds(300));
  auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(dnsmasq.Stop().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(1000));
  // The hanging launcher (`sleep 30` under the stand-in's name) is gone.
  EXPECT_EQ(
      system(("/usr/bin/pgrep -f '^/bin/sleep 30$' -P " + std::to_string(getpid()) + " >/dev/null")
                 .c_str()),
      256);  // pgrep: exit 1, no match
}

TEST_F(DnsmasqProcessTest, DestructionLeavesItRunningForTheNextDaemon) {
  pid_t pid = 0;
  {
    DnsmasqProcess dnsmasq(Command(), context_.get(), Fast());
    ASSERT_TRUE(dnsmasq.Start().ok());
    pid = *dnsmasq.pid();
  }
  auto watch = Pidfd::Open(pid);
  ASSERT_TRUE(watch.ok());
  EXPECT_FALSE(watch->WaitForExit(milliseconds(100)));
  IterateUntil([] { return false; }, milliseconds(100));  // no dangling source fires
}

TEST_F(DnsmasqProcessTest, ReloadBeforeStartIsRefused) {
  DnsmasqProcess dnsmasq(Command(), context_.get(), Fast());
  EXPECT_EQ(dnsmasq.Reload().code(), VIR_ERR_OPERATION_INVALID);
}

}  // namespace
}  // namespace virtnat::driver
