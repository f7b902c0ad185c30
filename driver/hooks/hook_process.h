#pragma once
// Runs libvirt's network hook scripts as children on a GLib main context,
// never blocking it: each script gets the <hookData> document on stdin (a
// memfd, so a script that does not read it cannot stall), stdout on
// /dev/null and stderr collected for the error; it runs in its own process
// group, which is killed (SIGKILL) when the script outlasts the timeout.
// Calls for one network run one after another, in order; calls for
// different networks run side by side. Every failure is also logged.
//
// Unlike libvirtd, which looks for the scripts once at start-up (and on
// SIGHUP), the directory is looked at on every call.

#include <glib.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/hooks/hook_runner.h"

namespace virtnat::driver {

struct HookRunnerOptions {
  std::string dir = "/etc/libvirt/hooks";  // holds `network` and `network.d/`
  std::chrono::milliseconds timeout{30000};
};

class ScriptHookRunner : public HookRunner {
 public:
  // `context` must outlive the runner (nullptr: the global default).
  ScriptHookRunner(HookRunnerOptions options, GMainContext* context);
  // Kills the process groups of scripts still running; their `done` is not
  // called.
  ~ScriptHookRunner() override;
  ScriptHookRunner(const ScriptHookRunner&) = delete;
  ScriptHookRunner& operator=(const ScriptHookRunner&) = delete;

  void Run(HookCall call, Done done) override;

  // The executable scripts of `dir` in libvirt's order (network.h).
  static std::vector<std::string> FindScripts(const std::string& dir);

 private:
  struct Child;
  struct Job {
    HookCall call;
    Done done;
    std::vector<std::string> scripts;
    size_t next = 0;
    std::optional<Error> failure;  // the first script that failed
  };
  struct Queue {
    std::deque<Job> jobs;
    bool busy = false;  // Pump() is running or a child of jobs.front() runs
  };

  // Runs the front jobs of `network` until one waits for a child.
  void Pump(const std::string& network);
  // Starts the next script of the front job; false when none is left.
  bool StartNext(const std::string& network, Job& job);
  void OnChildDone(std::string network, Status status);

  HookRunnerOptions options_;
  GMainContext* context_;
  std::map<std::string, Queue> queues_;
  std::map<std::string, std::unique_ptr<Child>> children_;  // by network
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace virtnat::driver
