#include "driver/dnsmasq/dnsmasq_launch.h"

#include <glib.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

#include "driver/os/process_identity.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Rounds of the /proc scan after a cancelled launch: each round kills what
// it finds, so a process forked while a round ran is found by the next.
constexpr int kLeftoverRounds = 5;

// libvirt's rendering of a command in its "Child process (...)" errors.
std::string CommandText(const DnsmasqCommand& command) {
  std::string text;
  for (const std::string& e : command.env) text += e + " ";
  std::vector<std::string> argv = DnsmasqArgv(command);
  for (size_t i = 0; i < argv.size(); ++i) text += (i ? " " : "") + argv[i];
  return text;
}

std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Waits for the launching process to exit, collecting its stderr meanwhile
// so that a talkative failure cannot fill the pipe and stall.
bool WaitCollecting(const SpawnedChild& child, milliseconds timeout, std::string* err) {
  auto deadline = steady_clock::now() + timeout;
  for (;;) {
    pollfd fds[2] = {{child.process.fd(), POLLIN, 0}, {child.stderr_read.get(), POLLIN, 0}};
    auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() < 0) return false;
    int rc = poll(fds, 2, static_cast<int>(left.count()));
    if (rc < 0 && errno != EINTR) return false;
    if (rc <= 0) continue;
    if (fds[1].revents) DrainAvailable(child.stderr_read.get(), err);
    if (fds[0].revents) return true;
    if (fds[1].revents & POLLHUP) {
      // Every writer closed stderr: only the exit is left to wait for.
      return child.process.WaitForExit(
          std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()));
    }
  }
}

// Kills `pid` if it runs `argv` (checked after the pidfd pins the pid).
bool KillIfRunning(pid_t pid, const std::vector<std::string>& argv) {
  Result<Pidfd> process = Pidfd::Open(pid);
  if (!process.ok() || !ProcessRuns(pid, argv)) return false;
  (void)process->Signal(SIGKILL);
  (void)process->WaitForExit(milliseconds(1000));
  return true;
}

// Kills every process running exactly `argv`. A launch cut short may have
// left dnsmasq between its forks, before the daemon wrote its pid file; the
// command line names the network's own conf file, so nothing else matches.
void KillByCommandLine(const std::vector<std::string>& argv) {
  for (int round = 0; round < kLeftoverRounds; ++round) {
    std::vector<pid_t> pids = ListProcesses();
    if (pids.empty()) return;
    bool found = false;
    for (pid_t pid : pids) {
      if (pid <= 1 || pid == getpid()) continue;
      if (!ProcessRuns(pid, argv)) continue;
      found = KillIfRunning(pid, argv) || found;
    }
    if (!found) return;
  }
}

// After a failed launch: dnsmasq may have written its pid file before a
// late check failed (a bad tftp-root), and after a timeout or a cancel its
// daemon may even be running. Nothing of the attempt stays.
void CleanUpFailedLaunch(const DnsmasqCommand& command) {
  const std::vector<std::string> argv = DnsmasqArgv(command);
  if (Result<pid_t> pid = ReadDnsmasqPid(command.pid_file); pid.ok()) KillIfRunning(*pid, argv);
  unlink(command.pid_file.c_str());
}

Result<Pidfd> FinishLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher,
                           std::string err) {
  std::optional<ExitStatus> status = launcher.process.Reap(true);
  DrainAvailable(launcher.stderr_read.get(), &err);
  if (!status) return InternalError("cannot get the exit status of dnsmasq");
  if (!status->exited) {
    return InternalError("Child process (" + CommandText(command) + ") unexpected fatal signal " +
                         std::to_string(status->signal) + (err.empty() ? "" : ": " + TrimEnd(err)));
  }
  if (status->code != 0) {
    return InternalError("Child process (" + CommandText(command) + ") unexpected exit status " +
                         std::to_string(status->code) + ": " + TrimEnd(err));
  }
  ASSIGN_OR_RETURN(pid_t pid, ReadDnsmasqPid(command.pid_file));
  Result<Pidfd> daemon = Pidfd::Open(pid);
  if (!daemon.ok()) return InternalError("dnsmasq exited right after starting");
  return daemon;
}

}  // namespace

Result<pid_t> ReadDnsmasqPid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) {
    return InternalError("dnsmasq did not write its pid file '" + path + "'");
  }
  return static_cast<pid_t>(pid);
}

std::string DnsmasqUser() { return getpwnam("dnsmasq") ? "dnsmasq" : "nobody"; }

std::vector<std::string> DnsmasqArgv(const DnsmasqCommand& command) {
  std::vector<std::string> argv{command.binary};
  argv.insert(argv.end(), command.args.begin(), command.args.end());
  bool has_user = std::any_of(command.args.begin(), command.args.end(), [](const std::string& a) {
    return a.rfind("--user=", 0) == 0 || a.rfind("-u", 0) == 0;
  });
  if (!has_user) {
    argv.push_back("--user=" + (command.user.empty() ? DnsmasqUser() : command.user));
  }
  return argv;
}

Result<SpawnedChild> BeginDnsmasqLaunch(const DnsmasqCommand& command) {
  for (const std::string& arg : command.args) {
    if (arg == "-k" || arg == "--keep-in-foreground" || arg == "-d" || arg == "--no-daemon") {
      return InternalError("dnsmasq must daemonize for its start to be checked; remove '" + arg +
                           "' from its command line");
    }
  }
  // A stale pid file would name a process that is not ours.
  if (unlink(command.pid_file.c_str()) != 0 && errno != ENOENT) {
    return SystemErrorFromErrno(errno, "cannot remove '" + command.pid_file + "'");
  }
  std::vector<std::string> argv = DnsmasqArgv(command);
  std::string line;
  for (const std::string& arg : argv) line += (line.empty() ? "" : " ") + arg;
  g_debug("dnsmasq: %s", line.c_str());
  return Spawn(SpawnRequest{command.binary, std::move(argv), command.env});
}

Result<Pidfd> FinishDnsmasqLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher,
                                  std::string err) {
  Result<Pidfd> daemon = FinishLaunch(command, launcher, std::move(err));
  if (!daemon.ok()) CleanUpFailedLaunch(command);
  return daemon;
}

void CancelDnsmasqLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher) {
  (void)launcher.process.Signal(SIGKILL);
  (void)launcher.process.Reap(true);
  KillByCommandLine(DnsmasqArgv(command));
  CleanUpFailedLaunch(command);
}

Error DnsmasqLaunchTimeout(const DnsmasqCommand& command, milliseconds timeout) {
  // libvirt's words first; then which phase of the start took long and the
  // setting that bounds it, since a slow host is the usual cause.
  return InternalError("Child process (" + CommandText(command) + ") did not finish within " +
                       std::to_string(timeout.count()) +
                       " ms: dnsmasq timed out before binding its sockets and writing its pid "
                       "file (start phase 'dnsmasq'; start_timeout in virtnatd.conf sets the "
                       "limit)");
}

Result<Pidfd> LaunchDnsmasq(const DnsmasqCommand& command, milliseconds timeout) {
  ASSIGN_OR_RETURN(SpawnedChild launcher, BeginDnsmasqLaunch(command));
  std::string err;
  if (!WaitCollecting(launcher, timeout, &err)) {
    CancelDnsmasqLaunch(command, launcher);
    return DnsmasqLaunchTimeout(command, timeout);
  }
  return FinishDnsmasqLaunch(command, launcher, std::move(err));
}

}  // namespace virtnat::driver
