#pragma once
// One supervised dnsmasq per network.
//
// Launch: see dnsmasq_launch.h. The first start either blocks (Start, up to
// start_timeout) or runs beside the loop (BeginStart: the launcher's exit,
// its stderr and the timeout are sources on the context).
//
// Supervision: the daemon is watched through a pidfd on a GLib main context;
// if it dies it is started again after a backoff (doubling, reset once it has
// run for a while), launched the same way as BeginStart. It runs
// unprivileged (--user=dnsmasq, or nobody).

#include <glib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/glib_handle.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "driver/dnsmasq/dnsmasq_launch.h"
#include "driver/os/process.h"

namespace virtnat::driver {

struct DnsmasqTimings {
  std::chrono::milliseconds start_timeout{5000};
  std::chrono::milliseconds stop_timeout{3000};  // SIGTERM, then SIGKILL
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds stable_after{10000};  // runtime that resets the backoff
};

class DnsmasqProcess {
 public:
  // Receives one line per supervision event (exit, restart, failed restart).
  using Listener = std::function<void(const std::string&)>;

  // `context`: where the pidfd watch and restart timers run; nullptr is the
  // global default context. REQUIRES: every call is made on the thread that
  // iterates `context`.
  explicit DnsmasqProcess(DnsmasqCommand command, GMainContext* context = nullptr,
                          DnsmasqTimings timings = {});
  // Stops supervising but leaves dnsmasq running: a daemon restart re-adopts
  // it. Stop() is what ends it. A launch in progress (BeginStart, or a
  // restart) is cancelled: nothing of it is left.
  ~DnsmasqProcess();
  DnsmasqProcess(const DnsmasqProcess&) = delete;
  DnsmasqProcess& operator=(const DnsmasqProcess&) = delete;

  // Launches (blocking up to start_timeout) and starts supervising. Later
  // restarts do not block: they run on the context.
  // REQUIRES: not running, no start in progress.
  Status Start();
  // Called once with the outcome of BeginStart.
  using StartDone = std::function<void(Status)>;
  // Begins the launch without blocking. `done` runs later on the context:
  // OK once the daemon is supervised, or the error (dnsmasq's own message, or
  // the start timeout) with nothing of the attempt left. It is the last thing
  // this object does in that callback, so `done` may destroy it. Stop() or
  // destruction first cancels the launch (nothing is left) and `done` is
  // never called. An error returned here means the launch did not begin and
  // `done` will not be called either.
  // REQUIRES: not running, no start in progress.
  Status BeginStart(StartDone done);
  // Supervises a dnsmasq left by an earlier daemon: the pid in the pid file,
  // if it is alive and runs this very command line.
  Status Adopt();
  // SIGHUP: dnsmasq re-reads its hosts files (never its .conf).
  Status Reload();
  // SIGTERM now, without waiting, and no more supervision (restarts, a
  // launch in progress is cancelled); Stop() waits for the exit.
  void BeginStop();
  // SIGTERM (unless BeginStop sent it), SIGKILL after stop_timeout; removes
  // the pid file.
  Status Stop();

  void SetListener(Listener listener) { listener_ = std::move(listener); }
  const DnsmasqCommand& command() const { return command_; }
  // The running dnsmasq, none while stopped or waiting to restart.
  std::optional<pid_t> pid() const;
  int restarts() const { return restarts_; }

 private:
  static gboolean OnExit(gint fd, GIOCondition condition, gpointer self) noexcept;
  static gboolean OnRestartTimer(gpointer self) noexcept;
  static gboolean OnLauncherExit(gint fd, GIOCondition condition, gpointer self) noexcept;
  static gboolean OnLaunchTimeout(gpointer self) noexcept;
  static gboolean OnLaunchOutput(gint fd, GIOCondition condition, gpointer self) noexcept;
  Status BeginLaunch();
  void FinishLaunchAttempt(bool timed_out);
  void Supervise(Pidfd process);
  void HandleExit();
  void TryRestart();
  void ScheduleRestart();
  void RestartFailed(const Error& error);
  void AbandonLaunch();
  void TerminateDaemon();
  void CloseInotifyCopies();
  void Notify(const std::string& line);

  DnsmasqCommand command_;
  GMainContext* context_;
  DnsmasqTimings timings_;
  Listener listener_;
  Pidfd process_;
  std::optional<SpawnedChild> launcher_;  // a launch in progress (first start or restart)
  std::string launch_err_;                // its stderr so far
  StartDone start_done_;                  // set while the first start is in progress
  std::chrono::steady_clock::time_point started_at_;
  std::chrono::milliseconds backoff_;
  GSourcePtr watch_;         // the daemon's exit
  GSourcePtr launch_watch_;  // the launcher's exit, during a launch
  GSourcePtr output_watch_;  // the launcher's stderr, during a launch
  GSourcePtr timer_;         // restart backoff, or the bound on a restart's launch
  // Copies of the daemon's inotify instances (it watches its resolv file),
  // taken before SIGTERM and closed on the background closer once it has
  // exited. Its own last close of them would hold its exit, and so a
  // destroy, for an SRCU grace period (driver/os/deferred_close.h).
  std::vector<UniqueFd> inotify_copies_;
  bool supervising_ = false;
  bool terminated_ = false;  // BeginStop sent SIGTERM to process_
  int restarts_ = 0;
};

}  // namespace virtnat::driver
