#include "driver/os/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;

SpawnRequest Shell(const std::string& script) {
  return SpawnRequest{"/bin/sh", {"sh", "-c", script}, {"PATH=/usr/bin:/bin"}};
}

TEST(ProcessTest, UniqueFdClosesAndMoves) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int raw = fds[0];
  {
    UniqueFd a(fds[0]);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a);
    EXPECT_EQ(b.get(), raw);
    UniqueFd c;
    c = std::move(b);
    EXPECT_EQ(c.get(), raw);
  }
  EXPECT_EQ(fcntl(raw, F_GETFD), -1);  // closed exactly once, by `c`
  close(fds[1]);
}

TEST(ProcessTest, SpawnReportsExitStatusAndStderr) {
  auto child = Spawn(Shell("echo to-stdout; echo \"to-stderr $FOO\" >&2; exit 3"));
  ASSERT_TRUE(child.ok()) << child.error().message;
  std::optional<ExitStatus> status = child->process.Reap(true);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  std::string err;
  DrainAvailable(child->stderr_read.get(), &err);
  EXPECT_EQ(err, "to-stderr \n");  // stdout went to /dev/null; FOO is not inherited
}

TEST(ProcessTest, SpawnPassesNoOtherDescriptors) {
  int leaked = open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(leaked, 0);
  ASSERT_EQ(dup2(leaked, 57), 57);
  auto child = Spawn(Shell("[ -e /proc/self/fd/57 ] && echo leaked >&2; exit 0"));
  close(57);
  close(leaked);
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(child->process.Reap(true));
  std::string err;
  DrainAvailable(child->stderr_read.get(), &err);
  EXPECT_EQ(err, "");
}

TEST(ProcessTest, PidfdSignalsAndSeesTheExit) {
  auto child = Spawn(Shell("exec sleep 30"));
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->process.HasExited());
  EXPECT_FALSE(child->process.Reap(false));  // still running
  ASSERT_TRUE(child->process.Signal(SIGTERM).ok());
  EXPECT_TRUE(child->process.WaitForExit(milliseconds(5000)));
  std::optional<ExitStatus> status = child->process.Reap(true);
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->exited);
  EXPECT_EQ(status->signal, SIGTERM);
  Status again = child->process.Signal(SIGTERM);
  EXPECT_EQ(again.code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_NE(again.message().find("No such process"), std::string::npos) << again.message();
}

TEST(ProcessTest, MissingExecutableIsAnError) {
  auto child = Spawn(SpawnRequest{"/nonexistent/dnsmasq", {"dnsmasq"}, {}});
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().message,
            "cannot execute '/nonexistent/dnsmasq': No such file or directory");
}

}  // namespace
}  // namespace virtnat::driver
