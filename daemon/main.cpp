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

#include "common/glib_handle.h"
#include "daemon/options.h"
#include "daemon/sockets.h"
#include "daemon/status_command.h"
#include "daemon/switch_command.h"
#include "driver/drift/drift_watch.h"
#include "driver/hooks/hook_process.h"
#include "driver/host_driver.h"
#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/os/pid_file.h"
#include "driver/store/definition_store.h"
#include "driver/takeover/switch_commands.h"
#include "rpc/server.h"

namespace virtnat::daemon {
namespace {

GLogLevelFlags g_max_level = G_LOG_LEVEL_INFO;

GLogLevelFlags LevelOf(const std::string& name) {
  if (name == "error") return G_LOG_LEVEL_CRITICAL;
  if (name == "warning") return G_LOG_LEVEL_WARNING;
  if (name == "debug") return G_LOG_LEVEL_DEBUG;
  return G_LOG_LEVEL_INFO;
}

const char* LevelName(GLogLevelFlags level) {
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) return "error";
  if (level & G_LOG_LEVEL_WARNING) return "warning";
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) return "info";
  return "debug";
}

// syslog's priority of a level, for the journal.
int PriorityOf(GLogLevelFlags level) {
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) return 3;  // LOG_ERR
  if (level & G_LOG_LEVEL_WARNING) return 4;                         // LOG_WARNING
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) return 6;    // LOG_INFO
  return 7;                                                          // LOG_DEBUG
}

// stderr is the journal when systemd runs the daemon: one line per message
// with its priority as a "<N>" prefix, which the journal files and strips,
// and no timestamp (the journal has its own). Elsewhere: a UTC timestamp in
// front, as libvirt's daemons log.
bool g_to_journal = false;

// systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream it
// connected stdout/stderr to; stderr is the journal when they match (a
// redirected stderr, e.g. `virtnatd 2>file` under systemd, does not).
bool StderrIsJournal() {
  const char* stream = getenv("JOURNAL_STREAM");
  struct stat st;
  if (stream == nullptr || fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

// One line per message on stderr.
void LogHandler(const gchar*, GLogLevelFlags level, const gchar* message, gpointer) {
  GLogLevelFlags severity = GLogLevelFlags(level & G_LOG_LEVEL_MASK);
  // GLib's levels grow as severity falls: a higher bit is less severe.
  if (severity > g_max_level) return;
  if (g_to_journal) {
    std::fprintf(stderr, "<%d>%s: %s\n", PriorityOf(severity), LevelName(severity), message);
    return;
  }
  GDateTime* now = g_date_time_new_now_utc();
  gchar* stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
  // %f is microseconds; milliseconds are enough.
  std::fprintf(stderr, "%.23s+0000: virtnatd: %s: %s\n", stamp, LevelName(severity), message);
  g_free(stamp);
  g_date_time_unref(now);
}

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

// SIGHUP (systemctl reload): reads the config file and the command line
// again and applies what can change while running, the log level. Settings
// fixed at start (sockets, directories) keep their values until a restart.
struct Reload {
  int argc;
  char** argv;
  const Options& running;

  static gboolean OnSignal(gpointer data) {
    auto* self = static_cast<Reload*>(data);
    sd_notify(0, "RELOADING=1");
    Result<Options> parsed = ParseOptions(self->argc, self->argv);
    if (parsed.ok()) {
      g_max_level = LevelOf(parsed->log_level);
      g_info("reloaded the configuration (log level %s)", parsed->log_level.c_str());
      for (const std::string& key : SettingsNeedingRestart(self->running, *parsed)) {
        g_warning("reload: '%s' changed; it takes effect when virtnatd restarts", key.c_str());
      }
    } else {
      g_warning("reload: %s; keeping the current settings", parsed.error().message.c_str());
    }
    sd_notify(0, "READY=1");
    return G_SOURCE_CONTINUE;
  }
};

int Run(int argc, char** argv) {
  if (argc > 1 && driver::IsSwitchCommand(argv[1])) return RunSwitch(argc, argv);
  Result<Options> parsed = ParseOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "virtnatd: %s\n%s", parsed.error().message.c_str(),
                 Usage(argv[0]).c_str());
    return 2;
  }
  const Options& opts = *parsed;
  if (opts.help) {
    std::fputs(Usage(argv[0]).c_str(), stdout);
    return 0;
  }
  if (opts.version) {
    std::puts("virtnatd 0.1 (libvirt remote protocol 9.0)");
    return 0;
  }
  if (opts.status) return PrintStatus(opts);
  g_max_level = LevelOf(opts.log_level);
  g_to_journal = StderrIsJournal();
  g_log_set_default_handler(LogHandler, nullptr);
  // A client that vanishes must not kill the daemon with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  // Before anything touches the host: a second daemon stops here.
  Result<driver::PidFile> pid_file = driver::PidFile::Acquire(opts.PidFilePath());
  if (!pid_file.ok()) {
    std::fprintf(stderr, "%s\n", pid_file.error().message.c_str());
    return 1;
  }
  // From here on SIGHUP never kills: a reload during start-up is handled
  // once the loop runs.
  Reload reload{argc, argv, opts};
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

  Result<std::unique_ptr<driver::HostDriverParts>> host = driver::HostDriverParts::Open(
      driver::HostDirs{opts.config_dir, opts.state_dir, opts.run_dir});
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
  parts.SetDnsmasqRestarted([&driver, &recorder](const std::string& name) {
    Result<driver::NetworkRef> net = driver.LookupByName(name);
    if (net.ok() && driver.IsActive(*net).ok() && *driver.IsActive(*net)) recorder.Rewrite(*net);
  });
  // Only begun here: each network's dnsmasq launch completes on the loop,
  // which serves clients meanwhile.
  driver.StartAutostartNetworks(
      [](const std::string& failure) { g_warning("%s", failure.c_str()); });

  rpc::ServerLimits limits;
  limits.max_clients = opts.max_clients;
  limits.keepalive_interval_s = opts.keepalive_interval;
  limits.keepalive_count = opts.keepalive_count;
  rpc::Server server(driver, nullptr, limits, MakePolicy(opts.socket_group));

  Result<ListenSockets> sockets = TakeActivatedSockets(opts.socket, opts.socket_ro);
  if (!sockets.ok()) {
    g_critical("%s", sockets.error().message.c_str());
    return 1;
  }
  if (!sockets->rw.valid()) {
    auto fd = CreateListenSocket(opts.socket, opts.socket_mode, opts.socket_group);
    if (!fd.ok()) {
      g_critical("%s", fd.error().message.c_str());
      return 1;
    }
    sockets->rw = std::move(fd).value();
  }
  if (!sockets->ro.valid() && !opts.socket_ro.empty()) {
    auto fd = CreateListenSocket(opts.socket_ro, opts.socket_ro_mode, "");
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
  sd_notify(0, "READY=1");
  if (!stop.requested) g_main_loop_run(stop.loop.get());
  sd_notify(0, "STOPPING=1");
  g_info("exiting; running networks are left running");
  return 0;
}

}  // namespace
}  // namespace virtnat::daemon

int main(int argc, char** argv) { return virtnat::daemon::Run(argc, argv); }
