#include "driver/os/pid_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PidFileTest, WritesOurPidAndCreatesTheDirectory) {
  testing::TempDir tmp;
  const std::string path = tmp / "run/sub/virtnatd.pid";
  Result<PidFile> held = PidFile::Acquire(path);
  ASSERT_TRUE(held.ok()) << held.error().message;
  EXPECT_EQ(Slurp(path), std::to_string(getpid()) + "\n");
}

TEST(PidFileTest, ASecondHolderIsToldWhoRunsAndChangesNothing) {
  testing::TempDir tmp;
  const std::string path = tmp / "virtnatd.pid";
  Result<PidFile> first = PidFile::Acquire(path);
  ASSERT_TRUE(first.ok());
  // flock belongs to the open file description: a second open conflicts
  // even in the same process, as a second daemon's would.
  Result<PidFile> second = PidFile::Acquire(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "virtnatd is already running (pid " + std::to_string(getpid()) + ")");
  EXPECT_EQ(Slurp(path), std::to_string(getpid()) + "\n");
}

TEST(PidFileTest, AStaleFileIsTakenOverAndRemovedOnRelease) {
  testing::TempDir tmp;
  const std::string path = tmp / "virtnatd.pid";
  std::ofstream(path) << "999999999\n";
  {
    Result<PidFile> held = PidFile::Acquire(path);
    ASSERT_TRUE(held.ok());
    EXPECT_EQ(Slurp(path), std::to_string(getpid()) + "\n");
  }
  EXPECT_NE(access(path.c_str(), F_OK), 0);
  EXPECT_TRUE(PidFile::Acquire(path).ok());
}

}  // namespace
}  // namespace virtnat::driver
