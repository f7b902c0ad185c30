#include "driver/os/resource_limits.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>

namespace virtnat::driver {
namespace {

// Puts the open-file limit of the test process back as it was.
class SavedFileLimit {
 public:
  SavedFileLimit() { getrlimit(RLIMIT_NOFILE, &saved_); }
  ~SavedFileLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }
  const struct rlimit& saved() const { return saved_; }

 private:
  struct rlimit saved_ {};
};

TEST(RaiseOpenFileLimitTest, RaisesTheSoftLimitToTheHardOne) {
  SavedFileLimit keep;
  const rlim_t hard = keep.saved().rlim_max;
  if (hard < 256) GTEST_FAIL() << "hard open-file limit " << hard << " is too low for the test";
  // Lowering the soft limit is allowed to anyone; raising it back up to the
  // hard limit too.
  struct rlimit low {
    200, hard
  };
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  OpenFileLimit raised = RaiseOpenFileLimit();
  EXPECT_FALSE(raised.failed);
  EXPECT_EQ(raised.line,
            "open-file limit raised from 200 to " + std::to_string(static_cast<uint64_t>(hard)));
  struct rlimit now {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, hard);
  EXPECT_EQ(now.rlim_max, hard);
}

TEST(RaiseOpenFileLimitTest, SaysSoWhenTheLimitIsAlreadyTheHardOne) {
  SavedFileLimit keep;
  struct rlimit same {
    keep.saved().rlim_max, keep.saved().rlim_max
  };
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &same), 0);
  OpenFileLimit kept = RaiseOpenFileLimit();
  EXPECT_FALSE(kept.failed);
  EXPECT_EQ(kept.line, "open-file limit " + std::to_string(static_cast<uint64_t>(same.rlim_cur)));
}

}  // namespace
}  // namespace virtnat::driver
