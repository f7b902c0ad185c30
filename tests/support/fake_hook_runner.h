#pragma once
// A HookRunner that runs nothing: it records each call (into a shared log,
// so tests see hooks interleaved with host effects), fails the operations it
// is told to fail, and holds back the calls of networks it is told to hold
// until the test releases them.

#include <libvirt/virterror.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "driver/hooks/hook_runner.h"
#include "driver/hooks/network_hook.h"

namespace virtnat::testing {

class FakeHookRunner : public driver::HookRunner {
 public:
  explicit FakeHookRunner(std::vector<std::string>* log) : log_(log) {}

  void Run(driver::HookCall call, Done done) override {
    log_->push_back(std::string("hook ") + call.network + " " + driver::HookOpName(call.op) + " " +
                    driver::HookSubOpName(call.op));
    calls.push_back(call);
    if (held.count(call.network)) {
      waiting.emplace_back(std::move(call), std::move(done));
      return;
    }
    done(Outcome(call));
  }

  // Completes the held calls of `network`, in order; how many there were.
  size_t Release(const std::string& network) {
    held.erase(network);
    size_t n = 0;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->first.network != network) {
        ++it;
        continue;
      }
      auto [call, done] = std::move(*it);
      it = waiting.erase(it);
      ++n;
      done(Outcome(call));
    }
    return n;
  }

  std::set<driver::HookOp> failing;  // these fail with kFailure
  std::set<std::string> held;        // these networks' calls wait for Release()
  std::vector<driver::HookCall> calls;
  std::vector<std::pair<driver::HookCall, Done>> waiting;
  static constexpr const char* kFailure =
      "Hook script execution failed: internal error: Child process (LC_ALL=C "
      "/etc/libvirt/hooks/network a start begin -) unexpected exit status 1: no";

 private:
  Status Outcome(const driver::HookCall& call) const {
    if (!failing.count(call.op)) return Status::Ok();
    return Error{VIR_ERR_HOOK_SCRIPT_FAILED, VIR_FROM_HOOK, kFailure};
  }

  std::vector<std::string>* log_;
};

}  // namespace virtnat::testing
