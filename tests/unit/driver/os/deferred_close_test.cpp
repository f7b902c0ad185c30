#include "driver/os/deferred_close.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace virtnat::driver {
namespace {

TEST(DeferredCloseTest, TheWorkerClosesWhatItIsHanded) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  const unsigned long before = WaitForBackgroundCloses();
  CloseInBackground(UniqueFd(fds[1]));
  CloseInBackground(UniqueFd());  // nothing to close: not counted
  EXPECT_EQ(WaitForBackgroundCloses(), before + 1);
  char byte;
  EXPECT_EQ(read(read_end.get(), &byte, 1), 0);  // end of file: the write end is closed
}

}  // namespace
}  // namespace virtnat::driver
