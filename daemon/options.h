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
  std::string config_file;  // empty: CONFIG_DIR/virtnatd.conf if it exists
  std::string pid_file;     // empty: RUN_DIR/virtnatd.pid
  // libvirt looks dnsmasq up on PATH; an absolute path is used as it is.
  std::string dnsmasq_binary = "dnsmasq";
  unsigned start_timeout = 5;      // seconds for a dnsmasq to come up
  std::string log_level = "info";  // error, warning, info, debug
  // libvirt's log_outputs: "LEVEL:stderr", "LEVEL:journald" or
  // "LEVEL:file:PATH", space separated; empty: stderr (the journal under
  // systemd). See driver/os/log_output.h.
  std::string log_outputs;
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

  // Where each network's DHCP leases are published as BRIDGE.status (the
  // JSON of libvirt's lease helper) for libnss-libvirt; empty: nowhere.
  std::string lease_status_dir = "/var/lib/libvirt/dnsmasq";

  // Seconds without clients and without active networks after which the
  // daemon exits, as libvirt's socket-activated daemons do; 0: never.
  unsigned timeout = 0;
  bool daemonize = false;  // -d: fork into the background once ready

  bool help = false;
  bool version = false;
  bool status = false;  // print the running daemon's status and exit
  bool check = false;   // check the host (virt-host-validate style) and exit

  // Config-file lines that were not applied, each naming the file and key
  // (an unknown key is a warning, as libvirt's daemons treat them).
  std::vector<std::string> warnings;

  std::string PidFilePath() const {
    return pid_file.empty() ? run_dir + "/virtnatd.pid" : pid_file;
  }
};

// The --help text.
std::string HelpText();

// Parses argv (GLib's GOptionContext: an unknown option is an error naming
// it); reads the config file it names (or the default one).
Result<Options> ParseOptions(int argc, char** argv);

// The config keys whose values differ between `running` and `reread` and
// that a reload cannot apply (all but log_level): they take effect at the
// next start, and SIGHUP says so rather than dropping them silently.
std::vector<std::string> SettingsNeedingRestart(const Options& running, const Options& reread);

// Applies `key = value` lines ('#' comments, optional quotes) to `options`.
// A key virtnatd does not know is skipped and named in `unknown` (when
// given); a bad value is an error naming the line.
Status ApplyConfigText(const std::string& text, Options& options,
                       std::vector<std::string>* unknown = nullptr);

}  // namespace virtnat::daemon
