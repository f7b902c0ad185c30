#include "daemon/options.h"

#include <glib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "driver/takeover/switch_commands.h"

namespace virtnat::daemon {
namespace {

Error Bad(std::string text) {
  return MakeError(VIR_ERR_CONF_SYNTAX, VIR_FROM_CONF, std::move(text));
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Result<unsigned> ParseUnsigned(const std::string& key, const std::string& value, int base) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(value.c_str(), &end, base);
  if (value.empty() || *end != '\0' || errno != 0 || v > 0xffffffffUL) {
    return Bad("invalid value '" + value + "' for " + key);
  }
  return static_cast<unsigned>(v);
}

// libvirt's daemons take log_level as 1 (debug) to 4 (error).
Result<std::string> ParseLogLevel(const std::string& value) {
  static constexpr const char* kByNumber[] = {"debug", "info", "warning", "error"};
  if (value.size() == 1 && value[0] >= '1' && value[0] <= '4') {
    return std::string(kByNumber[value[0] - '1']);
  }
  if (value != "error" && value != "warning" && value != "info" && value != "debug") {
    return Bad("invalid log level '" + value + "' (error, warning, info, debug, or 4 to 1)");
  }
  return value;
}

enum class SetResult { kApplied, kUnknownKey };

Result<SetResult> Set(Options& o, const std::string& key, const std::string& value) {
  if (key == "socket") {
    o.socket = value;
  } else if (key == "socket_ro" || key == "socket-ro") {
    o.socket_ro = value;
  } else if (key == "config_dir" || key == "config-dir") {
    o.config_dir = value;
  } else if (key == "state_dir" || key == "state-dir") {
    o.state_dir = value;
  } else if (key == "run_dir" || key == "run-dir") {
    o.run_dir = value;
  } else if (key == "hooks_dir" || key == "hooks-dir") {
    o.hooks_dir = value;
  } else if (key == "hook_timeout" || key == "hook-timeout") {
    ASSIGN_OR_RETURN(o.hook_timeout, ParseUnsigned(key, value, 10));
    if (o.hook_timeout == 0) return Bad("hook_timeout must be at least 1 second");
  } else if (key == "lease_status_dir" || key == "lease-status-dir") {
    o.lease_status_dir = value;
  } else if (key == "pid_file" || key == "pid-file") {
    o.pid_file = value;
  } else if (key == "import_libvirt" || key == "import-libvirt") {
    // An import at every start brought undefined networks back.
    return Bad("'" + key + "' is no longer a setting: import once with 'virtnatd import-libvirt " +
               value + "'");
  } else if (key == "log_level" || key == "log-level") {
    ASSIGN_OR_RETURN(o.log_level, ParseLogLevel(value));
  } else if (key == "log_outputs" || key == "log-outputs") {
    o.log_outputs = value;
  } else if (key == "unix_sock_rw_perms" || key == "socket-mode") {
    ASSIGN_OR_RETURN(o.socket_mode, ParseUnsigned(key, value, 8));
  } else if (key == "unix_sock_ro_perms" || key == "socket-ro-mode") {
    ASSIGN_OR_RETURN(o.socket_ro_mode, ParseUnsigned(key, value, 8));
  } else if (key == "unix_sock_group" || key == "socket-group") {
    o.socket_group = value;
  } else if (key == "max_clients" || key == "max-clients") {
    ASSIGN_OR_RETURN(o.max_clients, ParseUnsigned(key, value, 10));
  } else if (key == "keepalive_interval" || key == "keepalive-interval") {
    ASSIGN_OR_RETURN(o.keepalive_interval, ParseUnsigned(key, value, 10));
  } else if (key == "keepalive_count" || key == "keepalive-count") {
    ASSIGN_OR_RETURN(o.keepalive_count, ParseUnsigned(key, value, 10));
  } else if (key == "dnsmasq_binary" || key == "dnsmasq-binary") {
    if (value.empty()) return Bad("dnsmasq_binary must not be empty");
    o.dnsmasq_binary = value;
  } else if (key == "start_timeout" || key == "start-timeout") {
    ASSIGN_OR_RETURN(o.start_timeout, ParseUnsigned(key, value, 10));
    if (o.start_timeout == 0) return Bad("start_timeout must be at least 1 second");
  } else if (key == "timeout") {
    ASSIGN_OR_RETURN(o.timeout, ParseUnsigned(key, value, 10));
  } else {
    return SetResult::kUnknownKey;
  }
  return SetResult::kApplied;
}

Status ReadConfigFile(const std::string& path, Options& o) {
  std::ifstream in(path);
  if (!in) return SystemErrorFromErrno(errno, "cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> unknown;
  RETURN_IF_ERROR(ApplyConfigText(ss.str(), o, &unknown).WithContext(path));
  for (const std::string& key : unknown) {
    o.warnings.push_back(path + ": unknown setting '" + key + "' ignored");
  }
  return Status::Ok();
}

// The command line. Every option with a value is also a config key (its
// snake_case spelling); the flags are command-line only.
struct CommandLineOption {
  const char* long_name;
  char short_name;
  const char* value_name;  // nullptr: a flag
  const char* help;
};

constexpr CommandLineOption kCommandLine[] = {
    {"config", 'f', "FILE", "config file (default CONFIG_DIR/virtnatd.conf)"},
    {"pid-file", 'p', "FILE",
     "pid file, locked while the daemon runs (default RUN_DIR/virtnatd.pid)"},
    {"timeout", 't', "SECONDS",
     "exit after SECONDS without clients and without active networks (default: never)"},
    {"verbose", 'v', nullptr, "log at debug level"},
    {"daemon", 'd', nullptr, "run in the background once serving"},
    {"socket", 0, "PATH", "read-write socket (default /run/libvirt/virtnetworkd-sock)"},
    {"socket-ro", 0, "PATH", "read-only socket (default /run/libvirt/virtnetworkd-sock-ro)"},
    {"socket-mode", 0, "MODE", "read-write socket mode, octal (default 0600)"},
    {"socket-ro-mode", 0, "MODE", "read-only socket mode, octal (default 0666)"},
    {"socket-group", 0, "GROUP", "group allowed on the read-write socket besides root"},
    {"config-dir", 0, "DIR", "network definitions (default /etc/virtnat)"},
    {"state-dir", 0, "DIR", "persistent state (default /var/lib/virtnat)"},
    {"run-dir", 0, "DIR", "runtime state (default /run/virtnat)"},
    {"hooks-dir", 0, "DIR",
     "hook scripts: DIR/network and DIR/network.d/* (default /etc/libvirt/hooks)"},
    {"hook-timeout", 0, "SECONDS", "a hook still running after this is killed (default 30)"},
    {"lease-status-dir", 0, "DIR",
     "publish DHCP leases as DIR/BRIDGE.status for libnss-libvirt (default "
     "/var/lib/libvirt/dnsmasq; empty: not published)"},
    {"dnsmasq-binary", 0, "PATH",
     "dnsmasq to run: a name looked up on PATH, or a path (default dnsmasq)"},
    {"start-timeout", 0, "SECONDS",
     "a network whose dnsmasq does not serve by then fails (default 5)"},
    {"log-level", 0, "LEVEL", "error, warning, info or debug (default info)"},
    {"log-outputs", 0, "OUTPUTS",
     "as libvirt's log_outputs: LEVEL:stderr, LEVEL:journald, LEVEL:file:PATH"},
    {"max-clients", 0, "N", "clients served at once (default 512)"},
    {"keepalive-interval", 0, "SECONDS", "keepalive probe interval (default 5)"},
    {"keepalive-count", 0, "N", "missed probes before a client is dropped (default 5)"},
    {"status", 0, nullptr,
     "print whether the daemon runs, its networks and the problems it sees, then exit"},
    {"check", 0, nullptr,
     "check that this host can run virtnatd (PASS/WARN/FAIL per check), then exit"},
    {"version", 'V', nullptr, "print the version and exit"},
    {"help", 'h', nullptr, "print this help and exit"},
};

struct ParsedCommandLine {
  std::vector<std::pair<std::string, std::string>> values;  // long name, value
  std::vector<std::string> flags;                           // long names
};

// GOption's callback: records what was given; applied after the config file
// so that the command line wins. No exception may cross into GLib.
gboolean Collect(const gchar* given, const gchar* value, gpointer data, GError** error) noexcept {
  auto* parsed = static_cast<ParsedCommandLine*>(data);
  std::string_view name(given);
  name.remove_prefix(name.rfind("--", 0) == 0 ? 2 : 1);
  for (const CommandLineOption& option : kCommandLine) {
    bool match = name.size() == 1 ? name[0] == option.short_name : name == option.long_name;
    if (!match) continue;
    try {
      if (option.value_name == nullptr) {
        parsed->flags.emplace_back(option.long_name);
      } else {
        parsed->values.emplace_back(option.long_name, value);
      }
      return TRUE;
    } catch (...) {
      break;
    }
  }
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "cannot take option '%s'", given);
  return FALSE;
}

struct OptionContextFree {
  void operator()(GOptionContext* context) const noexcept { g_option_context_free(context); }
};
using OptionContextPtr = std::unique_ptr<GOptionContext, OptionContextFree>;

OptionContextPtr MakeContext(ParsedCommandLine* parsed) {
  OptionContextPtr context(g_option_context_new(nullptr));
  g_option_context_set_summary(context.get(),
                               "libvirt-compatible network daemon (in place of virtnetworkd).");
  const std::string description =
      "Commands, run once while the daemon is stopped (the options above name\n"
      "virtnatd's directories):\n" +
      driver::SwitchUsage() +
      "\nSockets passed by systemd are used instead of creating them, matched by\n"
      "name (FileDescriptorName=rw, ro, admin, or the socket unit's name).\n"
      "SIGHUP reloads the config file and re-checks every running network;\n"
      "SIGTERM and SIGINT exit, leaving running networks running.\n"
      "Every option with a value is also a key of the config file, spelled\n"
      "with '_' (log-level: log_level). See virtnatd(8).\n";
  g_option_context_set_description(context.get(), description.c_str());
  g_option_context_set_help_enabled(context.get(), FALSE);  // -h is ours: no exit() inside
  static std::vector<GOptionEntry> entries = [] {
    std::vector<GOptionEntry> all;
    for (const CommandLineOption& option : kCommandLine) {
      GOptionEntry entry{};
      entry.long_name = option.long_name;
      entry.short_name = option.short_name;
      entry.flags = option.value_name == nullptr ? G_OPTION_FLAG_NO_ARG : G_OPTION_FLAG_NONE;
      entry.arg = G_OPTION_ARG_CALLBACK;
      entry.arg_data = reinterpret_cast<gpointer>(&Collect);
      entry.description = option.help;
      entry.arg_description = option.value_name;
      all.push_back(entry);
    }
    all.push_back(GOptionEntry{});
    return all;
  }();
  GOptionGroup* group = g_option_group_new("virtnatd", "", "", parsed, nullptr);
  g_option_group_add_entries(group, entries.data());
  g_option_context_set_main_group(context.get(), group);
  return context;
}

}  // namespace

std::string HelpText() {
  ParsedCommandLine unused;
  OptionContextPtr context = MakeContext(&unused);
  gchar* text = g_option_context_get_help(context.get(), TRUE, nullptr);
  std::string help = text;
  g_free(text);
  return help;
}

std::vector<std::string> SettingsNeedingRestart(const Options& running, const Options& reread) {
  auto fields = [](const Options& o) {
    return std::tie(o.socket, o.socket_ro, o.config_dir, o.state_dir, o.run_dir, o.pid_file,
                    o.log_outputs, o.timeout, o.dnsmasq_binary, o.start_timeout, o.socket_mode,
                    o.socket_ro_mode, o.socket_group, o.max_clients, o.keepalive_interval,
                    o.keepalive_count, o.hooks_dir, o.hook_timeout, o.lease_status_dir);
  };
  static constexpr const char* kNames[] = {
      "socket",          "socket_ro",     "config_dir",         "state_dir",
      "run_dir",         "pid_file",      "log_outputs",        "timeout",
      "dnsmasq_binary",  "start_timeout", "unix_sock_rw_perms", "unix_sock_ro_perms",
      "unix_sock_group", "max_clients",   "keepalive_interval", "keepalive_count",
      "hooks_dir",       "hook_timeout",  "lease_status_dir"};
  std::vector<std::string> changed;
  auto a = fields(running), b = fields(reread);
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((std::get<I>(a) != std::get<I>(b) ? changed.push_back(kNames[I]) : void()), ...);
  }
  (std::make_index_sequence<std::tuple_size_v<decltype(a)>>{});
  return changed;
}

Status ApplyConfigText(const std::string& text, Options& o, std::vector<std::string>* unknown) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = Trim(line.substr(0, line.find('#')));
    if (t.empty()) continue;
    size_t eq = t.find('=');
    if (eq == std::string::npos)
      return Bad("line " + std::to_string(number) + ": expected key = value");
    std::string key = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    Result<SetResult> set = Set(o, key, value);
    if (!set.ok()) return set.status().WithContext("line " + std::to_string(number));
    if (*set == SetResult::kUnknownKey && unknown != nullptr) unknown->push_back(key);
  }
  return Status::Ok();
}

Result<Options> ParseOptions(int argc, char** argv) {
  ParsedCommandLine cli;
  OptionContextPtr context = MakeContext(&cli);
  // GOption removes what it parsed from the vector it gets: give it a copy.
  std::vector<char*> args(argv, argv + argc);
  int count = argc;
  char** vector = args.data();
  GError* error = nullptr;
  if (!g_option_context_parse(context.get(), &count, &vector, &error)) {
    std::string message = error->message;
    g_error_free(error);
    return Bad(message);
  }
  if (count > 1) return Bad(std::string("unexpected argument '") + vector[1] + "'");

  Options o;
  for (const std::string& flag : cli.flags) {
    if (flag == "help") o.help = true;
    if (flag == "version") o.version = true;
    if (flag == "status") o.status = true;
    if (flag == "check") o.check = true;
    if (flag == "daemon") o.daemonize = true;
  }
  for (const auto& [key, value] : cli.values) {
    if (key == "config") o.config_file = value;
    if (key == "config-dir") o.config_dir = value;
  }
  if (!o.config_file.empty()) {
    RETURN_IF_ERROR(ReadConfigFile(o.config_file, o));
  } else {
    std::string path = o.config_dir + "/virtnatd.conf";
    struct stat st;
    if (stat(path.c_str(), &st) == 0) RETURN_IF_ERROR(ReadConfigFile(path, o));
  }
  for (const auto& [key, value] : cli.values) {
    if (key == "config") continue;
    RETURN_IF_ERROR(Set(o, key, value).status().WithContext("--" + key));
  }
  for (const std::string& flag : cli.flags) {
    if (flag == "verbose") o.log_level = "debug";
  }
  return o;
}

}  // namespace virtnat::daemon
