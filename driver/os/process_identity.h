#pragma once
// Recognising a process again after a daemon restart. A pid alone is not an
// identity: the kernel reuses pids, so a recorded pid may now belong to
// another program. The start time (field 22 of /proc/PID/stat, clock ticks
// since boot) together with the pid names one process per boot; the command
// line guards against a record taken from another boot.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

struct ProcessIdentity {
  uint64_t start_time = 0;           // /proc/PID/stat field 22
  std::vector<std::string> cmdline;  // /proc/PID/cmdline split at NULs
};

// Reads the identity of a running process. For a process we spawned, call
// it once exec has happened (posix_spawn returns after exec), or the command
// line is still the parent's.
// Errors: VIR_ERR_SYSTEM_ERROR naming the /proc file (ENOENT: no process).
Result<ProcessIdentity> ReadProcessIdentity(pid_t pid);

// /proc/PID/cmdline split at its NULs: the daemon's one reader of it.
// Errors: VIR_ERR_SYSTEM_ERROR naming the file (ENOENT: no process).
Result<std::vector<std::string>> ReadProcessCmdline(pid_t pid);

// True if `pid` runs exactly `argv`. False for a missing process or a zombie
// (its command line is empty).
// REQUIRES: `argv` is not empty.
bool ProcessRuns(pid_t pid, const std::vector<std::string>& argv);

// True if `pid` is alive, started at `start_time` and runs exactly
// `expected_cmdline`. False for a missing process, a zombie (its command line
// is empty), or one that differs in either.
bool ProcessMatches(pid_t pid, uint64_t start_time,
                    const std::vector<std::string>& expected_cmdline);

// The pids in /proc (every process of the pid namespace /proc belongs to),
// ascending; empty if /proc cannot be read.
std::vector<pid_t> ListProcesses();

// The processes (zombies aside) that have `argument` among their arguments,
// with their identities, read from /proc.
std::vector<std::pair<pid_t, ProcessIdentity>> ProcessesWithArgument(const std::string& argument);

// Parses the contents of /proc/PID/stat; the command name (field 2) may hold
// spaces and parentheses, so fields are counted after its last ')'.
Result<uint64_t> ParseStartTime(const std::string& stat);

}  // namespace virtnat::driver
