#pragma once
// `virtnatd --status`: what the daemon of a run directory reports
// (daemon_health.h) and the networks its status records say run, read
// without touching anything.

#include <string>

#include "common/status.h"

namespace virtnat::driver {

struct StatusReport {
  std::string text;
  // 0 the daemon runs and reports no problem, 1 it reports problems, 3 it
  // does not run (as `systemctl status` uses 3).
  int exit_code = 0;
};

// Fails when RUN_DIR's health file cannot be read.
Result<StatusReport> ReadStatusReport(const std::string& run_dir);

}  // namespace virtnat::driver
