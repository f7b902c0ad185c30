#pragma once
// virtnatd's settings: built-in defaults, then the config file, then the
// command line.

#include <string>
#include <vector>

#include "common/status.h"

namespace virtnat::daemon {

struct Options {
  // The sockets libvirt clients use for network:///system, so virtnatd
  // stands in for virtnetworkd.
  std::string socket = "/run/libvirt/virtnetworkd-sock";
  std::string socket_ro = "/run/libvirt/virtnetworkd-sock-ro";
  std::string config_dir = "/etc/virtnat";
  std::string state_dir = "/var/lib/virtnat";
  std::string run_dir = "/run/virtnat";
  std::string config_file;         // empty: CONFIG_DIR/virtnatd.conf if it exists
  std::string pid_file;            // empty: RUN_DIR/virtnatd.pid
  std::string log_level = "info";  // error, warning, info, debug
  unsigned socket_mode = 0600;
  unsigned socket_ro_mode = 0666;
  std::string socket_group;  // may use the read-write socket besides root
  unsigned max_clients = 512;
  unsigned keepalive_interval = 5;
  unsigned keepalive_count = 5;

  // libvirt's hooks directory (its `network` script and `network.d/`), and
  // the seconds after which a hook still running is killed with its group.
  std::string hooks_dir = "/etc/libvirt/hooks";
  unsigned hook_timeout = 30;

  bool help = false;
  bool version = false;
  bool status = false;  // print the running daemon's status and exit

  std::string PidFilePath() const {
    return pid_file.empty() ? run_dir + "/virtnatd.pid" : pid_file;
  }
};

std::string Usage(const char* argv0);

// Parses argv; reads the config file it names (or the default one).
Result<Options> ParseOptions(int argc, char** argv);

// The config keys whose values differ between `running` and `reread` and
// that a reload cannot apply (all but log_level): they take effect at the
// next start, and SIGHUP says so rather than dropping them silently.
std::vector<std::string> SettingsNeedingRestart(const Options& running, const Options& reread);

// Applies `key = value` lines ('#' comments, optional quotes) to `options`.
Status ApplyConfigText(const std::string& text, Options& options);

}  // namespace virtnat::daemon
