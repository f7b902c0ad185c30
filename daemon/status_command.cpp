#include "daemon/status_command.h"

#include <cstdio>

#include "driver/state/status_report.h"

namespace virtnat::daemon {

int PrintStatus(const Options& opts) {
  Result<driver::StatusReport> report = driver::ReadStatusReport(opts.run_dir);
  if (!report.ok()) {
    std::fprintf(stderr, "virtnatd: %s\n", report.error().message.c_str());
    return 2;
  }
  std::fputs(report->text.c_str(), stdout);
  return report->exit_code;
}

}  // namespace virtnat::daemon
