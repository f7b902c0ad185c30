#include "driver/os/deferred_close.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace virtnat::driver {
namespace {

TEST(DeferredCloseTest, TheWorkerClosesWhatItIsHanded) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);  // an open write end: EAGAIN, no hang
  UniqueFd read_end(fds[0]);
  const unsigned long before = WaitForBackgroundCloses();
  CloseInBackground(UniqueFd(fds[1]));
  CloseInBackground(UniqueFd());  // nothing to close: not counted
  EXPECT_EQ(WaitForBackgroundCloses(), before + 1);
  char byte;
  EXPECT_EQ(read(read_end.get(), &byte, 1), 0);  // end of file: the write end is closed
}

// A child forked after the worker started has no worker: its closes happen
// at once, and a mutex the worker held at the fork cannot hang it.
TEST(DeferredCloseTest, AForkedChildClosesItself) {
  int warm[2];
  ASSERT_EQ(pipe2(warm, O_CLOEXEC), 0);
  close(warm[0]);
  CloseInBackground(UniqueFd(warm[1]));  // the worker runs from here on
  WaitForBackgroundCloses();
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(5);  // a hang ends the child with SIGALRM, which fails the test
    const int write_end = fds[1];
    CloseInBackground(UniqueFd(write_end));
    _exit(fcntl(write_end, F_GETFD) == -1 ? 0 : 1);
  }
  close(fds[1]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child did not exit: status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's close was queued, not done";
}

}  // namespace
}  // namespace virtnat::driver
