#include "driver/os/process_descriptors.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace virtnat::driver {
namespace {

bool Has(const std::vector<int>& numbers, int n) {
  return std::find(numbers.begin(), numbers.end(), n) != numbers.end();
}

std::string FdInfo(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProcessDescriptorsTest, FindsDescriptorsByKind) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  UniqueFd inotify(inotify_init1(IN_CLOEXEC));
  ASSERT_TRUE(inotify);

  auto pipes = DescriptorsOf(getpid(), "pipe:");
  ASSERT_TRUE(pipes.ok()) << pipes.error().message;
  EXPECT_TRUE(Has(*pipes, fds[0]));
  EXPECT_TRUE(Has(*pipes, fds[1]));
  EXPECT_FALSE(Has(*pipes, inotify.get()));

  auto instances = DescriptorsOf(getpid(), "anon_inode:inotify");
  ASSERT_TRUE(instances.ok());
  EXPECT_TRUE(Has(*instances, inotify.get()));
  EXPECT_FALSE(Has(*instances, fds[0]));
}

TEST(ProcessDescriptorsTest, ACopyIsTheSameOpenFile) {
  auto self = Pidfd::Open(getpid());
  ASSERT_TRUE(self.ok()) << self.error().message;
  UniqueFd inotify(inotify_init1(IN_CLOEXEC));
  ASSERT_TRUE(inotify);
  ASSERT_GE(inotify_add_watch(inotify.get(), "/", IN_CREATE), 0);

  auto copy = CopyDescriptor(*self, inotify.get());
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  ASSERT_TRUE(*copy);
  EXPECT_NE(copy->get(), inotify.get());
  EXPECT_TRUE(fcntl(copy->get(), F_GETFD) & FD_CLOEXEC);
  // The owner closes its descriptor: the instance, and its watch, live on in
  // the copy (this is what lets dnsmasq exit without freeing its watches).
  inotify.reset();
  EXPECT_NE(FdInfo(copy->get()).find("inotify wd:"), std::string::npos) << FdInfo(copy->get());
}

TEST(ProcessDescriptorsTest, AClosedDescriptorGivesAnEmptyCopy) {
  auto self = Pidfd::Open(getpid());
  ASSERT_TRUE(self.ok());
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  close(fds[0]);
  close(fds[1]);
  auto copy = CopyDescriptor(*self, fds[0]);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  EXPECT_FALSE(*copy);
}

TEST(ProcessDescriptorsTest, CopiesEveryDescriptorOfAKind) {
  auto self = Pidfd::Open(getpid());
  ASSERT_TRUE(self.ok());
  UniqueFd a(inotify_init1(IN_CLOEXEC)), b(inotify_init1(IN_CLOEXEC));
  ASSERT_TRUE(a && b);
  auto before = DescriptorsOf(getpid(), "anon_inode:inotify");
  ASSERT_TRUE(before.ok());
  std::vector<UniqueFd> copies = CopyDescriptorsOf(*self, "anon_inode:inotify");
  EXPECT_EQ(copies.size(), before->size());
  EXPECT_GE(copies.size(), 2u);
}

}  // namespace
}  // namespace virtnat::driver
