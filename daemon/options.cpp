#include "daemon/options.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
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

Status Set(Options& o, const std::string& key, const std::string& value) {
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
  } else if (key == "pid_file" || key == "pid-file") {
    o.pid_file = value;
  } else if (key == "import_libvirt" || key == "import-libvirt") {
    // An import at every start brought undefined networks back.
    return Bad("'" + key + "' is no longer a setting: import once with 'virtnatd import-libvirt " +
               value + "'");
  } else if (key == "log_level" || key == "log-level") {
    if (value != "error" && value != "warning" && value != "info" && value != "debug") {
      return Bad("invalid log level '" + value + "' (error, warning, info, debug)");
    }
    o.log_level = value;
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
  } else {
    return Bad("unknown setting '" + key + "'");
  }
  return Status::Ok();
}

Status ReadConfigFile(const std::string& path, Options& o) {
  std::ifstream in(path);
  if (!in) return SystemErrorFromErrno(errno, "cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ApplyConfigText(ss.str(), o).WithContext(path);
}

// The command line's options that take a value; the config file's keys are
// their snake_case spellings (and libvirt's unix_sock_* names).
constexpr const char* kValueOptions[] = {
    "socket",     "socket-ro", "socket-mode", "socket-ro-mode",     "socket-group",
    "config-dir", "state-dir", "run-dir",     "pid-file",           "import-libvirt",
    "config",     "log-level", "max-clients", "keepalive-interval", "keepalive-count",
};

bool IsValueOption(const std::string& key) {
  for (const char* known : kValueOptions) {
    if (key == known) return true;
  }
  return false;
}

}  // namespace

std::string Usage(const char* argv0) {
  return std::string("Usage: ") + argv0 +
         " [OPTIONS]\n"
         "libvirt-compatible network daemon (stands in for virtnetworkd).\n\n"
         "  --socket PATH          read-write socket (default /run/libvirt/virtnetworkd-sock)\n"
         "  --socket-ro PATH       read-only socket (default /run/libvirt/virtnetworkd-sock-ro)\n"
         "  --socket-mode MODE     read-write socket mode, octal (default 0600)\n"
         "  --socket-group GROUP   group allowed on the read-write socket besides root\n"
         "  --config-dir DIR       network definitions (default /etc/virtnat)\n"
         "  --state-dir DIR        persistent state (default /var/lib/virtnat)\n"
         "  --run-dir DIR          runtime state (default /run/virtnat)\n"
         "  --hooks-dir DIR        hook scripts as libvirt runs them: DIR/network and\n"
         "                         DIR/network.d/* (default /etc/libvirt/hooks)\n"
         "  --hook-timeout SECONDS a hook still running after this is killed (default 30)\n"
         "  -f, --config FILE      config file (default CONFIG_DIR/virtnatd.conf)\n"
         "  -p, --pid-file FILE    pid file, locked while the daemon runs\n"
         "                         (default RUN_DIR/virtnatd.pid)\n"
         "  --log-level LEVEL      error, warning, info or debug (default info)\n"
         "  --status               print whether the daemon of RUN_DIR runs, its running\n"
         "                         networks and the problems it sees (e.g. another table\n"
         "                         dropping forwarded traffic), then exit: 0 no problems,\n"
         "                         1 problems reported, 3 daemon not running\n"
         "  -h, --help             print this help and exit\n"
         "  -V, --version          print the version and exit\n\n"
         "Commands, run once while the daemon is stopped (the options above name\n"
         "virtnatd's directories):\n" +
         driver::SwitchUsage() +
         "\n"
         "Sockets passed by systemd are used instead of creating them, matched by\n"
         "name (FileDescriptorName=rw, ro, admin, or the socket unit's name).\n"
         "SIGHUP reloads the config file; SIGTERM and SIGINT exit, leaving running\n"
         "networks running.\n";
}

std::vector<std::string> SettingsNeedingRestart(const Options& running, const Options& reread) {
  auto fields = [](const Options& o) {
    return std::tie(o.socket, o.socket_ro, o.config_dir, o.state_dir, o.run_dir, o.pid_file,
                    o.socket_mode, o.socket_ro_mode, o.socket_group, o.max_clients,
                    o.keepalive_interval, o.keepalive_count, o.hooks_dir, o.hook_timeout);
  };
  static constexpr const char* kNames[] = {
      "socket",          "socket_ro",   "config_dir",         "state_dir",
      "run_dir",         "pid_file",    "unix_sock_rw_perms", "unix_sock_ro_perms",
      "unix_sock_group", "max_clients", "keepalive_interval", "keepalive_count",
      "hooks_dir",       "hook_timeout"};
  std::vector<std::string> changed;
  auto a = fields(running), b = fields(reread);
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((std::get<I>(a) != std::get<I>(b) ? changed.push_back(kNames[I]) : void()), ...);
  }
  (std::make_index_sequence<std::tuple_size_v<decltype(a)>>{});
  return changed;
}

Status ApplyConfigText(const std::string& text, Options& o) {
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
    RETURN_IF_ERROR(Set(o, key, value).WithContext("line " + std::to_string(number)));
  }
  return Status::Ok();
}

Result<Options> ParseOptions(int argc, char** argv) {
  // Command-line values win over the config file, so collect them first.
  std::vector<std::pair<std::string, std::string>> cli;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg == "--version" || arg == "-V") {
      o.version = true;
      continue;
    }
    if (arg == "--status") {
      o.status = true;
      continue;
    }
    if (arg == "-f") arg = "--config";
    if (arg == "-p") arg = "--pid-file";
    if (arg.rfind("--", 0) != 0) {
      if (arg.size() > 1 && arg[0] == '-') return Bad("unknown option '" + arg + "'");
      return Bad("unexpected argument '" + arg + "'");
    }
    std::string key = arg.substr(2), value;
    size_t eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    if (!IsValueOption(key)) return Bad("unknown option '--" + key + "'");
    if (eq == std::string::npos) {
      if (i + 1 >= argc) return Bad("option '--" + key + "' needs a value");
      value = argv[++i];
    }
    cli.emplace_back(key, value);
  }
  for (const auto& [key, value] : cli) {
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
  for (const auto& [key, value] : cli) {
    if (key == "config") continue;
    RETURN_IF_ERROR(Set(o, key, value));
  }
  return o;
}

}  // namespace virtnat::daemon
