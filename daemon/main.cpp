// virtnatd: parses options, builds the driver and the RPC server, listens on
// the read-write and read-only sockets and runs one GLib main loop until
// SIGTERM/SIGINT. Running networks are left running on exit, as libvirt's
// network daemon does; a restarted daemon re-adopts them from their status
// records, or tears down what is left of a broken one.

#include <glib-unix.h>
#include <glib.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "common/glib_handle.h"
#include "daemon/options.h"
#include "daemon/status_command.h"
#include "daemon/switch_command.h"
#include "driver/check/host_probe.h"
#include "driver/drift/drift_watch.h"
#include "driver/hooks/hook_process.h"
#include "driver/host_driver.h"
#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/os/daemonize.h"
#include "driver/os/log_output.h"
#include "driver/os/pid_file.h"
#include "driver/store/definition_store.h"
#include "driver/takeover/switch_commands.h"
#include "rpc/call_log.h"
#include "rpc/listen_sockets.h"
#include "rpc/server.h"

namespace virtnat::daemon {
namespace {

// Root may use the read-write socket, and so may the daemon's own user and
// the configured group; everyone may use the read-only one.
rpc::PeerPolicy MakePolicy(const std::string& group) {
  gid_t gid = static_cast<gid_t>(-1);
  if (!group.empty()) {
    if (struct group* g = getgrnam(group.c_str())) gid = g->gr_gid;
  }
  uid_t self = geteuid();
  return [gid, self](const ucred& peer, bool readonly) {
    return readonly || peer.uid == 0 || peer.uid == self ||
           (gid != static_cast<gid_t>(-1) && peer.gid == gid);
  };
}

// The log level and outputs of `opts` (SIGHUP applies them again). Under
// -d with no outputs configured, the journal, as stderr goes to /dev/null.
Status ApplyLogSettings(driver::LogSink& sink, const Options& opts) {
  ASSIGN_OR_RETURN(std::vector<driver::LogOutput> outputs,
                   driver::ParseLogOutputs(opts.log_outputs));
  if (opts.daemonize && opts.log_outputs.empty())
    outputs.front().kind = driver::LogOutput::Kind::kJournald;
  GLogLevelFlags level = driver::LogLevelNamed(opts.log_level);
  RETURN_IF_ERROR(sink.Reconfigure(level, std::move(outputs)));
  // A line per RPC call at debug level, built only then (rpc/call_log.h).
  rpc::SetCallLogging(level == G_LOG_LEVEL_DEBUG);
  return Status::Ok();
}

// SIGHUP (systemctl reload): reads the config file and the command line
// again, applies what can change while running (the log level and
// outputs) and re-checks every running network's host side. Settings fixed
// at start (sockets, directories) keep their values until a restart.
struct Reload {
  int argc;
  char** argv;
  const Options& running;
  driver::LogSink& log;
  driver::DriftWatch* drift = nullptr;  // set once the networks are loaded

  static gboolean OnSignal(gpointer data) {
    auto* self = static_cast<Reload*>(data);
    sd_notify(0, "RELOADING=1");
    Result<Options> parsed = ParseOptions(self->argc, self->argv);
    if (parsed.ok()) {
      for (const std::string& warning : parsed->warnings) g_warning("%s", warning.c_str());
      Status applied = ApplyLogSettings(self->log, *parsed);
      if (applied.ok()) {
        g_info("reloaded the configuration (log level %s)", parsed->log_level.c_str());
      } else {
        g_warning("reload: %s; keeping the current log settings", applied.message().c_str());
      }
      for (const std::string& key : SettingsNeedingRestart(self->running, *parsed)) {
        g_warning("reload: '%s' changed; it takes effect when virtnatd restarts", key.c_str());
      }
    } else {
      g_warning("reload: %s; keeping the current settings", parsed.error().message.c_str());
    }
    if (self->drift != nullptr) {
      g_info("reload: re-checking the host side of every running network");
      self->drift->CheckSoon();
    }
    sd_notify(0, "READY=1");
    return G_SOURCE_CONTINUE;
  }
};

int Run(int argc, char** argv) {
  if (argc > 1 && driver::IsSwitchCommand(argv[1])) return RunSwitch(argc, argv);
  Result<Options> parsed = ParseOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "virtnatd: %s\nRun 'virtnatd --help' to see the options.\n",
                 parsed.error().message.c_str());
    return 2;
  }
  const Options& opts = *parsed;
  if (opts.help) {
    std::fputs(HelpText().c_str(), stdout);
    return 0;
  }
  if (opts.version) {
    std::puts("virtnatd 0.1 (libvirt remote protocol 9.0)");
    return 0;
  }
  if (opts.status || opts.check) {
    for (const std::string& w : opts.warnings)
      std::fprintf(stderr, "virtnatd: warning: %s\n", w.c_str());
  }
  if (opts.status) return PrintStatus(opts);
  if (opts.check) return driver::RunHostCheck({opts.dnsmasq_binary, opts.config_dir});
  if (!driver::HasNetworkPrivilege()) {
    std::fputs(
        "virtnatd: needs root or CAP_NET_ADMIN to create bridges and firewall rules; "
        "run it as root (the virtnatd.service unit does). `virtnatd --check` checks "
        "the host.\n",
        stderr);
    return 1;
  }
  Result<std::unique_ptr<driver::LogSink>> log =
      driver::LogSink::Open(driver::LogLevelNamed(opts.log_level), {driver::LogOutput{}});
  if (Status st = log.ok() ? ApplyLogSettings(**log, opts) : log.status(); !st.ok()) {
    std::fprintf(stderr, "virtnatd: %s\n", st.message().c_str());
    return 2;
  }
  for (const std::string& warning : opts.warnings) g_warning("%s", warning.c_str());
  // A client that vanishes must not kill the daemon with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  std::optional<driver::BackgroundDaemon> background;
  if (opts.daemonize) {
    Result<driver::BackgroundDaemon> forked = driver::BackgroundDaemon::Fork();
    if (!forked.ok()) {
      g_critical("%s", forked.error().message.c_str());
      return 1;
    }
    background.emplace(std::move(forked).value());
  }
  // Before anything touches the host: a second daemon stops here.
  Result<driver::PidFile> pid_file = driver::PidFile::Acquire(opts.PidFilePath());
  if (!pid_file.ok()) {
    std::fprintf(stderr, "%s\n", pid_file.error().message.c_str());
    return 1;
  }
  // From here on SIGHUP never kills: a reload during start-up is handled
  // once the loop runs.
  Reload reload{argc, argv, opts, **log};
  GSourceId hup(g_unix_signal_add(SIGHUP, &Reload::OnSignal, &reload));
  // SIGTERM and SIGINT, too, end the loop from the first iteration on: a
  // stop during start-up or autostart finds pending starts and rolls them back.
  // The flag keeps a stop that a nested iteration of start-up dispatched.
  struct Stop {
    GMainLoopPtr loop{g_main_loop_new(nullptr, FALSE)};
    bool requested = false;
  } stop;
  auto quit = [](gpointer data) -> gboolean {
    auto* stop = static_cast<Stop*>(data);
    stop->requested = true;
    g_main_loop_quit(stop->loop.get());
    return G_SOURCE_CONTINUE;
  };
  GSourceId term(g_unix_signal_add(SIGTERM, quit, &stop));
  GSourceId intr(g_unix_signal_add(SIGINT, quit, &stop));

  Result<std::unique_ptr<driver::HostDriverParts>> host =
      driver::HostDriverParts::Open(driver::HostDirs{opts.config_dir, opts.state_dir, opts.run_dir,
                                                     driver::FindDnsmasq(opts.dnsmasq_binary),
                                                     opts.start_timeout, opts.lease_status_dir});
  if (!host.ok()) {
    g_critical("%s", host.error().message.c_str());
    return 1;
  }
  driver::XmlCodec codec;
  driver::NetworkObjects driver(codec, (*host)->realizer(), (*host)->store());
  driver::ScriptHookRunner hooks(
      driver::HookRunnerOptions{opts.hooks_dir, std::chrono::seconds(opts.hook_timeout)}, nullptr);
  driver.SetHookRunner(hooks);
  driver::HostDriverParts& parts = **host;
  driver::NetworkStateRecorder recorder(
      driver, parts.status(), [&parts](const std::string& name) { return parts.FactsOf(name); },
      [](const std::string& problem) { g_warning("%s", problem.c_str()); });
  driver.SetLiveChangeHook([&recorder](const driver::NetworkRef& net) { recorder.Rewrite(net); });
  Result<std::vector<std::string>> loaded = driver.Load();
  for (const std::string& problem : (*host)->store().LoadProblems()) {
    g_warning("skipped a stored definition: %s", problem.c_str());
  }
  if (!loaded.ok()) g_warning("%s", loaded.status().message().c_str());
  for (const std::string& problem : loaded.ok() ? *loaded : std::vector<std::string>{}) {
    g_warning("%s", problem.c_str());
  }
  // Networks an earlier daemon left running, found by their status records:
  // each is checked against the host and re-adopted as it runs, repaired
  // where something is missing, or torn down (network_state_adopt.h).
  parts.AdoptOrCleanUp(codec, driver, recorder);
  // Drift repair (firewall rules others removed) and dnsmasq restarts.
  driver::DriftWatch drift(parts.drift_host(), parts.firewall_portid(), driver, opts.run_dir);
  reload.drift = &drift;
  // firewalld reloaded or started: zones set again, own rules re-checked.
  parts.WatchFirewalld([&drift] { drift.CheckSoon(); });
  parts.SetDnsmasqRestarted([&driver, &recorder](const std::string& name) {
    Result<driver::NetworkRef> net = driver.LookupByName(name);
    if (net.ok() && driver.IsActive(*net).ok() && *driver.IsActive(*net)) recorder.Rewrite(*net);
  });
  // Only begun here: each network's dnsmasq launch completes on the loop,
  // which serves clients meanwhile.
  driver.StartAutostartNetworks(
      [](const std::string& failure) { g_warning("%s", failure.c_str()); },
      [](const std::string& line) { g_info("%s", line.c_str()); });

  rpc::ServerLimits limits;
  limits.max_clients = opts.max_clients;
  limits.keepalive_interval_s = opts.keepalive_interval;
  limits.keepalive_count = opts.keepalive_count;
  rpc::Server server(driver, nullptr, limits, MakePolicy(opts.socket_group));

  Result<rpc::ListenSockets> sockets = rpc::TakeActivatedSockets(opts.socket, opts.socket_ro);
  if (!sockets.ok()) {
    g_critical("%s", sockets.error().message.c_str());
    return 1;
  }
  if (!sockets->rw.valid()) {
    auto fd = rpc::CreateListenSocket(opts.socket, opts.socket_mode, opts.socket_group);
    if (!fd.ok()) {
      g_critical("%s", fd.error().message.c_str());
      return 1;
    }
    sockets->rw = std::move(fd).value();
  }
  if (!sockets->ro.valid() && !opts.socket_ro.empty()) {
    auto fd = rpc::CreateListenSocket(opts.socket_ro, opts.socket_ro_mode, "");
    if (!fd.ok()) {
      g_critical("%s", fd.error().message.c_str());
      return 1;
    }
    sockets->ro = std::move(fd).value();
  }
  for (auto [fd, readonly] : {std::pair{&sockets->rw, false}, std::pair{&sockets->ro, true}}) {
    if (!fd->valid()) continue;
    if (Status st = server.AddListener(std::move(*fd), readonly); !st.ok()) {
      g_critical("%s", st.message().c_str());
      return 1;
    }
  }

  g_info("listening on '%s' and '%s'", opts.socket.c_str(), opts.socket_ro.c_str());
  if (opts.timeout > 0)
    server.SetIdleExit(opts.timeout, [&stop] { g_main_loop_quit(stop.loop.get()); });
  sd_notify(0, "READY=1");
  if (background) background->Ready();
  if (!stop.requested) g_main_loop_run(stop.loop.get());
  sd_notify(0, "STOPPING=1");
  g_info("exiting; running networks are left running");
  return 0;
}

}  // namespace
}  // namespace virtnat::daemon

int main(int argc, char** argv) { return virtnat::daemon::Run(argc, argv); }
