#include "driver/os/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "driver/os/process.h"

namespace virtnat::driver {
namespace {

// Marks our temporary entries; the leading '.' of the name keeps them out of
// "*.xml" globs, and definition names may not start with '.'.
constexpr std::string_view kTempMarker = ".virtnat-tmp.";
constexpr int kTempAttempts = 64;

Error SystemFailure(int errnum, const std::string& what) {
  return SystemError(what + ": " + std::strerror(errnum), VIR_FROM_NETWORK);
}

std::string Quoted(const char* verb, const std::string& path) {
  return std::string(verb) + " '" + path + "'";
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string RandomSuffix() {
  uint64_t value = 0;
  // Early at boot the entropy pool may not be ready (EAGAIN); uniqueness is
  // all that matters here, and O_EXCL catches collisions, so fall back to a
  // counter mixed with the pid.
  if (getrandom(&value, sizeof value, GRND_NONBLOCK) != sizeof value) {
    static uint64_t counter = 0;
    value = (static_cast<uint64_t>(getpid()) << 32) ^ ++counter;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(value));
  return out;
}

// ".BASE.virtnat-tmp.": the start of every temporary name for `path`.
std::string TempPrefixFor(const std::string& path) {
  return "." + BaseName(path) + std::string(kTempMarker);
}

std::string TempPathFor(const std::string& path) {
  return DirName(path) + "/" + TempPrefixFor(path) + RandomSuffix();
}

// Returns 0 or the errno of the failed write.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// Renames `temp` over `path` and syncs the directory (for kPowerLoss);
// removes `temp` when the rename fails.
Status CommitTemp(const std::string& temp, const std::string& path, const std::string& what,
                  Durability durability = Durability::kPowerLoss) {
  if (rename(temp.c_str(), path.c_str()) < 0) {
    int saved = errno;
    unlink(temp.c_str());
    return SystemFailure(saved, what);
  }
  if (durability == Durability::kProcessCrash) return Status::Ok();
  return SyncDirectory(DirName(path));
}

}  // namespace

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool IsAtomicTempName(std::string_view file_name) {
  return !file_name.empty() && file_name[0] == '.' &&
         file_name.find(kTempMarker) != std::string_view::npos;
}

Status SyncDirectory(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return SystemFailure(errno, Quoted("cannot open directory", dir));
  if (fsync(fd.get()) < 0) return SystemFailure(errno, Quoted("cannot sync directory", dir));
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode,
                       FileMode how, Durability durability) {
  const std::string what = Quoted("cannot write file", path);
  std::string temp;
  UniqueFd fd;
  for (int attempt = 0; attempt < kTempAttempts && !fd; ++attempt) {
    temp = TempPathFor(path);
    fd.reset(open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd && errno != EEXIST) return SystemFailure(errno, what);
  }
  if (!fd) return SystemFailure(EEXIST, what);

  int err = 0;
  if (how == FileMode::kExact && fchmod(fd.get(), mode) < 0) err = errno;
  if (err == 0) err = WriteAll(fd.get(), contents);
  // The data must be on disk before the rename makes it visible, or a power
  // loss could leave an empty file under the final name. (A process crash
  // cannot: the page cache holds the data before the rename.)
  if (err == 0 && durability == Durability::kPowerLoss && fsync(fd.get()) < 0) err = errno;
  if (err == 0 && close(fd.release()) < 0) err = errno;
  if (err != 0) {
    fd.reset();
    unlink(temp.c_str());
    return SystemFailure(err, what);
  }
  return CommitTemp(temp, path, what, durability);
}

Status ReplaceSymlinkAtomic(const std::string& link, const std::string& target) {
  const std::string what = "cannot create symlink '" + link + "' to '" + target + "'";
  for (int attempt = 0; attempt < kTempAttempts; ++attempt) {
    std::string temp = TempPathFor(link);
    if (symlink(target.c_str(), temp.c_str()) == 0) return CommitTemp(temp, link, what);
    if (errno != EEXIST) return SystemFailure(errno, what);
  }
  return SystemFailure(EEXIST, what);
}

Status RemoveFileDurable(const std::string& path) {
  return RemoveFile(path, Durability::kPowerLoss);
}

Status RemoveFile(const std::string& path, Durability durability) {
  if (unlink(path.c_str()) < 0) {
    if (errno == ENOENT) return Status::Ok();
    return SystemFailure(errno, Quoted("cannot remove file", path));
  }
  if (durability == Durability::kProcessCrash) return Status::Ok();
  return SyncDirectory(DirName(path));
}

Status RemoveAtomicTemps(const std::vector<std::string>& paths) {
  // One listing per directory: with a thousand networks a directory holds
  // thousands of entries, and a stop would otherwise read it once per file.
  std::map<std::string, std::vector<std::string>> prefixes;  // directory -> temp prefixes
  for (const std::string& path : paths) {
    if (!path.empty()) prefixes[DirName(path)].push_back(TempPrefixFor(path));
  }
  for (const auto& [dir, wanted] : prefixes) {
    std::optional<std::vector<std::string>> names = ListDirectory(dir);
    if (!names) {
      if (errno == ENOENT) continue;
      return SystemFailure(errno, Quoted("cannot read directory", dir));
    }
    for (const std::string& name : *names) {
      for (const std::string& prefix : wanted) {
        if (name.size() > prefix.size() && name.starts_with(prefix)) {
          RETURN_IF_ERROR(RemoveFileDurable(dir + "/" + name));
          break;
        }
      }
    }
  }
  return Status::Ok();
}

std::optional<std::vector<std::string>> ListDirectory(const std::string& dir) {
  struct DirCloser {
    void operator()(DIR* d) const noexcept { closedir(d); }
  };
  std::unique_ptr<DIR, DirCloser> entries(opendir(dir.c_str()));
  if (!entries) return std::nullopt;
  std::vector<std::string> names;
  errno = 0;
  while (const struct dirent* entry = readdir(entries.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return std::nullopt;
  std::sort(names.begin(), names.end());
  return names;
}

Status EnsureDirectory(const std::string& dir, mode_t mode) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return SystemFailure(ENOTDIR, Quoted("cannot create directory", dir));
  }
  std::string parent = DirName(dir);
  if (parent != dir) RETURN_IF_ERROR(EnsureDirectory(parent, mode));
  if (mkdir(dir.c_str(), mode) < 0 && errno != EEXIST) {
    return SystemFailure(errno, Quoted("cannot create directory", dir));
  }
  return SyncDirectory(parent);
}

Result<std::string> ReadFileLimited(const std::string& path, size_t max_size) {
  const std::string what = Quoted("cannot read file", path);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return SystemFailure(errno, what);
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SystemFailure(errno, what);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) return SystemFailure(EFBIG, what);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace virtnat::driver
