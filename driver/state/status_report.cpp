#include "driver/state/status_report.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "driver/os/atomic_file.h"
#include "driver/os/process_identity.h"
#include "driver/state/daemon_health.h"
#include "driver/state/status_record.h"

namespace virtnat::driver {
namespace {

constexpr size_t kMaxRecordSize = 16 << 20;

// The pid names a live virtnatd (not a process that reused the number).
bool DaemonAlive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  Result<ProcessIdentity> identity = ReadProcessIdentity(pid);
  if (!identity.ok() || identity->cmdline.empty()) return false;
  const std::string& argv0 = identity->cmdline.front();
  return argv0.substr(argv0.rfind('/') + 1) == "virtnatd";
}

// The records of RUN_DIR/NAME.status, read only: StatusStore::LoadAll
// would delete the temporary files of the daemon's writes in progress.
std::vector<StatusRecord> ReadRecords(const std::string& run_dir) {
  std::vector<StatusRecord> records;
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(run_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 7 && name.ends_with(".status") && name[0] != '.') {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    Result<std::string> text = ReadFileLimited(path, kMaxRecordSize);
    if (!text.ok()) continue;  // removed meanwhile: the network stopped
    Result<StatusRecord> record = ParseStatusRecord(*text, path);
    if (record.ok()) records.push_back(std::move(record).value());
  }
  return records;
}

}  // namespace

Result<StatusReport> ReadStatusReport(const std::string& run_dir) {
  ASSIGN_OR_RETURN(std::optional<DaemonHealth> health, ReadHealth(run_dir));
  const bool alive = health && DaemonAlive(health->pid);
  StatusReport report;
  report.text = RenderStatusReport(health, alive, ReadRecords(run_dir));
  report.exit_code = !alive ? 3 : health->warnings.empty() ? 0 : 1;
  return report;
}

}  // namespace virtnat::driver
