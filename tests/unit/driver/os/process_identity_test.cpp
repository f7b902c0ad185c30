#include "driver/os/process_identity.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "driver/os/process.h"

namespace virtnat::driver {
namespace {

// Spawns `argv` and waits until /proc shows its command line (after exec).
class Sleeper {
 public:
  explicit Sleeper(std::vector<std::string> argv, std::string path = "/usr/bin/sleep") {
    Result<SpawnedChild> child = Spawn({.path = path, .argv = argv, .env = {}});
    if (!child.ok()) return;
    child_.emplace(std::move(child).value());
    for (int i = 0; i < 200 && !ProcessRuns(pid(), argv); ++i) usleep(10 * 1000);
  }
  ~Sleeper() {
    if (!child_) return;
    // SIGTERM first: the shell below ends its own child on it.
    (void)child_->process.Signal(SIGTERM);
    if (!child_->process.WaitForExit(std::chrono::milliseconds(1000))) {
      (void)child_->process.Signal(SIGKILL);
    }
    (void)child_->process.Reap(true);
  }
  bool ok() const { return child_.has_value(); }
  pid_t pid() const { return child_->process.pid(); }
  SpawnedChild& child() { return *child_; }

 private:
  std::optional<SpawnedChild> child_;
};

TEST(ProcessIdentityTest, ReadsTheCommandLineSplitAtNuls) {
  // A shell that keeps running (it waits for its sleep), with an empty
  // argument.
  const std::vector<std::string> argv = {"sh", "-c", "trap 'kill $!; exit' TERM; sleep 30 & wait",
                                         "sh", ""};
  Sleeper sleeper(argv, "/bin/sh");
  ASSERT_TRUE(sleeper.ok());
  Result<std::vector<std::string>> cmdline = ReadProcessCmdline(sleeper.pid());
  ASSERT_TRUE(cmdline.ok()) << cmdline.status().message();
  EXPECT_EQ(*cmdline, argv);
  // The identity reads it through the same function.
  Result<ProcessIdentity> id = ReadProcessIdentity(sleeper.pid());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->cmdline, *cmdline);
}

TEST(ProcessIdentityTest, ProcessRunsOnlyExactlyItsArgv) {
  Sleeper sleeper({"sleep", "31"});
  ASSERT_TRUE(sleeper.ok());
  EXPECT_TRUE(ProcessRuns(sleeper.pid(), {"sleep", "31"}));
  EXPECT_FALSE(ProcessRuns(sleeper.pid(), {"sleep"}));
  EXPECT_FALSE(ProcessRuns(sleeper.pid(), {"sleep", "31", "x"}));
  // A zombie has an empty command line.
  ASSERT_TRUE(sleeper.child().process.Signal(SIGKILL).ok());
  ASSERT_TRUE(sleeper.child().process.WaitForExit(std::chrono::milliseconds(5000)));
  EXPECT_FALSE(ProcessRuns(sleeper.pid(), {"sleep", "31"}));
}

TEST(ProcessIdentityTest, ListsProcessesAscending) {
  std::vector<pid_t> pids = ListProcesses();
  EXPECT_TRUE(std::is_sorted(pids.begin(), pids.end()));
  EXPECT_NE(std::find(pids.begin(), pids.end(), getpid()), pids.end());
  EXPECT_TRUE(std::all_of(pids.begin(), pids.end(), [](pid_t p) { return p > 0; }));
}

TEST(ProcessIdentityTest, MissingProcessIsAnError) {
  Result<std::vector<std::string>> cmdline = ReadProcessCmdline(0);
  EXPECT_FALSE(cmdline.ok());
  // pid_max is at most 2^22: this pid never exists.
  cmdline = ReadProcessCmdline(1 << 30);
  ASSERT_FALSE(cmdline.ok());
  EXPECT_EQ(cmdline.error().code, VIR_ERR_SYSTEM_ERROR);
  EXPECT_NE(cmdline.error().message.find("/proc/1073741824/cmdline"), std::string::npos);
  EXPECT_FALSE(ProcessRuns(1 << 30, {"sleep"}));
}

}  // namespace
}  // namespace virtnat::driver
