// libvirt's network hook protocol as values (driver/hooks/network_hook.h):
// operation names, arguments, the <hookData> document, the environment, the
// order of the scripts and the error text of a failed one.

#include "driver/hooks/network_hook.h"

#include <gtest/gtest.h>
#include <libvirt/virterror.h>

#include <cstring>
#include <map>

namespace virtnat::driver {
namespace {

TEST(NetworkHookTest, OperationsAndSubOperationsAreLibvirts) {
  const std::map<HookOp, std::pair<std::string, std::string>> expected = {
      {HookOp::kStart, {"start", "begin"}},
      {HookOp::kStarted, {"started", "begin"}},
      {HookOp::kStopped, {"stopped", "end"}},
      {HookOp::kPortCreated, {"port-created", "begin"}},
      {HookOp::kPortDeleted, {"port-deleted", "begin"}},
      {HookOp::kUpdated, {"updated", "begin"}},
  };
  for (const auto& [op, names] : expected) {
    EXPECT_EQ(HookOpName(op), names.first);
    EXPECT_EQ(HookSubOpName(op), names.second);
  }
}

TEST(NetworkHookTest, ArgvIsScriptNameOperationSubOperationAndDash) {
  HookCall call{"default", HookOp::kStopped, ""};
  EXPECT_EQ(
      HookArgv("/etc/libvirt/hooks/network", call),
      (std::vector<std::string>{"/etc/libvirt/hooks/network", "default", "stopped", "end", "-"}));
}

TEST(NetworkHookTest, HookDataIndentsTheNetworkAndThePort) {
  EXPECT_EQ(HookData("<network>\n  <name>a</name>\n</network>\n"),
            "<hookData>\n"
            "  <network>\n"
            "    <name>a</name>\n"
            "  </network>\n"
            "</hookData>");
  EXPECT_EQ(HookData("<network connections='1'>\n</network>\n",
                     "<networkport>\n  <uuid>u</uuid>\n</networkport>\n"),
            "<hookData>\n"
            "  <network connections='1'>\n"
            "  </network>\n"
            "  <networkport>\n"
            "    <uuid>u</uuid>\n"
            "  </networkport>\n"
            "</hookData>");
  // A document without a final newline still closes on its own line.
  EXPECT_EQ(HookData("<network/>"), "<hookData>\n  <network/>\n</hookData>");
}

TEST(NetworkHookTest, EnvironmentIsLibvirtsCommonSet) {
  std::map<std::string, std::string> env = {
      {"PATH", "/usr/bin"}, {"HOME", "/root"}, {"SECRET", "x"}, {"TMPDIR", "/tmp"}};
  std::vector<std::string> got = HookEnv([&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  EXPECT_EQ(got,
            (std::vector<std::string>{"LC_ALL=C", "PATH=/usr/bin", "HOME=/root", "TMPDIR=/tmp"}));
}

TEST(NetworkHookTest, MainScriptFirstThenNetworkDInStrcmpOrder) {
  EXPECT_EQ(HookScripts("/h", true, {"b", "10-x", "2-y", "B"}),
            (std::vector<std::string>{"/h/network", "/h/network.d/10-x", "/h/network.d/2-y",
                                      "/h/network.d/B", "/h/network.d/b"}));
  EXPECT_EQ(HookScripts("/h", false, {"only"}), (std::vector<std::string>{"/h/network.d/only"}));
  EXPECT_TRUE(HookScripts("/h", false, {}).empty());
}

TEST(NetworkHookTest, FailureReadsAsLibvirtsHookError) {
  std::vector<std::string> env = {"LC_ALL=C", "PATH=/usr/bin"};
  std::vector<std::string> argv = {"/h/network", "default", "start", "begin", "-"};
  HookExit exit;
  exit.code = 1;
  Error e = HookFailure(env, argv, exit, "not today\n");
  EXPECT_EQ(e.code, VIR_ERR_HOOK_SCRIPT_FAILED);
  EXPECT_EQ(e.domain, VIR_FROM_HOOK);
  EXPECT_EQ(e.message,
            "Hook script execution failed: internal error: Child process (LC_ALL=C "
            "PATH=/usr/bin /h/network default start begin -) unexpected exit status 1: not today");
  EXPECT_EQ(HookFailure(env, argv, exit, "").message,
            "Hook script execution failed: internal error: Child process (LC_ALL=C "
            "PATH=/usr/bin /h/network default start begin -) unexpected exit status 1");
  HookExit killed;
  killed.exited = false;
  killed.signal = 9;
  EXPECT_NE(HookFailure(env, argv, killed, "").message.find("unexpected fatal signal 9"),
            std::string::npos);
  killed.timed_out = true;
  killed.timeout_seconds = 30;
  EXPECT_NE(HookFailure(env, argv, killed, "")
                .message.find("did not finish within 30 seconds and was killed"),
            std::string::npos);
  // A name with a space is quoted as libvirt quotes it.
  argv[1] = "my net";
  EXPECT_NE(HookFailure(env, argv, exit, "").message.find("/h/network 'my net' start"),
            std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver
