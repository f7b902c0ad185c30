#pragma once
// A realizer whose asynchronous starts and live updates complete only when
// the test says so, to hold a network "being started" or "being updated".

#include <string>
#include <utility>
#include <vector>

#include "driver/network_realizer.h"

namespace virtnat::testing {

class DeferredRealizer : public driver::NullRealizer {
 public:
  struct Pending {
    std::string name;
    StartDone done;
  };

  void StartAsync(const xml::NetworkDef& def, StartDone done) override {
    pending.push_back(Pending{def.name, std::move(done)});
  }

  void ReloadAsync(const xml::NetworkDef& old_def, const xml::NetworkDef&,
                   StartDone done) override {
    pending.push_back(Pending{old_def.name, std::move(done)});
  }

  // Completes the pending start or update of `name`; false if there is none.
  bool Complete(const std::string& name, Status status = Status::Ok()) {
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      if (it->name != name) continue;
      StartDone done = std::move(it->done);
      pending.erase(it);
      done(std::move(status));
      return true;
    }
    return false;
  }

  bool IsPending(const std::string& name) const {
    for (const Pending& p : pending) {
      if (p.name == name) return true;
    }
    return false;
  }

  std::vector<Pending> pending;
};

}  // namespace virtnat::testing
