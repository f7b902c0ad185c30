// ScriptHookRunner with real scripts in a temporary hooks directory, on a
// private GLib context: the scripts libvirt would run, in its order, with
// its arguments and stdin; a failure's text; a hanging script killed with
// its process group after the timeout while another network's hooks run;
// one network's calls kept in order.

#include "driver/hooks/hook_process.h"

#include <gtest/gtest.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "driver/hooks/network_hook.h"
#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;

class HookProcessTest : public ::testing::Test {
 protected:
  HookProcessTest() { mkdir((dir_ / "network.d").c_str(), 0755); }
  ~HookProcessTest() override {
    runner_.reset();
    g_main_context_unref(context_);
  }

  void Script(const std::string& name, const std::string& body, bool executable = true) {
    std::string path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), executable ? 0755 : 0644);
  }

  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Runs `call` and the loop until it is done (or 10 s pass).
  Status RunAndWait(HookCall call) {
    std::optional<Status> out;
    runner_->Run(std::move(call), [&out](Status st) { out = std::move(st); });
    Iterate([&out] { return out.has_value(); });
    return out ? *out : Status(InternalError("hook never completed"));
  }

  template <typename Pred>
  void Iterate(Pred done) {
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!done() && g_get_monotonic_time() < deadline) g_main_context_iteration(context_, TRUE);
  }

  testing::TempDir dir_;
  GMainContext* context_ = g_main_context_new();
  std::unique_ptr<ScriptHookRunner> runner_ = std::make_unique<ScriptHookRunner>(
      HookRunnerOptions{dir_.path(), milliseconds(1000)}, context_);
};

TEST_F(HookProcessTest, NoScriptsIsSuccess) {
  EXPECT_TRUE(RunAndWait(HookCall{"a", HookOp::kStart, "<hookData/>"}).ok());
}

TEST_F(HookProcessTest, RunsNetworkThenNetworkDWithArgsAndStdin) {
  std::string log = dir_ / "log";
  Script("network", "echo \"main $*\" >>" + log + "; cat >" + (dir_ / "stdin"));
  Script("network.d/20-b", "echo \"20-b $*\" >>" + log);
  Script("network.d/10-a", "echo \"10-a $*\" >>" + log);
  Script("network.d/05-off", "echo off >>" + log, false);
  ASSERT_TRUE(RunAndWait(HookCall{"net1", HookOp::kStopped, "<hookData>\n</hookData>"}).ok());
  EXPECT_EQ(Read("log"),
            "main net1 stopped end -\n"
            "10-a net1 stopped end -\n"
            "20-b net1 stopped end -\n");
  EXPECT_EQ(Read("stdin"), "<hookData>\n</hookData>");
}

TEST_F(HookProcessTest, FailureIsLibvirtsErrorAndLaterScriptsStillRun) {
  std::string log = dir_ / "log";
  Script("network", "echo 'not allowed' >&2; exit 3");
  Script("network.d/x", "echo ran >>" + log);
  Status st = RunAndWait(HookCall{"net1", HookOp::kStart, ""});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, VIR_ERR_HOOK_SCRIPT_FAILED);
  EXPECT_EQ(st.message().rfind("Hook script execution failed: internal error: Child process "
                               "(LC_ALL=C ",
                               0),
            0u)
      << st.message();
  std::string tail = dir_.path() +
                     "/network net1 start begin -) unexpected exit status 3: "
                     "not allowed";
  EXPECT_EQ(st.message().substr(st.message().size() - tail.size()), tail) << st.message();
  EXPECT_EQ(Read("log"), "ran\n");
}

TEST_F(HookProcessTest, HangingScriptIsKilledWithItsGroupWhileOtherNetworksRun) {
  std::string pidfile = dir_ / "child.pid";
  // The script's own child must go too: it is in the script's group.
  Script("network", "if [ \"$1\" = slow ]; then sleep 1000 & echo $! >" + pidfile +
                        "; wait; fi\n"
                        "echo \"$1 $2\" >>" +
                        (dir_ / "log"));
  std::optional<Status> slow, fast;
  runner_->Run(HookCall{"slow", HookOp::kStart, ""}, [&slow](Status st) { slow = std::move(st); });
  runner_->Run(HookCall{"fast", HookOp::kStart, ""}, [&fast](Status st) { fast = std::move(st); });
  Iterate([&fast] { return fast.has_value(); });
  ASSERT_TRUE(fast);
  EXPECT_TRUE(fast->ok());
  EXPECT_FALSE(slow) << "the slow network's hook is still running";
  Iterate([&slow] { return slow.has_value(); });
  ASSERT_TRUE(slow);
  ASSERT_FALSE(slow->ok());
  EXPECT_NE(slow->message().find("did not finish within 1 seconds and was killed"),
            std::string::npos)
      << slow->message();
  pid_t child = std::stoi(Read("child.pid"));
  // Killed: gone, or a zombie until its new parent reaps it.
  std::string state;
  for (int i = 0; i < 200; ++i) {
    std::string ignored;
    state.clear();
    std::ifstream("/proc/" + std::to_string(child) + "/stat") >> ignored >> ignored >> state;
    if (state.empty() || state == "Z") break;
    g_usleep(10000);
  }
  EXPECT_TRUE(state.empty() || state == "Z") << state;
}

TEST_F(HookProcessTest, OneNetworksCallsRunInOrder) {
  // Earlier calls take longer: only the runner's queue keeps them in order.
  Script("network",
         "case $2 in start) sleep 0.3 ;; started) sleep 0.1 ;; esac\n"
         "echo \"$2\" >>" +
             (dir_ / "log"));
  std::vector<std::string> done;
  for (HookOp op : {HookOp::kStart, HookOp::kStarted, HookOp::kStopped}) {
    runner_->Run(HookCall{"a", op, ""}, [&done, op](Status st) {
      EXPECT_TRUE(st.ok());
      done.push_back(HookOpName(op));
    });
  }
  Iterate([&done] { return done.size() == 3; });
  EXPECT_EQ(done, (std::vector<std::string>{"start", "started", "stopped"}));
  EXPECT_EQ(Read("log"), "start\nstarted\nstopped\n");
}

}  // namespace
}  // namespace virtnat::driver
