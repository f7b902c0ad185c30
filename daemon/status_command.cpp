#include "daemon/status_command.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "driver/os/atomic_file.h"
#include "driver/os/process_identity.h"
#include "driver/state/daemon_health.h"
#include "driver/state/status_record.h"

namespace virtnat::daemon {
namespace {

constexpr size_t kMaxRecordSize = 16 << 20;

// The pid names a live virtnatd (not a process that reused the number).
bool DaemonAlive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  Result<driver::ProcessIdentity> identity = driver::ReadProcessIdentity(pid);
  if (!identity.ok() || identity->cmdline.empty()) return false;
  const std::string& argv0 = identity->cmdline.front();
  return argv0.substr(argv0.rfind('/') + 1) == "virtnatd";
}

// The records of RUN_DIR/NAME.status, read only: StatusStore::LoadAll
// would delete the temporary files of the daemon's writes in progress.
std::vector<driver::StatusRecord> ReadRecords(const std::string& run_dir) {
  std::vector<driver::StatusRecord> records;
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
    Result<std::string> text = driver::ReadFileLimited(path, kMaxRecordSize);
    if (!text.ok()) continue;  // removed meanwhile: the network stopped
    Result<driver::StatusRecord> record = driver::ParseStatusRecord(*text, path);
    if (record.ok()) records.push_back(std::move(record).value());
  }
  return records;
}

}  // namespace

int PrintStatus(const Options& opts) {
  Result<std::optional<driver::DaemonHealth>> health = driver::ReadHealth(opts.run_dir);
  if (!health.ok()) {
    std::fprintf(stderr, "virtnatd: %s\n", health.error().message.c_str());
    return 2;
  }
  const bool alive = *health && DaemonAlive((*health)->pid);
  std::fputs(driver::RenderStatusReport(*health, alive, ReadRecords(opts.run_dir)).c_str(), stdout);
  if (!alive) return 3;
  return (*health)->warnings.empty() ? 0 : 1;
}

}  // namespace virtnat::daemon
