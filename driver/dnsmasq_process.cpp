#include "driver/dnsmasq_process.h"

#include <glib-unix.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

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

Result<pid_t> ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) {
    return InternalError("dnsmasq did not write its pid file '" + path + "'");
  }
  return static_cast<pid_t>(pid);
}

std::vector<std::string> Cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> out;
  for (std::string arg; std::getline(in, arg, '\0');) out.push_back(arg);
  return out;
}

}  // namespace

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
  return Spawn(SpawnRequest{command.binary, DnsmasqArgv(command), command.env});
}

Result<Pidfd> FinishDnsmasqLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher,
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
  ASSIGN_OR_RETURN(pid_t pid, ReadPidFile(command.pid_file));
  Result<Pidfd> daemon = Pidfd::Open(pid);
  if (!daemon.ok()) return InternalError("dnsmasq exited right after starting");
  return daemon;
}

Error LaunchTimeout(const DnsmasqCommand& command, const SpawnedChild& launcher,
                    milliseconds timeout) {
  (void)launcher.process.Signal(SIGKILL);
  (void)launcher.process.Reap(true);
  return InternalError("Child process (" + CommandText(command) + ") did not finish within " +
                       std::to_string(timeout.count()) + " ms");
}

Result<Pidfd> LaunchDnsmasq(const DnsmasqCommand& command, milliseconds timeout) {
  ASSIGN_OR_RETURN(SpawnedChild launcher, BeginDnsmasqLaunch(command));
  std::string err;
  if (!WaitCollecting(launcher, timeout, &err)) return LaunchTimeout(command, launcher, timeout);
  return FinishDnsmasqLaunch(command, launcher, std::move(err));
}

void DnsmasqProcess::SourceDeleter::operator()(GSource* source) const noexcept {
  g_source_destroy(source);
  g_source_unref(source);
}

DnsmasqProcess::DnsmasqProcess(DnsmasqCommand command, GMainContext* context,
                               DnsmasqTimings timings)
    : command_(std::move(command)),
      context_(context),
      timings_(timings),
      backoff_(timings.first_backoff) {}

// The sources go before the rest (declared last): they hold `this`.
DnsmasqProcess::~DnsmasqProcess() { AbandonLaunch(); }

std::optional<pid_t> DnsmasqProcess::pid() const {
  if (!process_ || process_.HasExited()) return std::nullopt;
  return process_.pid();
}

Status DnsmasqProcess::Start() {
  ASSIGN_OR_RETURN(Pidfd daemon, LaunchDnsmasq(command_, timings_.start_timeout));
  backoff_ = timings_.first_backoff;
  Supervise(std::move(daemon));
  return Status::Ok();
}

Status DnsmasqProcess::Adopt() {
  ASSIGN_OR_RETURN(pid_t pid, ReadPidFile(command_.pid_file));
  ASSIGN_OR_RETURN(Pidfd daemon, Pidfd::Open(pid));
  // After the pidfd is open the pid cannot be recycled under us; now check
  // that it is our dnsmasq and not a stranger that inherited the number.
  if (Cmdline(pid) != DnsmasqArgv(command_)) {
    return InternalError("process " + std::to_string(pid) + " from '" + command_.pid_file +
                         "' is not this network's dnsmasq");
  }
  Supervise(std::move(daemon));
  return Status::Ok();
}

void DnsmasqProcess::Supervise(Pidfd process) {
  process_ = std::move(process);
  started_at_ = steady_clock::now();
  supervising_ = true;
  timer_.reset();
  watch_.reset(g_unix_fd_source_new(process_.fd(), G_IO_IN));
  g_source_set_callback(watch_.get(), G_SOURCE_FUNC(&DnsmasqProcess::OnExit), this, nullptr);
  g_source_attach(watch_.get(), context_);
}

gboolean DnsmasqProcess::OnExit(gint, GIOCondition, gpointer self) noexcept {
  try {
    static_cast<DnsmasqProcess*>(self)->HandleExit();
  } catch (...) {
    // Nothing may unwind into GLib; a failed listener loses only a log line.
  }
  return G_SOURCE_REMOVE;
}

gboolean DnsmasqProcess::OnRestartTimer(gpointer self) noexcept {
  try {
    static_cast<DnsmasqProcess*>(self)->TryRestart();
  } catch (...) {
  }
  return G_SOURCE_REMOVE;
}

void DnsmasqProcess::HandleExit() {
  watch_.reset();
  std::optional<ExitStatus> status = process_.Reap(false);  // only if we are its reaper
  pid_t pid = process_.pid();
  process_ = Pidfd();
  if (!supervising_) return;
  if (steady_clock::now() - started_at_ >= timings_.stable_after) {
    backoff_ = timings_.first_backoff;
  }
  std::string how = !status          ? "exited"
                    : status->exited ? "exited with status " + std::to_string(status->code)
                                     : "was killed by signal " + std::to_string(status->signal);
  Notify("dnsmasq (pid " + std::to_string(pid) + ") " + how + "; restarting in " +
         std::to_string(backoff_.count()) + " ms");
  ScheduleRestart();
}

void DnsmasqProcess::ScheduleRestart() {
  timer_.reset(g_timeout_source_new(static_cast<guint>(backoff_.count())));
  g_source_set_callback(timer_.get(), &DnsmasqProcess::OnRestartTimer, this, nullptr);
  g_source_attach(timer_.get(), context_);
  backoff_ = std::min(backoff_ * 2, timings_.max_backoff);
}

// Restarts never block the loop: the launcher is watched like the daemon,
// with a timer bounding it.
void DnsmasqProcess::TryRestart() {
  timer_.reset();
  Result<SpawnedChild> launcher = BeginDnsmasqLaunch(command_);
  if (!launcher.ok()) {
    RestartFailed(launcher.error());
    return;
  }
  launcher_ = std::move(launcher).value();
  launch_watch_.reset(g_unix_fd_source_new(launcher_->process.fd(), G_IO_IN));
  g_source_set_callback(launch_watch_.get(), G_SOURCE_FUNC(&DnsmasqProcess::OnLauncherExit), this,
                        nullptr);
  g_source_attach(launch_watch_.get(), context_);
  timer_.reset(g_timeout_source_new(static_cast<guint>(timings_.start_timeout.count())));
  g_source_set_callback(timer_.get(), &DnsmasqProcess::OnLaunchTimeout, this, nullptr);
  g_source_attach(timer_.get(), context_);
}

gboolean DnsmasqProcess::OnLauncherExit(gint, GIOCondition, gpointer self) noexcept {
  try {
    static_cast<DnsmasqProcess*>(self)->FinishRestart(false);
  } catch (...) {
  }
  return G_SOURCE_REMOVE;
}

gboolean DnsmasqProcess::OnLaunchTimeout(gpointer self) noexcept {
  try {
    static_cast<DnsmasqProcess*>(self)->FinishRestart(true);
  } catch (...) {
  }
  return G_SOURCE_REMOVE;
}

void DnsmasqProcess::FinishRestart(bool timed_out) {
  launch_watch_.reset();
  timer_.reset();
  SpawnedChild launcher = std::move(*launcher_);
  launcher_.reset();
  Result<Pidfd> daemon =
      timed_out ? Result<Pidfd>(LaunchTimeout(command_, launcher, timings_.start_timeout))
                : FinishDnsmasqLaunch(command_, launcher, "");
  if (!daemon.ok()) {
    RestartFailed(daemon.error());
    return;
  }
  ++restarts_;
  Notify("dnsmasq restarted (pid " + std::to_string(daemon->pid()) + ")");
  Supervise(std::move(daemon).value());
}

void DnsmasqProcess::RestartFailed(const Error& error) {
  Notify("cannot restart dnsmasq: " + error.message + "; next attempt in " +
         std::to_string(backoff_.count()) + " ms");
  ScheduleRestart();
}

void DnsmasqProcess::AbandonLaunch() {
  launch_watch_.reset();
  if (!launcher_) return;
  (void)launcher_->process.Signal(SIGKILL);
  (void)launcher_->process.Reap(true);
  launcher_.reset();
}

void DnsmasqProcess::Notify(const std::string& line) {
  if (listener_) listener_(line);
}

Status DnsmasqProcess::Reload() {
  if (!supervising_) return OperationInvalid("dnsmasq is not running");
  if (!process_) return Status::Ok();  // restarting: the new one reads the files anyway
  return process_.Signal(SIGHUP);
}

Status DnsmasqProcess::Stop() {
  supervising_ = false;
  watch_.reset();
  timer_.reset();
  AbandonLaunch();
  Pidfd process = std::exchange(process_, Pidfd());
  Status result;
  if (process) {
    (void)process.Signal(SIGTERM);  // ESRCH if it just died: fine
    if (!process.WaitForExit(timings_.stop_timeout)) {
      (void)process.Signal(SIGKILL);
      if (!process.WaitForExit(milliseconds(2000))) {
        result = InternalError("dnsmasq (pid " + std::to_string(process.pid()) +
                               ") does not exit even after SIGKILL");
      }
    }
    (void)process.Reap(false);
  }
  if (unlink(command_.pid_file.c_str()) != 0 && errno != ENOENT && result.ok()) {
    result = SystemErrorFromErrno(errno, "cannot remove '" + command_.pid_file + "'");
  }
  return result;
}

}  // namespace virtnat::driver
