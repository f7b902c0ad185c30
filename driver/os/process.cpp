#include "driver/os/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace virtnat::driver {
namespace {

// waitid()'s P_PIDFD (Linux 5.4); glibc's idtype_t does not name it.
constexpr idtype_t kPidfdIdType = static_cast<idtype_t>(3);

// Direct system calls: glibc 2.36's <sys/pidfd.h> lacks C++ linkage guards.
int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
int PidfdSendSignal(int pidfd, int signal) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

// posix_spawn attributes and file actions, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<Pidfd> Pidfd::Open(pid_t pid) {
  int fd = PidfdOpen(pid);
  if (fd < 0) return SystemErrorFromErrno(errno, "cannot open process " + std::to_string(pid));
  return Pidfd(UniqueFd(fd), pid);
}

Status Pidfd::Signal(int signal) const {
  if (PidfdSendSignal(fd_.get(), signal) != 0) {
    return SystemErrorFromErrno(errno, "cannot signal process " + std::to_string(pid_));
  }
  return Status::Ok();
}

bool Pidfd::HasExited() const { return WaitForExit(std::chrono::milliseconds(0)); }

bool Pidfd::WaitForExit(std::chrono::milliseconds timeout) const {
  pollfd p{fd_.get(), POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    int rc = poll(&p, 1, static_cast<int>(std::max<long>(0, left.count())));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::optional<ExitStatus> Pidfd::Reap(bool block) const {
  siginfo_t info{};
  int flags = WEXITED | (block ? 0 : WNOHANG);
  if (waitid(kPidfdIdType, static_cast<id_t>(fd_.get()), &info, flags) != 0) return std::nullopt;
  if (info.si_pid == 0) return std::nullopt;  // WNOHANG, still running
  ExitStatus status;
  status.exited = info.si_code == CLD_EXITED;
  (status.exited ? status.code : status.signal) = info.si_status;
  return status;
}

Result<SpawnedChild> Spawn(const SpawnRequest& request) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return SystemErrorFromErrno(errno, "cannot create a pipe");
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  fcntl(read_end.get(), F_SETFL, O_NONBLOCK);

  SpawnSetup setup;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (request.own_process_group) {
    posix_spawnattr_setpgroup(&setup.attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&setup.attr, flags);
  if (request.stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&setup.actions, request.stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, write_end.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);

  std::vector<char*> argv = CStrings(request.argv);
  std::vector<char*> envp = CStrings(request.env);
  pid_t pid = 0;
  int err = posix_spawn(&pid, request.path.c_str(), &setup.actions, &setup.attr, argv.data(),
                        envp.data());
  if (err != 0) return SystemErrorFromErrno(err, "cannot execute '" + request.path + "'");
  // Our unreaped child: its pid cannot be reused before we wait for it.
  Result<Pidfd> process = Pidfd::Open(pid);
  if (!process.ok()) {
    kill(request.own_process_group ? -pid : pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return process.error();
  }
  return SpawnedChild{std::move(process).value(), std::move(read_end)};
}

void DrainAvailable(int fd, std::string* out) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;  // EOF, EAGAIN or an error: nothing more without waiting
    }
  }
}

}  // namespace virtnat::driver
