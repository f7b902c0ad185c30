#pragma once
// virtnatd's one-shot commands for moving a host between libvirt's network
// driver and virtnatd (README "Switching from libvirt"):
//   virtnatd import-libvirt [--dry-run] [DIR]
//   virtnatd take-over-libvirt [--dry-run] [--libvirt-*-dir DIR ...]
//   virtnatd hand-back-libvirt [--dry-run] [--libvirt-*-dir DIR ...]
// Each runs once, while virtnatd's daemon does not (it holds the daemon's
// pid-file lock), prints per network what it does or cannot do, and exits:
// 0 done, 1 refused or failed (nothing changed), 2 bad usage.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/host_driver.h"
#include "driver/takeover/takeover_host.h"

namespace virtnat::driver {

struct SwitchCommand {
  std::string name;  // "import-libvirt", "take-over-libvirt", "hand-back-libvirt"
  bool dry_run = false;
  bool help = false;  // -h, --help: print the usage, do nothing
  std::string import_dir = "/etc/libvirt/qemu/networks";
  LibvirtDirs libvirt;
  // The remaining arguments: the daemon's own options (--config-dir ...).
  std::vector<std::string> daemon_args;
};

bool IsSwitchCommand(const std::string& arg);
std::string SwitchUsage();

// REQUIRES: IsSwitchCommand(argv[1]).
Result<SwitchCommand> ParseSwitchCommand(int argc, char** argv);

// Runs it with the daemon's directories and pid file.
int RunSwitchCommand(const SwitchCommand& command, const HostDirs& dirs,
                     const std::string& pid_file);

}  // namespace virtnat::driver
