#include "driver/os/process_identity.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <sstream>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

// Fields after the closing parenthesis of field 2 start with field 3 (state).
constexpr int kStartTimeField = 22;
constexpr int kFirstFieldAfterComm = 3;
constexpr size_t kMaxProcFileSize = 1 << 20;

std::string ProcPath(pid_t pid, const char* file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

}  // namespace

Result<uint64_t> ParseStartTime(const std::string& stat) {
  size_t paren = stat.rfind(')');
  if (paren != std::string::npos) {
    std::istringstream fields(stat.substr(paren + 1));
    std::string field;
    for (int n = kFirstFieldAfterComm; fields >> field; ++n) {
      if (n != kStartTimeField) continue;
      uint64_t value = 0;
      auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (ec == std::errc() && end == field.data() + field.size()) return value;
      break;
    }
  }
  return InternalError("malformed /proc stat line '" + stat.substr(0, 200) + "'");
}

Result<ProcessIdentity> ReadProcessIdentity(pid_t pid) {
  if (pid <= 0) return InternalError("invalid pid " + std::to_string(pid));
  ProcessIdentity id;
  ASSIGN_OR_RETURN(std::string stat, ReadFileLimited(ProcPath(pid, "stat"), kMaxProcFileSize));
  ASSIGN_OR_RETURN(id.start_time, ParseStartTime(stat));
  ASSIGN_OR_RETURN(id.cmdline, ReadProcessCmdline(pid));
  return id;
}

Result<std::vector<std::string>> ReadProcessCmdline(pid_t pid) {
  if (pid <= 0) return InternalError("invalid pid " + std::to_string(pid));
  ASSIGN_OR_RETURN(std::string cmdline,
                   ReadFileLimited(ProcPath(pid, "cmdline"), kMaxProcFileSize));
  // Each argument ends in a NUL, the last one included (a process that
  // rewrote its arguments may have dropped the last NUL).
  std::vector<std::string> args;
  size_t start = 0;
  while (start < cmdline.size()) {
    size_t nul = cmdline.find('\0', start);
    if (nul == std::string::npos) nul = cmdline.size();
    args.push_back(cmdline.substr(start, nul - start));
    start = nul + 1;
  }
  return args;
}

bool ProcessRuns(pid_t pid, const std::vector<std::string>& argv) {
  Result<std::vector<std::string>> cmdline = ReadProcessCmdline(pid);
  return cmdline.ok() && *cmdline == argv;
}

std::vector<pid_t> ListProcesses() {
  std::vector<pid_t> pids;
  for (const std::string& name : ListDirectory("/proc").value_or(std::vector<std::string>{})) {
    pid_t pid = 0;
    const char* end = name.data() + name.size();
    auto [last, ec] = std::from_chars(name.data(), end, pid);
    if (ec == std::errc() && last == end && pid > 0) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::vector<std::pair<pid_t, ProcessIdentity>> ProcessesWithArgument(const std::string& argument) {
  std::vector<std::pair<pid_t, ProcessIdentity>> out;
  for (pid_t pid : ListProcesses()) {
    Result<ProcessIdentity> id = ReadProcessIdentity(pid);
    if (!id.ok() || id->cmdline.size() < 2) continue;
    if (std::find(id->cmdline.begin() + 1, id->cmdline.end(), argument) != id->cmdline.end()) {
      out.emplace_back(pid, std::move(id).value());
    }
  }
  return out;
}

bool ProcessMatches(pid_t pid, uint64_t start_time,
                    const std::vector<std::string>& expected_cmdline) {
  Result<ProcessIdentity> id = ReadProcessIdentity(pid);
  return id.ok() && !id->cmdline.empty() && id->start_time == start_time &&
         id->cmdline == expected_cmdline;
}

}  // namespace virtnat::driver
