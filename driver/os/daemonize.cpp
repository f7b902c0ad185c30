#include "driver/os/daemonize.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace virtnat::driver {

Result<BackgroundDaemon> BackgroundDaemon::Fork() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return SystemErrorFromErrno(errno, "cannot create a pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t child = fork();
  if (child < 0) return SystemErrorFromErrno(errno, "cannot fork into the background");
  if (child > 0) {
    // The process that was started: wait for a word from the daemon.
    write_end.reset();
    char ready = 0;
    ssize_t n;
    do {
      n = read(read_end.get(), &ready, 1);
    } while (n < 0 && errno == EINTR);
    int status = 0;
    waitpid(child, &status, 0);  // the intermediate process, gone at once
    if (n == 1) _exit(0);
    // The daemon exited before it served: its error is on stderr already.
    _exit(1);
  }
  read_end.reset();
  if (setsid() < 0) _exit(1);
  pid_t daemon = fork();
  if (daemon < 0) _exit(1);
  if (daemon > 0) _exit(0);
  return BackgroundDaemon(std::move(write_end));
}

void BackgroundDaemon::Ready() {
  if (!ready_.valid()) return;
  char ready = 1;
  ssize_t n;
  do {
    n = write(ready_.get(), &ready, 1);
  } while (n < 0 && errno == EINTR);
  ready_.reset();
  if (int null = open("/dev/null", O_RDWR | O_CLOEXEC); null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
}

}  // namespace virtnat::driver
