#include "driver/state/daemon_health.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

constexpr size_t kMaxHealthSize = 1 << 20;

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string HealthPath(const std::string& run_dir) { return run_dir + "/virtnatd.health"; }

std::string FormatHealth(const DaemonHealth& health) {
  std::string out = "pid " + std::to_string(health.pid) + "\n";
  out += "repairs " + std::to_string(health.repairs) + "\n";
  for (std::string line : health.warnings) {
    for (char& c : line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    out += "warning " + line + "\n";
  }
  return out;
}

Result<DaemonHealth> ParseHealth(std::string_view text) {
  DaemonHealth health;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view key = line.substr(0, space);
    std::string_view value = line.substr(space + 1);
    if (key == "pid") {
      if (!ParseNumber(value, &health.pid)) health.pid = 0;
    } else if (key == "repairs") {
      if (!ParseNumber(value, &health.repairs)) health.repairs = 0;
    } else if (key == "warning") {
      health.warnings.emplace_back(value);
    }
  }
  if (health.pid <= 0) return InternalError("the daemon's health file names no process");
  return health;
}

Status WriteHealth(const std::string& run_dir, const DaemonHealth& health) {
  RETURN_IF_ERROR(EnsureDirectory(run_dir, 0755));
  return WriteFileAtomic(HealthPath(run_dir), FormatHealth(health), 0644);
}

Result<std::optional<DaemonHealth>> ReadHealth(const std::string& run_dir) {
  Result<std::string> text = ReadFileLimited(HealthPath(run_dir), kMaxHealthSize);
  if (!text.ok()) {
    if (access(HealthPath(run_dir).c_str(), F_OK) != 0 && errno == ENOENT) {
      return std::optional<DaemonHealth>();
    }
    return text.status();
  }
  Result<DaemonHealth> health = ParseHealth(*text);
  if (!health.ok()) return health.status().WithContext("'" + HealthPath(run_dir) + "'");
  return std::optional<DaemonHealth>(std::move(health).value());
}

std::string RenderStatusReport(const std::optional<DaemonHealth>& health, bool daemon_alive,
                               const std::vector<StatusRecord>& networks) {
  std::string out;
  if (health && daemon_alive) {
    out += "virtnatd: running (pid " + std::to_string(health->pid) + ")\n";
  } else {
    out += "virtnatd: not running\n";
  }
  for (const StatusRecord& record : networks) {
    out += "network '" + record.name + "': active, bridge " + record.bridge;
    if (record.dnsmasq) out += ", dnsmasq pid " + std::to_string(record.dnsmasq->pid);
    out += "\n";
  }
  if (!health || !daemon_alive) return out;
  if (health->repairs > 0) {
    out += "firewall rules restored " + std::to_string(health->repairs) + " time" +
           (health->repairs == 1 ? "" : "s") + " since start-up\n";
  }
  for (const std::string& warning : health->warnings) out += "warning: " + warning + "\n";
  return out;
}

}  // namespace virtnat::driver
