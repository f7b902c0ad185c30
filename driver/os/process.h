#pragma once
// Process handles and spawning. A pid is never
// held bare: a Pidfd names exactly one process for its whole life, so a
// signal can never reach a recycled pid.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace virtnat::driver {

// How a child ended, as waitid() reports it.
struct ExitStatus {
  bool exited = false;  // true: `code` is valid; false: killed by `signal`
  int code = 0;
  int signal = 0;
};

class Pidfd {
 public:
  Pidfd() = default;
  // pidfd_open(): any process, child or not.
  static Result<Pidfd> Open(pid_t pid);

  explicit operator bool() const { return static_cast<bool>(fd_); }
  pid_t pid() const { return pid_; }
  int fd() const { return fd_.get(); }

  // pidfd_send_signal(); ESRCH once the process has exited.
  Status Signal(int signal) const;
  // True once the process has exited (the pidfd polls readable).
  bool HasExited() const;
  // Waits up to `timeout` for the exit; returns whether it happened.
  bool WaitForExit(std::chrono::milliseconds timeout) const;
  // waitid(P_PIDFD) for a child of ours (or of a subreaper we are);
  // nullopt if it is not ours to reap or has not exited (with `block` false).
  std::optional<ExitStatus> Reap(bool block) const;

 private:
  Pidfd(UniqueFd fd, pid_t pid) : fd_(std::move(fd)), pid_(pid) {}
  UniqueFd fd_;
  pid_t pid_ = 0;
};

struct SpawnRequest {
  std::string path;               // executable, absolute
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // the complete environment, "NAME=value"
  int stdin_fd = -1;              // the child's stdin; -1: /dev/null
  // Its own process group (pgid = its pid), so that killing -pid also ends
  // what it started.
  bool own_process_group = false;
};

struct SpawnedChild {
  Pidfd process;
  UniqueFd stderr_read;  // non-blocking read end of the child's stderr
};

// Starts a child with stdin (unless given) and stdout on /dev/null, stderr on a pipe, no
// other inherited descriptor, default signal dispositions and an empty
// signal mask (the parent's GLib loop may block some).
Result<SpawnedChild> Spawn(const SpawnRequest& request);

// Reads what is available from a non-blocking fd without waiting.
void DrainAvailable(int fd, std::string* out);

}  // namespace virtnat::driver
