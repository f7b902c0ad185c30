#pragma once
// `virtnatd --status`: what the daemon of the configured run directory
// reports (driver/daemon_health.h), for a user at a shell.

#include "daemon/options.h"

namespace virtnat::daemon {

// Prints the report on stdout. Returns the exit code: 0 the daemon runs and
// reports no problem, 1 it reports problems, 3 it does not run (as
// `systemctl status` uses 3), 2 the run directory cannot be read.
int PrintStatus(const Options& opts);

}  // namespace virtnat::daemon
