#pragma once
// What libvirt's network hooks see, as values: the arguments, the stdin
// document, the environment, which scripts run and the error text of a
// failed one (libvirt src/util/virhook.c, src/network/bridge_driver.c
// networkRunHook). No I/O here: hook_process.h runs the scripts.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "driver/hooks/hook_runner.h"

namespace virtnat::driver {

// libvirt's default hooks directory; the daemon's `hooks_dir` option.
inline constexpr const char* kDefaultHooksDir = "/etc/libvirt/hooks";

// "start", "started", "stopped", "port-created", "port-deleted", "updated".
const char* HookOpName(HookOp op);
// "end" for stopped, "begin" for every other operation (bridge_driver.c).
const char* HookSubOpName(HookOp op);

// SCRIPT NETWORK OP SUBOP -  (the last argument, "extra", is always "-").
std::vector<std::string> HookArgv(const std::string& script, const HookCall& call);

// <hookData> with the network's live XML and, for port operations, the
// port's XML, each indented by two spaces; no newline after </hookData>.
std::string HookData(std::string_view network_xml, std::string_view port_xml = {});

// The child's whole environment, as libvirt's virCommandAddEnvPassCommon
// builds it: LC_ALL=C, then LD_PRELOAD, LD_LIBRARY_PATH, PATH, HOME, USER,
// LOGNAME and TMPDIR where `lookup` (getenv) has them.
std::vector<std::string> HookEnv(const std::function<const char*(const char*)>& lookup);

// The scripts to run, in order: DIR/network if `main_executable`, then the
// executable entries of DIR/network.d (their names, as found), sorted as
// libvirt sorts them (strcmp of the full paths). Every one runs, even after
// one has failed; the call fails if any did.
std::vector<std::string> HookScripts(const std::string& dir, bool main_executable,
                                     std::vector<std::string> executable_entries);

// How a script ended.
struct HookExit {
  bool exited = true;  // false: killed by `signal`
  int code = 0;
  int signal = 0;
  bool timed_out = false;  // killed by the runner after `timeout_seconds`
  unsigned timeout_seconds = 0;
};

// VIR_ERR_HOOK_SCRIPT_FAILED, as virsh shows it for libvirtd:
// "Hook script execution failed: internal error: Child process (ENV ARGV)
// unexpected exit status 1: STDERR". A script killed after the timeout
// reads "... did not finish within N seconds and was killed".
Error HookFailure(const std::vector<std::string>& env, const std::vector<std::string>& argv,
                  const HookExit& exit, std::string_view err);

}  // namespace virtnat::driver
