// dnsmasq's first launch beside the loop (DnsmasqProcess::BeginStart) with
// the real dnsmasq in a throw-away namespace: it never blocks the loop, a
// dnsmasq that hangs before or after daemonizing fails at the timeout, and a
// launch cancelled by destruction leaves no process and no pid file.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <thread>

#include "common/glib_handle.h"
#include "driver/dnsmasq/dnsmasq_process.h"
#include "driver/os/process_identity.h"
#include "tests/support/host/dnsmasq_process_fixture.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using virtnat::testing::DnsmasqTest;

class DnsmasqAsyncStartTest : public DnsmasqTest {
 protected:
  DnsmasqTimings Timings() {
    DnsmasqTimings t;
    t.start_timeout = milliseconds(600);
    return t;
  }

  // A FIFO nobody opens on the other side: whoever opens it blocks.
  std::string Fifo() {
    std::string path = dir_ + "/block.fifo";
    EXPECT_EQ(mkfifo(path.c_str(), 0666), 0);
    return path;
  }

  // Iterates until `done` is set; returns the longest single iteration.
  static milliseconds Drive(GMainContext* context, const std::optional<Status>& done) {
    milliseconds longest{0};
    auto deadline = steady_clock::now() + milliseconds(5000);
    while (!done && steady_clock::now() < deadline) {
      auto begin = steady_clock::now();
      g_main_context_iteration(context, FALSE);
      longest =
          std::max(longest, std::chrono::duration_cast<milliseconds>(steady_clock::now() - begin));
      std::this_thread::sleep_for(milliseconds(5));
    }
    return longest;
  }

  std::string NamespacePids() {
    return virtnat::testing::RunCommand("ip netns pids " + host_.name()).output;
  }
};

TEST_F(DnsmasqAsyncStartTest, StartsBesideTheLoopAndIsSupervised) {
  host_.Run([&] {
    GMainContextPtr owned_context(g_main_context_new());
    GMainContext* context = owned_context.get();
    {
      DnsmasqProcess dnsmasq(Command("net"), context, Timings());
      std::optional<Status> done;
      auto begin = steady_clock::now();
      ASSERT_TRUE(dnsmasq.BeginStart([&done](Status s) { done = s; }).ok());
      EXPECT_LT(steady_clock::now() - begin, milliseconds(200));
      EXPECT_FALSE(done);
      Drive(context, done);
      ASSERT_TRUE(done);
      ASSERT_TRUE(done->ok()) << done->message();
      ASSERT_TRUE(dnsmasq.pid());
      EXPECT_TRUE(ProcessRuns(*dnsmasq.pid(), DnsmasqArgv(Command("net"))));
      // Supervised like a blocking start: killed, it comes back.
      pid_t first = *dnsmasq.pid();
      ASSERT_EQ(kill(first, SIGKILL), 0);
      DnsmasqTest::IterateUntil(
          context, [&] { return dnsmasq.pid() && *dnsmasq.pid() != first; }, milliseconds(3000));
      EXPECT_EQ(dnsmasq.restarts(), 1);
      EXPECT_TRUE(dnsmasq.Stop().ok());
    }
  });
  EXPECT_EQ(NamespacePids(), "");
}

TEST_F(DnsmasqAsyncStartTest, AHangBeforeDaemonizingFailsAtTheTimeoutWithoutBlocking) {
  host_.Run([&] {
    GMainContextPtr owned_context(g_main_context_new());
    GMainContext* context = owned_context.get();
    {
      DnsmasqProcess dnsmasq(Command("net", "conf-file=" + Fifo() + "\n"), context, Timings());
      std::optional<Status> done;
      ASSERT_TRUE(dnsmasq.BeginStart([&done](Status s) { done = s; }).ok());
      milliseconds longest = Drive(context, done);
      ASSERT_TRUE(done);
      EXPECT_NE(done->message().find(") did not finish within 600 ms"), std::string::npos)
          << done->message();
      EXPECT_LT(longest, milliseconds(300));  // the 600 ms ran beside the loop
      EXPECT_FALSE(dnsmasq.pid());
    }
  });
  EXPECT_EQ(NamespacePids(), "");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/net.pid"));
}

TEST_F(DnsmasqAsyncStartTest, AHangAfterDaemonizingIsKilledWithItsLauncher) {
  // dnsmasq forks, writes its pid file, then blocks opening its log FIFO
  // before it releases the launcher.
  host_.Run([&] {
    GMainContextPtr owned_context(g_main_context_new());
    GMainContext* context = owned_context.get();
    {
      DnsmasqProcess dnsmasq(Command("net", "log-facility=" + Fifo() + "\n"), context, Timings());
      std::optional<Status> done;
      ASSERT_TRUE(dnsmasq.BeginStart([&done](Status s) { done = s; }).ok());
      Drive(context, done);
      ASSERT_TRUE(done);
      EXPECT_NE(done->message().find(") did not finish within 600 ms"), std::string::npos)
          << done->message();
    }
  });
  EXPECT_EQ(NamespacePids(), "");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/net.pid"));
}

TEST_F(DnsmasqAsyncStartTest, DestructionDuringTheLaunchCancelsItAndLeavesNothing) {
  host_.Run([&] {
    GMainContextPtr owned_context(g_main_context_new());
    GMainContext* context = owned_context.get();
    std::optional<Status> done;
    {
      DnsmasqTimings timings = Timings();
      timings.start_timeout = milliseconds(5000);
      DnsmasqProcess dnsmasq(Command("net", "log-facility=" + Fifo() + "\n"), context, timings);
      ASSERT_TRUE(dnsmasq.BeginStart([&done](Status s) { done = s; }).ok());
      // Until the daemon has written its pid file and hangs.
      DnsmasqTest::IterateUntil(
          context, [&] { return std::filesystem::exists(dir_ + "/net.pid"); }, milliseconds(3000));
      ASSERT_TRUE(std::filesystem::exists(dir_ + "/net.pid"));
    }
    DnsmasqTest::IterateUntil(
        context, [] { return false; }, milliseconds(100));
    EXPECT_FALSE(done);  // a cancelled start does not call back
  });
  EXPECT_EQ(NamespacePids(), "");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/net.pid"));
}

}  // namespace
}  // namespace virtnat::driver
