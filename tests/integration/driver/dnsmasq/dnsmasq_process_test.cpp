// A supervised dnsmasq on a real bridge in a throw-away "host" namespace,
// serving a "guest" namespace plugged into the bridge by a veth pair.

#include "driver/dnsmasq/dnsmasq_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/glib_handle.h"
#include "driver/dnsmasq/leases.h"
#include "driver/os/deferred_close.h"
#include "driver/os/process_descriptors.h"
#include "tests/support/host/dnsmasq_process_fixture.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using virtnat::testing::DnsmasqTest;
using virtnat::testing::kBridge;
using virtnat::testing::kGuestMac;

uid_t UidOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::stoul(line.substr(4)));
  }
  return 0;
}

TEST_F(DnsmasqTest, ServesDhcpAsAnUnprivilegedUser) {
  host_.Run([&] {
    DnsmasqProcess dnsmasq(Command("net"));
    Status s = dnsmasq.Start();
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_TRUE(dnsmasq.pid());
    EXPECT_NE(UidOf(*dnsmasq.pid()), 0u);
    std::string lease = GuestLease();
    EXPECT_EQ(lease.rfind("10.9.0.1", 0), 0u) << lease;
    EXPECT_EQ(lease.substr(lease.size() - 3), "/24");

    auto leases = ReadNetworkLeases(dir_ + "/net.leases", {24, 64});
    ASSERT_TRUE(leases.ok());
    ASSERT_EQ(leases->size(), 1u);
    EXPECT_EQ((*leases)[0].mac, kGuestMac);
    EXPECT_EQ((*leases)[0].ip.ToString() + "/24", lease);
    EXPECT_EQ((*leases)[0].prefix, 24u);

    pid_t pid = *dnsmasq.pid();
    auto watch = Pidfd::Open(pid);
    ASSERT_TRUE(watch.ok());
    s = dnsmasq.Reload();
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_FALSE(watch->WaitForExit(milliseconds(300)));  // SIGHUP keeps the same process
    EXPECT_EQ(dnsmasq.pid(), pid);

    s = dnsmasq.Stop();
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE(watch->HasExited());
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/net.pid"));
    EXPECT_FALSE(dnsmasq.pid());
  });
}

// dnsmasq watches its resolv file with inotify; Stop takes a copy of that
// instance before SIGTERM, so dnsmasq's exit does not free the watches (an
// SRCU grace period), and hands the copy to the background closer after the
// exit: none stays open here.
TEST_F(DnsmasqTest, StopHandsDnsmasqsInotifyInstanceToTheBackgroundCloser) {
  host_.Run([&] {
    auto own_before = DescriptorsOf(getpid(), "anon_inode:inotify");
    ASSERT_TRUE(own_before.ok());
    DnsmasqProcess dnsmasq(Command("net"));
    Status s = dnsmasq.Start();
    ASSERT_TRUE(s.ok()) << s.message();
    auto instances = DescriptorsOf(*dnsmasq.pid(), "anon_inode:inotify");
    ASSERT_TRUE(instances.ok()) << instances.error().message;
    ASSERT_FALSE(instances->empty()) << "dnsmasq watches nothing: the test shows nothing";

    const unsigned long closed_before = WaitForBackgroundCloses();
    s = dnsmasq.Stop();
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(WaitForBackgroundCloses() - closed_before, instances->size());
    auto own_after = DescriptorsOf(getpid(), "anon_inode:inotify");
    ASSERT_TRUE(own_after.ok());
    EXPECT_EQ(own_after->size(), own_before->size());
  });
}

TEST_F(DnsmasqTest, KilledDnsmasqIsBackWithinASecondAndKeepsLeases) {
  host_.Run([&] {
    GMainContextPtr owned_context(g_main_context_new());
    GMainContext* context = owned_context.get();
    {
      DnsmasqProcess dnsmasq(Command("net"), context);
      std::vector<std::string> events;
      dnsmasq.SetListener([&events](const std::string& line) { events.push_back(line); });
      ASSERT_TRUE(dnsmasq.Start().ok());
      std::string first = GuestLease();
      ASSERT_FALSE(first.empty());

      pid_t old_pid = *dnsmasq.pid();
      auto killed_at = std::chrono::steady_clock::now();
      ASSERT_EQ(kill(old_pid, SIGKILL), 0);
      IterateUntil(
          context, [&] { return dnsmasq.pid() && *dnsmasq.pid() != old_pid; }, milliseconds(3000));
      auto back_after = std::chrono::steady_clock::now() - killed_at;
      ASSERT_TRUE(dnsmasq.pid());
      EXPECT_NE(*dnsmasq.pid(), old_pid);
      // Typically 100 ms of backoff plus ~30 ms of launch.
      EXPECT_LT(back_after, milliseconds(1000));
      std::cerr << "dnsmasq back after "
                << std::chrono::duration_cast<milliseconds>(back_after).count() << " ms\n";
      EXPECT_EQ(dnsmasq.restarts(), 1);
      ASSERT_GE(events.size(), 2u);
      EXPECT_NE(events[0].find("(pid " + std::to_string(old_pid) + ")"), std::string::npos)
          << events[0];

      // The new dnsmasq serves the next request and remembers the lease.
      EXPECT_EQ(GuestLease(), first);
      ASSERT_TRUE(dnsmasq.Stop().ok());
      while (g_main_context_iteration(context, FALSE)) {
      }
      EXPECT_EQ(dnsmasq.restarts(), 1);  // a stop is not a death
    }
  });
}

TEST_F(DnsmasqTest, AddressInUseFailsWithDnsmasqsOwnMessage) {
  host_.Run([&] {
    DnsmasqCommand first = Command("first", "listen-address=10.9.0.1\nport=5353\n");
    DnsmasqProcess running(first);
    ASSERT_TRUE(running.Start().ok());

    DnsmasqCommand second = Command("second", "listen-address=10.9.0.1\nport=5353\n");
    second.args.push_back("--dhcp-range=10.9.0.160,10.9.0.170");
    DnsmasqProcess failing(second);
    Status s = failing.Start();
    EXPECT_EQ(s.code(), VIR_ERR_INTERNAL_ERROR);
    EXPECT_EQ(s.message().rfind("internal error: Child process (VIR_BRIDGE_NAME=virbrd0 "
                                "/usr/sbin/dnsmasq --conf-file=" +
                                    dir_ + "/second.conf",
                                0),
              0u)
        << s.message();
    EXPECT_NE(s.message().find(" unexpected exit status 2: \ndnsmasq: failed to create listening "
                               "socket for 10.9.0.1: Address already in use"),
              std::string::npos)
        << s.message();
    EXPECT_FALSE(failing.pid());
    EXPECT_TRUE(running.Stop().ok());
  });
  // No process is left in the namespace (asked from outside it).
  EXPECT_EQ(virtnat::testing::RunCommand("ip netns pids " + host_.name()).output, "");
}

TEST_F(DnsmasqTest, BadOptionFailsWithExitStatusOne) {
  host_.Run([&] {
    DnsmasqCommand command = Command("net");
    command.args.push_back("--no-such-option");
    DnsmasqProcess dnsmasq(command);
    Status s = dnsmasq.Start();
    EXPECT_NE(s.message().find("unexpected exit status 1: "), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("dnsmasq: "), std::string::npos) << s.message();
  });
}

TEST_F(DnsmasqTest, BadTftpRootFailsWithExitStatusThree) {
  host_.Run([&] {
    DnsmasqProcess dnsmasq(Command("net", "enable-tftp\ntftp-root=/nonexistent/vn-tftp\n"));
    Status s = dnsmasq.Start();
    EXPECT_NE(s.message().find("unexpected exit status 3: \ndnsmasq: "), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("/nonexistent/vn-tftp"), std::string::npos) << s.message();
    EXPECT_FALSE(dnsmasq.pid());
    // dnsmasq wrote its pid file before the TFTP check failed; it is gone.
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/net.pid"));
  });
  EXPECT_EQ(virtnat::testing::RunCommand("ip netns pids " + host_.name()).output, "");
}

TEST_F(DnsmasqTest, LogToStderrDoesNotStallTheStart) {
  host_.Run([&] {
    DnsmasqProcess dnsmasq(Command("net", "log-facility=-\nlog-dhcp\n"));
    auto begin = std::chrono::steady_clock::now();
    Status s = dnsmasq.Start();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(2000));
    ASSERT_TRUE(s.ok()) << s.message();
    // It keeps serving although nobody reads what it logs any more.
    EXPECT_FALSE(GuestLease().empty());
    EXPECT_TRUE(dnsmasq.pid());
    EXPECT_TRUE(dnsmasq.Stop().ok());
  });
}

TEST_F(DnsmasqTest, ANewDaemonAdoptsTheRunningDnsmasq) {
  host_.Run([&] {
    pid_t pid = 0;
    {
      DnsmasqProcess before(Command("net"));
      ASSERT_TRUE(before.Start().ok());
      pid = *before.pid();
    }  // the old daemon goes away; dnsmasq stays
    DnsmasqProcess after(Command("net"));
    Status s = after.Adopt();
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(after.pid(), pid);
    EXPECT_FALSE(GuestLease().empty());
    EXPECT_TRUE(after.Stop().ok());
    // Another network's command line does not match the adopted process.
    DnsmasqProcess other(Command("other"));
    std::ofstream(dir_ + "/other.pid") << getpid() << "\n";
    EXPECT_FALSE(other.Adopt().ok());
    std::filesystem::remove(dir_ + "/other.pid");
  });
}

}  // namespace
}  // namespace virtnat::driver
