#pragma once
// What `virtnatd --status` reports about a running daemon, kept in one small
// file in the run directory, RUN_DIR/virtnatd.health (mode 0644), rewritten
// atomically whenever it changes:
//
//   pid 1234
//   repairs 2
//   warning table ip filter chain FORWARD (hook forward, priority 0) ...
//
// `warning` lines (any number) are the problems the daemon sees now, such as
// another table dropping a network's forwarded traffic; `repairs` counts the
// firewall restores since the daemon started. The file is removed when the
// daemon exits.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "driver/state/status_record.h"

namespace virtnat::driver {

struct DaemonHealth {
  pid_t pid = 0;
  int repairs = 0;
  std::vector<std::string> warnings;  // one line each, no newlines
  bool operator==(const DaemonHealth&) const = default;
};

std::string HealthPath(const std::string& run_dir);

// Newlines inside a warning become spaces (one warning, one line).
std::string FormatHealth(const DaemonHealth& health);
// Fails (VIR_ERR_INTERNAL_ERROR) without a valid pid line; unknown lines are
// skipped, so an older reader understands a newer file.
Result<DaemonHealth> ParseHealth(std::string_view text);

Status WriteHealth(const std::string& run_dir, const DaemonHealth& health);
// nullopt when there is no file (no daemon ran with this run directory, or
// it exited).
Result<std::optional<DaemonHealth>> ReadHealth(const std::string& run_dir);

// The text `virtnatd --status` prints: the daemon (running or not, from the
// health file and whether its pid is alive), each running network from its
// status record, then the warnings.
std::string RenderStatusReport(const std::optional<DaemonHealth>& health, bool daemon_alive,
                               const std::vector<StatusRecord>& networks);

}  // namespace virtnat::driver
