#include "driver/dnsmasq/dnsmasq_process.h"

#include <glib-unix.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "driver/dnsmasq/dnsmasq_event_filter_attach.h"
#include "driver/os/deferred_close.h"
#include "driver/os/process_descriptors.h"
#include "driver/os/process_identity.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// dnsmasq's startup errors are a line or two; a `log-facility=-` daemon
// may write more before its launcher exits, which is not worth keeping.
constexpr size_t kMaxLaunchOutput = 64 * 1024;

}  // namespace

DnsmasqProcess::DnsmasqProcess(DnsmasqCommand command, GMainContext* context,
                               DnsmasqTimings timings)
    : command_(std::move(command)),
      context_(context),
      timings_(timings),
      backoff_(timings.first_backoff) {}

// The sources go before the rest (declared last): they hold `this`.
DnsmasqProcess::~DnsmasqProcess() {
  AbandonLaunch();
  CloseInotifyCopies();
}

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

Status DnsmasqProcess::BeginStart(StartDone done) {
  if (supervising_ || launcher_) return OperationInvalid("dnsmasq is already started");
  RETURN_IF_ERROR(BeginLaunch());
  backoff_ = timings_.first_backoff;
  start_done_ = std::move(done);
  return Status::Ok();
}

Status DnsmasqProcess::Adopt() {
  ASSIGN_OR_RETURN(pid_t pid, ReadDnsmasqPid(command_.pid_file));
  ASSIGN_OR_RETURN(Pidfd daemon, Pidfd::Open(pid));
  // After the pidfd is open the pid cannot be recycled under us; now check
  // that it is our dnsmasq and not a stranger that inherited the number.
  if (!ProcessRuns(pid, DnsmasqArgv(command_))) {
    return InternalError("process " + std::to_string(pid) + " from '" + command_.pid_file +
                         "' is not this network's dnsmasq");
  }
  Supervise(std::move(daemon));
  return Status::Ok();
}

void DnsmasqProcess::Supervise(Pidfd process) {
  if (!command_.bridge.empty()) {
    // Every launch and adoption: a restarted dnsmasq has a new socket.
    if (Status filtered = FilterDnsmasqEvents(process, command_.bridge); !filtered.ok()) {
      g_warning("network '%s': its dnsmasq will wake on every network's address changes: %s",
                command_.network.c_str(), filtered.error().message.c_str());
    }
  }
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

void DnsmasqProcess::TryRestart() {
  timer_.reset();
  if (Status begun = BeginLaunch(); !begun.ok()) RestartFailed(begun.error());
}

// Launches never block the loop: the launcher is watched like the daemon
// (its exit and its stderr), with a timer bounding it.
Status DnsmasqProcess::BeginLaunch() {
  ASSIGN_OR_RETURN(SpawnedChild launcher, BeginDnsmasqLaunch(command_));
  launcher_ = std::move(launcher);
  launch_err_.clear();
  launch_watch_.reset(g_unix_fd_source_new(launcher_->process.fd(), G_IO_IN));
  g_source_set_callback(launch_watch_.get(), G_SOURCE_FUNC(&DnsmasqProcess::OnLauncherExit), this,
                        nullptr);
  g_source_attach(launch_watch_.get(), context_);
  output_watch_.reset(g_unix_fd_source_new(launcher_->stderr_read.get(), G_IO_IN));
  g_source_set_callback(output_watch_.get(), G_SOURCE_FUNC(&DnsmasqProcess::OnLaunchOutput), this,
                        nullptr);
  g_source_attach(output_watch_.get(), context_);
  timer_.reset(g_timeout_source_new(static_cast<guint>(timings_.start_timeout.count())));
  g_source_set_callback(timer_.get(), &DnsmasqProcess::OnLaunchTimeout, this, nullptr);
  g_source_attach(timer_.get(), context_);
  return Status::Ok();
}

gboolean DnsmasqProcess::OnLaunchOutput(gint fd, GIOCondition condition, gpointer data) noexcept {
  auto* self = static_cast<DnsmasqProcess*>(data);
  try {
    DrainAvailable(fd, &self->launch_err_);
    if (self->launch_err_.size() > kMaxLaunchOutput) self->launch_err_.resize(kMaxLaunchOutput);
  } catch (...) {
  }
  // Every writer closed the pipe: nothing more will come (and a hung-up
  // fd would wake the loop forever).
  if ((condition & (G_IO_HUP | G_IO_ERR)) && !(condition & G_IO_IN)) {
    self->output_watch_.reset();
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

gboolean DnsmasqProcess::OnLauncherExit(gint, GIOCondition, gpointer self) noexcept {
  try {
    static_cast<DnsmasqProcess*>(self)->FinishLaunchAttempt(false);
  } catch (...) {
  }
  return G_SOURCE_REMOVE;
}

gboolean DnsmasqProcess::OnLaunchTimeout(gpointer self) noexcept {
  try {
    static_cast<DnsmasqProcess*>(self)->FinishLaunchAttempt(true);
  } catch (...) {
  }
  return G_SOURCE_REMOVE;
}

void DnsmasqProcess::FinishLaunchAttempt(bool timed_out) {
  launch_watch_.reset();
  output_watch_.reset();
  timer_.reset();
  Result<Pidfd> daemon = [&]() -> Result<Pidfd> {
    SpawnedChild launcher = std::move(*launcher_);
    launcher_.reset();
    if (!timed_out) return FinishDnsmasqLaunch(command_, launcher, std::move(launch_err_));
    CancelDnsmasqLaunch(command_, launcher);
    return DnsmasqLaunchTimeout(command_, timings_.start_timeout);
  }();
  if (start_done_) {
    StartDone done = std::exchange(start_done_, nullptr);
    if (daemon.ok()) Supervise(std::move(daemon).value());
    // Last: `done` may destroy this object.
    done(daemon.status());
    return;
  }
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
  output_watch_.reset();
  start_done_ = nullptr;
  if (!launcher_) return;
  timer_.reset();  // the bound on this launch
  SpawnedChild launcher = std::move(*launcher_);
  launcher_.reset();
  CancelDnsmasqLaunch(command_, launcher);
}

void DnsmasqProcess::Notify(const std::string& line) {
  if (listener_) listener_(line);
}

Status DnsmasqProcess::Reload() {
  if (!supervising_) return OperationInvalid("dnsmasq is not running");
  if (!process_) return Status::Ok();  // restarting: the new one reads the files anyway
  return process_.Signal(SIGHUP);
}

void DnsmasqProcess::BeginStop() {
  supervising_ = false;
  watch_.reset();
  timer_.reset();
  AbandonLaunch();
  if (process_ && !terminated_) TerminateDaemon();
  terminated_ = true;
}

void DnsmasqProcess::TerminateDaemon() {
  // Without copies the exit is only slower: nothing to report.
  for (UniqueFd& copy : CopyDescriptorsOf(process_, "anon_inode:inotify")) {
    inotify_copies_.push_back(std::move(copy));
  }
  (void)process_.Signal(SIGTERM);  // ESRCH if it just died: fine
}

void DnsmasqProcess::CloseInotifyCopies() {
  for (UniqueFd& copy : inotify_copies_) CloseInBackground(std::move(copy));
  inotify_copies_.clear();
}

Status DnsmasqProcess::Stop() {
  const bool terminated = std::exchange(terminated_, false);
  supervising_ = false;
  watch_.reset();
  timer_.reset();
  AbandonLaunch();
  if (process_ && !terminated) TerminateDaemon();
  Pidfd process = std::exchange(process_, Pidfd());
  Status result;
  if (process) {
    if (!process.WaitForExit(timings_.stop_timeout)) {
      (void)process.Signal(SIGKILL);
      if (!process.WaitForExit(milliseconds(2000))) {
        result = InternalError("dnsmasq (pid " + std::to_string(process.pid()) +
                               ") does not exit even after SIGKILL");
      }
    }
    (void)process.Reap(false);
  }
  CloseInotifyCopies();
  if (unlink(command_.pid_file.c_str()) != 0 && errno != ENOENT && result.ok()) {
    result = SystemErrorFromErrno(errno, "cannot remove '" + command_.pid_file + "'");
  }
  return result;
}

}  // namespace virtnat::driver
