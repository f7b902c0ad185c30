#pragma once
// One supervised dnsmasq per network.
//
// Launch: dnsmasq is run as libvirt runs it, daemonizing, and we wait for
// its launching process to exit, which dnsmasq does only after the daemon has
// bound its sockets and written its pid file; startup errors (address in use,
// bad option, bad TFTP root) come back as that process's exit status and
// stderr, so a start fails with dnsmasq's own message. Unlike libvirt we wait
// for the exit, not for EOF on stderr (a `log-facility=-` daemon keeps it
// open forever), and the wait is bounded. A foreground dnsmasq
// (--keep-in-foreground) would stay our child, but it cannot be checked: it
// writes its pid file before its last startup checks and reports their
// failures only to syslog (dnsmasq 2.90 with a bad tftp-root: pid file
// written, then exit 3 with nothing on stderr). So the launch refuses it.
//
// Supervision: the daemon is watched through a pidfd on a GLib main context;
// if it dies it is started again after a backoff (doubling, reset once it has
// run for a while). It runs unprivileged (--user=dnsmasq, or nobody).

#include <glib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/process.h"

namespace virtnat::driver {

struct DnsmasqCommand {
  std::string binary = "/usr/sbin/dnsmasq";
  std::vector<std::string> args;  // after the binary, e.g. "--conf-file=PATH"
  std::vector<std::string> env;   // the complete environment
  // Where the configuration makes dnsmasq write its pid ("pid-file=").
  std::string pid_file;
  std::string user;  // empty: DnsmasqUser()
};

struct DnsmasqTimings {
  std::chrono::milliseconds start_timeout{5000};
  std::chrono::milliseconds stop_timeout{3000};  // SIGTERM, then SIGKILL
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds stable_after{10000};  // runtime that resets the backoff
};

// "dnsmasq" if that user exists, else "nobody".
std::string DnsmasqUser();

// binary, args..., and --user=USER unless the args already name a user.
std::vector<std::string> DnsmasqArgv(const DnsmasqCommand& command);

// Runs dnsmasq once and returns the daemon it left running. Refuses args
// that keep dnsmasq in the foreground (-k, --keep-in-foreground, -d,
// --no-daemon). On failure
// nothing is left running and the error is INTERNAL_ERROR in libvirt's words:
// "Child process (ENV CMD) unexpected exit status 2: \ndnsmasq: ...".
Result<Pidfd> LaunchDnsmasq(const DnsmasqCommand& command, std::chrono::milliseconds timeout);

// The halves of LaunchDnsmasq for callers that wait on their own loop:
// Begin spawns; Finish, once the launcher has exited, reads its status,
// stderr (`err`: what was read before) and the pid file.
Result<SpawnedChild> BeginDnsmasqLaunch(const DnsmasqCommand& command);
Result<Pidfd> FinishDnsmasqLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher,
                                  std::string err);

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
  // it. Stop() is what ends it.
  ~DnsmasqProcess();
  DnsmasqProcess(const DnsmasqProcess&) = delete;
  DnsmasqProcess& operator=(const DnsmasqProcess&) = delete;

  // Launches (blocking up to start_timeout) and starts supervising. Later
  // restarts do not block: they run on the context.
  // REQUIRES: not running.
  Status Start();
  // Supervises a dnsmasq left by an earlier daemon: the pid in the pid file,
  // if it is alive and runs this very command line.
  Status Adopt();
  // SIGHUP: dnsmasq re-reads its hosts files (never its .conf).
  Status Reload();
  // SIGTERM, SIGKILL after stop_timeout; removes the pid file.
  Status Stop();

  void SetListener(Listener listener) { listener_ = std::move(listener); }
  // The running dnsmasq, none while stopped or waiting to restart.
  std::optional<pid_t> pid() const;
  int restarts() const { return restarts_; }

 private:
  struct SourceDeleter {
    void operator()(GSource* source) const noexcept;
  };
  using SourcePtr = std::unique_ptr<GSource, SourceDeleter>;

  static gboolean OnExit(gint fd, GIOCondition condition, gpointer self) noexcept;
  static gboolean OnRestartTimer(gpointer self) noexcept;
  static gboolean OnLauncherExit(gint fd, GIOCondition condition, gpointer self) noexcept;
  static gboolean OnLaunchTimeout(gpointer self) noexcept;
  void Supervise(Pidfd process);
  void HandleExit();
  void TryRestart();
  void ScheduleRestart();
  void FinishRestart(bool timed_out);
  void RestartFailed(const Error& error);
  void AbandonLaunch();
  void Notify(const std::string& line);

  DnsmasqCommand command_;
  GMainContext* context_;
  DnsmasqTimings timings_;
  Listener listener_;
  Pidfd process_;
  std::optional<SpawnedChild> launcher_;  // a restart in progress
  std::chrono::steady_clock::time_point started_at_;
  std::chrono::milliseconds backoff_;
  SourcePtr watch_;         // the daemon's exit
  SourcePtr launch_watch_;  // the launcher's exit, during a restart
  SourcePtr timer_;         // restart backoff, or the bound on a restart's launch
  bool supervising_ = false;
  int restarts_ = 0;
};

}  // namespace virtnat::driver
