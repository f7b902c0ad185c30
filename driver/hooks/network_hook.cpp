#include "driver/hooks/network_hook.h"

#include <libvirt/virterror.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace virtnat::driver {
namespace {

// libvirt quotes an argument in its command text when it holds anything
// outside this set (virCommandToString via virBufferEscapeShell).
bool NeedsQuotes(std::string_view arg) {
  if (arg.empty()) return true;
  return std::any_of(arg.begin(), arg.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./:=@%+,", c));
  });
}

std::string ShellWord(std::string_view arg) {
  if (!NeedsQuotes(arg)) return std::string(arg);
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void AppendIndented(std::string& out, std::string_view xml) {
  while (!xml.empty()) {
    size_t end = xml.find('\n');
    std::string_view line = xml.substr(0, end);
    if (!line.empty()) out.append("  ").append(line);
    out += '\n';
    if (end == std::string_view::npos) break;
    xml.remove_prefix(end + 1);
  }
}

std::string TrimEnd(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

const char* HookOpName(HookOp op) {
  switch (op) {
    case HookOp::kStart:
      return "start";
    case HookOp::kStarted:
      return "started";
    case HookOp::kStopped:
      return "stopped";
    case HookOp::kPortCreated:
      return "port-created";
    case HookOp::kPortDeleted:
      return "port-deleted";
    case HookOp::kUpdated:
      return "updated";
  }
  return "-";
}

const char* HookSubOpName(HookOp op) { return op == HookOp::kStopped ? "end" : "begin"; }

std::vector<std::string> HookArgv(const std::string& script, const HookCall& call) {
  return {script, call.network, HookOpName(call.op), HookSubOpName(call.op), "-"};
}

std::string HookData(std::string_view network_xml, std::string_view port_xml) {
  std::string out = "<hookData>\n";
  AppendIndented(out, network_xml);
  if (!port_xml.empty()) AppendIndented(out, port_xml);
  // The formatters end with a newline; a document without one gets it too.
  return out + "</hookData>";
}

std::vector<std::string> HookEnv(const std::function<const char*(const char*)>& lookup) {
  std::vector<std::string> env{"LC_ALL=C"};
  for (const char* name :
       {"LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "USER", "LOGNAME", "TMPDIR"}) {
    if (const char* value = lookup(name)) env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

std::vector<std::string> HookScripts(const std::string& dir, bool main_executable,
                                     std::vector<std::string> executable_entries) {
  std::vector<std::string> scripts;
  if (main_executable) scripts.push_back(dir + "/network");
  std::vector<std::string> entries;
  for (const std::string& name : executable_entries) entries.push_back(dir + "/network.d/" + name);
  std::sort(entries.begin(), entries.end(), [](const std::string& a, const std::string& b) {
    return std::strcmp(a.c_str(), b.c_str()) < 0;
  });
  scripts.insert(scripts.end(), entries.begin(), entries.end());
  return scripts;
}

Error HookFailure(const std::vector<std::string>& env, const std::vector<std::string>& argv,
                  const HookExit& exit, std::string_view err) {
  std::string command;
  for (const std::string& e : env) command += ShellWord(e) + " ";
  for (size_t i = 0; i < argv.size(); ++i) command += (i ? " " : "") + ShellWord(argv[i]);
  std::string how;
  if (exit.timed_out) {
    how =
        "did not finish within " + std::to_string(exit.timeout_seconds) + " seconds and was killed";
  } else if (exit.exited) {
    how = "unexpected exit status " + std::to_string(exit.code);
  } else {
    how = "unexpected fatal signal " + std::to_string(exit.signal);
  }
  std::string text = TrimEnd(err);
  return Error{VIR_ERR_HOOK_SCRIPT_FAILED, VIR_FROM_HOOK,
               "Hook script execution failed: internal error: Child process (" + command + ") " +
                   how + (text.empty() ? "" : ": " + text)};
}

}  // namespace virtnat::driver
