#pragma once
// The seam between the object layer and libvirt's network hook scripts
// (/etc/libvirt/hooks/network and network.d/*). The object layer says what
// happened and hands over the stdin document; a runner decides which
// scripts run and runs them. NullHookRunner: no scripts.

#include <functional>
#include <string>

#include "common/status.h"

namespace virtnat::driver {

// libvirt's virHookNetworkOpType, in its order.
enum class HookOp { kStart, kStarted, kStopped, kPortCreated, kPortDeleted, kUpdated };

struct HookCall {
  std::string network;  // the script's first argument
  HookOp op = HookOp::kStart;
  std::string input;  // the <hookData> document for stdin (HookData())
};

class HookRunner {
 public:
  virtual ~HookRunner() = default;
  using Done = std::function<void(Status)>;
  // Runs the scripts for `call`. `done` gets the outcome exactly once: during
  // this call or later on the loop. Calls for one network run one after
  // another in the order they were made; calls for different networks do
  // not wait for each other. A failure is VIR_ERR_HOOK_SCRIPT_FAILED with
  // libvirt's text. If the runner is destroyed first, `done` is not called.
  virtual void Run(HookCall call, Done done) = 0;
};

class NullHookRunner : public HookRunner {
 public:
  void Run(HookCall, Done done) override { done(Status::Ok()); }
};

}  // namespace virtnat::driver
