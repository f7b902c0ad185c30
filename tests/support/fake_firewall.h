#pragma once
// A Firewall that only records: for tests of code that drives a Firewall.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "driver/firewall/firewall.h"

namespace virtnat::driver {

class FakeFirewall : public Firewall {
 public:
  struct Call {
    std::string verb;  // "apply" / "remove"
    std::string network;
    bool operator==(const Call&) const = default;
  };

  Status Apply(const std::string& network, const FirewallPlan& plan) override {
    calls.push_back({"apply", network});
    if (fail_next) return TakeFailure();
    if (applied.count(network)) {
      return InternalError("firewall rules of network '" + network + "' are already applied");
    }
    applied[network] = *plan.rules;
    return Status::Ok();
  }

  Status Remove(const std::string& network) override {
    calls.push_back({"remove", network});
    if (fail_next) return TakeFailure();
    applied.erase(network);
    return Status::Ok();
  }

  std::vector<Call> calls;
  std::map<std::string, NftNetworkRules> applied;  // what the kernel would hold
  std::optional<Error> fail_next;                  // the next call fails with this

 private:
  Status TakeFailure() {
    Error e = *fail_next;
    fail_next.reset();
    return e;
  }
};

}  // namespace virtnat::driver
