#include "driver/os/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::Entries;
using virtnat::testing::ModeOf;
using virtnat::testing::ReadAll;
using virtnat::testing::ScopedUmask;
using virtnat::testing::TempDir;
using virtnat::testing::WriteAll;

// Makes writes beyond `bytes` fail with EFBIG for the life of the object:
// a write failure midway through a file, even for root.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  struct rlimit saved_ = {};
  sighandler_t old_handler_ = SIG_DFL;
};

TEST(AtomicFileTest, WritesContentsWithMode) {
  TempDir dir;
  const std::string path = dir / "a.xml";
  ASSERT_TRUE(WriteFileAtomic(path, "hello\n", 0600).ok());
  EXPECT_EQ(ReadAll(path), "hello\n");
  EXPECT_EQ(ModeOf(path) & 07777, 0600u);
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"a.xml"});
}

TEST(AtomicFileTest, ReplacesExistingFile) {
  TempDir dir;
  const std::string path = dir / "a.xml";
  WriteAll(path, "old contents that are longer\n");
  ASSERT_TRUE(WriteFileAtomic(path, "new\n", 0644).ok());
  EXPECT_EQ(ReadAll(path), "new\n");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"a.xml"});
}

// Run-time state (status records, dnsmasq's files) is written without
// fsyncs: the same atomic replacement, readers see old or new, no
// temporary entry is left, the exact mode is applied.
TEST(AtomicFileTest, ProcessCrashDurabilityReplacesAtomicallyToo) {
  TempDir dir;
  const std::string path = dir / "net.status";
  WriteAll(path, "old\n");
  ASSERT_TRUE(
      WriteFileAtomic(path, "new\n", 0640, FileMode::kExact, Durability::kProcessCrash).ok());
  EXPECT_EQ(ReadAll(path), "new\n");
  EXPECT_EQ(ModeOf(path) & 07777, 0640u);
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"net.status"});
  ASSERT_TRUE(RemoveFile(path, Durability::kProcessCrash).ok());
  EXPECT_TRUE(Entries(dir.path()).empty());
  EXPECT_TRUE(RemoveFile(path, Durability::kProcessCrash).ok());  // missing: fine
  Status not_a_file = RemoveFile(dir.path(), Durability::kProcessCrash);
  EXPECT_FALSE(not_a_file.ok());
}

TEST(AtomicFileTest, FailedWriteLeavesOldFileAndNoTemporary) {
  TempDir dir;
  const std::string path = dir / "a.xml";
  WriteAll(path, "old\n");
  Status status;
  {
    FileSizeLimit limit(4096);
    status = WriteFileAtomic(path, std::string(65536, 'x'), 0600);
  }
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_EQ(status.message(), "cannot write file '" + path + "': File too large");
  EXPECT_EQ(ReadAll(path), "old\n");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"a.xml"});
}

TEST(AtomicFileTest, FailedRenameRemovesTemporary) {
  TempDir dir;
  const std::string path = dir / "busy";
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0);
  WriteAll(path + "/inside", "x");
  Status status = WriteFileAtomic(path, "data", 0600);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().rfind("cannot write file '" + path + "': ", 0), 0u)
      << status.message();
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"busy"});
  EXPECT_EQ(ReadAll(path + "/inside"), "x");
}

TEST(AtomicFileTest, MissingDirectoryIsSystemError) {
  TempDir dir;
  const std::string path = dir / "missing/a.xml";
  Status status = WriteFileAtomic(path, "data", 0600);
  EXPECT_EQ(status.code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_EQ(status.message(), "cannot write file '" + path + "': No such file or directory");
}

TEST(AtomicFileTest, SymlinkIsCreatedAndReplaced) {
  TempDir dir;
  const std::string link = dir / "link.xml";
  ASSERT_TRUE(ReplaceSymlinkAtomic(link, "/first/target.xml").ok());
  char buf[256] = {};
  ASSERT_GT(readlink(link.c_str(), buf, sizeof buf - 1), 0);
  EXPECT_STREQ(buf, "/first/target.xml");

  ASSERT_TRUE(ReplaceSymlinkAtomic(link, "../second.xml").ok());
  char buf2[256] = {};
  ASSERT_GT(readlink(link.c_str(), buf2, sizeof buf2 - 1), 0);
  EXPECT_STREQ(buf2, "../second.xml");
  EXPECT_EQ(Entries(dir.path()), std::vector<std::string>{"link.xml"});
}

TEST(AtomicFileTest, SymlinkReplacesRegularFile) {
  TempDir dir;
  const std::string link = dir / "link.xml";
  WriteAll(link, "file");
  ASSERT_TRUE(ReplaceSymlinkAtomic(link, "target").ok());
  EXPECT_TRUE(S_ISLNK(ModeOf(link)));
}

TEST(AtomicFileTest, RemoveIsIdempotent) {
  TempDir dir;
  const std::string path = dir / "a";
  WriteAll(path, "x");
  ASSERT_TRUE(RemoveFileDurable(path).ok());
  EXPECT_TRUE(Entries(dir.path()).empty());
  EXPECT_TRUE(RemoveFileDurable(path).ok());
  // A dangling symlink is removed, not followed.
  ASSERT_EQ(symlink("/nonexistent", path.c_str()), 0);
  ASSERT_TRUE(RemoveFileDurable(path).ok());
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(AtomicFileTest, RemoveOfDirectoryFails) {
  TempDir dir;
  const std::string path = dir / "d";
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0);
  Status status = RemoveFileDurable(path);
  EXPECT_EQ(status.code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_NE(status.message().find("cannot remove file '" + path + "'"), std::string::npos);
}

TEST(AtomicFileTest, EnsureDirectoryCreatesParents) {
  TempDir dir;
  const std::string nested = dir / "a/b/c";
  ASSERT_TRUE(EnsureDirectory(nested, 0755).ok());
  EXPECT_TRUE(S_ISDIR(ModeOf(nested)));
  EXPECT_TRUE(EnsureDirectory(nested, 0755).ok());
  WriteAll(dir / "file", "x");
  EXPECT_EQ(EnsureDirectory(dir / "file", 0755).code(), VIR_ERR_SYSTEM_ERROR);
  EXPECT_EQ(EnsureDirectory(dir / "file/sub", 0755).code(), VIR_ERR_SYSTEM_ERROR);
}

TEST(AtomicFileTest, ExactModeIgnoresTheUmask) {
  TempDir dir;
  ScopedUmask mask(077);
  ASSERT_TRUE(WriteFileAtomic(dir / "exact", "x", 0644, FileMode::kExact).ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "masked", "x", 0644).ok());
  EXPECT_EQ(ModeOf(dir / "exact") & 07777, 0644u);
  EXPECT_EQ(ModeOf(dir / "masked") & 07777, 0600u);
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"exact", "masked"}));
}

TEST(AtomicFileTest, RemoveAtomicTempsRemovesOnlyThatFilesTemporaries) {
  TempDir dir;
  const std::string path = dir / "net.hosts";
  WriteAll(path, "kept");
  WriteAll(dir / ".net.hosts.virtnat-tmp.0123456789abcdef", "half");
  WriteAll(dir / ".net.hosts.virtnat-tmp.fedcba9876543210", "half");
  WriteAll(dir / ".other.virtnat-tmp.0123456789abcdef", "other file's");
  WriteAll(dir / "net.hosts.new", "not ours");
  WriteAll(dir / ".net.conf.virtnat-tmp.0123456789abcdef", "half");
  ASSERT_TRUE(RemoveAtomicTemps({path, dir / "net.conf", ""}).ok());
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".other.virtnat-tmp.0123456789abcdef",
                                                           "net.hosts", "net.hosts.new"}));
  EXPECT_TRUE(RemoveAtomicTemps({dir / "missing/net.hosts"}).ok());
}

TEST(AtomicFileTest, ListDirectoryIsSortedWithoutDots) {
  TempDir dir;
  WriteAll(dir / "b", "");
  WriteAll(dir / ".a", "");
  WriteAll(dir / "a", "");
  EXPECT_EQ(ListDirectory(dir.path()), (std::vector<std::string>{".a", "a", "b"}));
  errno = 0;
  EXPECT_EQ(ListDirectory(dir / "missing"), std::nullopt);
  EXPECT_EQ(errno, ENOENT);
}

TEST(AtomicFileTest, TempNames) {
  EXPECT_TRUE(IsAtomicTempName(".net.xml.virtnat-tmp.0123456789abcdef"));
  EXPECT_FALSE(IsAtomicTempName("net.xml"));
  EXPECT_FALSE(IsAtomicTempName(".hidden"));
  EXPECT_FALSE(IsAtomicTempName("net.xml.virtnat-tmp.01"));
  EXPECT_FALSE(IsAtomicTempName(""));
}

TEST(AtomicFileTest, ReadFileLimited) {
  TempDir dir;
  WriteAll(dir / "f", "12345");
  Result<std::string> ok = ReadFileLimited(dir / "f", 5);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "12345");
  Result<std::string> big = ReadFileLimited(dir / "f", 4);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "cannot read file '" + (dir / "f") + "': File too large");
  EXPECT_FALSE(ReadFileLimited(dir / "missing", 10).ok());
}

TEST(AtomicFileTest, DirName) {
  EXPECT_EQ(DirName("/a/b"), "/a");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("a"), ".");
  EXPECT_EQ(DirName("a/b/c"), "a/b");
}

}  // namespace
}  // namespace virtnat::driver
