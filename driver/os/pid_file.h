#pragma once
// The daemon's pid file, held under an exclusive lock for the daemon's life
// (as libvirt's daemons hold theirs): the lock, not the file's presence,
// says a daemon runs, so a file left by a killed daemon is simply taken over.

#include <sys/types.h>

#include <string>

#include "common/status.h"
#include "common/unique_fd.h"

namespace virtnat::driver {

class PidFile {
 public:
  // Creates `path` (and its directory) and locks it, then writes our pid.
  // Nothing else is touched, so this runs before the daemon changes the host.
  // When another process holds the lock: "virtnatd is already running
  // (pid N)", and the file is left as it is.
  static Result<PidFile> Acquire(const std::string& path);

  PidFile(PidFile&&) = default;
  PidFile& operator=(PidFile&&) = default;
  // Removes the file while still holding the lock, then releases it.
  ~PidFile();

 private:
  PidFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

}  // namespace virtnat::driver
