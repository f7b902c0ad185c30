#include "driver/os/pid_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

using driver::EnsureDirectory;

pid_t ReadPid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  return static_cast<pid_t>(std::strtol(buf, nullptr, 10));
}

}  // namespace

Result<PidFile> PidFile::Acquire(const std::string& path) {
  if (size_t slash = path.rfind('/'); slash != std::string::npos && slash > 0) {
    RETURN_IF_ERROR(EnsureDirectory(path.substr(0, slash), 0755));
  }
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return SystemErrorFromErrno(errno, "cannot open pid file '" + path + "'");
  // flock: held by the open file description, so it dies with the daemon
  // however it dies, and the daemon's children do not inherit it (CLOEXEC).
  if (flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno != EWOULDBLOCK) {
      return SystemErrorFromErrno(errno, "cannot lock pid file '" + path + "'");
    }
    // The holder writes its pid right after locking: give it a moment.
    pid_t pid = ReadPid(fd.get());
    for (int i = 0; i < 50 && pid <= 0; ++i) {
      usleep(10000);
      pid = ReadPid(fd.get());
    }
    return SystemError("virtnatd is already running (pid " + std::to_string(pid) + ")");
  }
  std::string text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd.get(), 0) < 0 ||
      pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return SystemErrorFromErrno(errno, "cannot write pid file '" + path + "'");
  }
  return PidFile(path, std::move(fd));
}

PidFile::~PidFile() {
  if (fd_.valid()) unlink(path_.c_str());
}

}  // namespace virtnat::driver
