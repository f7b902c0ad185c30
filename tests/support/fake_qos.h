#pragma once
// FakeQos: records the trees it is asked to apply and remove, as the lines
// of DescribeQos, and fails the next Apply on request.

#include <optional>
#include <string>
#include <vector>

#include "driver/qos/qos.h"

namespace virtnat::driver {

class FakeQos final : public Qos {
 public:
  Status Apply(const QosPlan& plan) override {
    calls.push_back("apply " + plan.bridge);
    if (fail_apply) {
      Error e = *fail_apply;
      fail_apply.reset();
      return e;
    }
    applied.push_back(plan);
    return Status::Ok();
  }
  Status Remove(const QosPlan& plan) override {
    calls.push_back("remove " + plan.bridge);
    std::erase(applied, plan);
    return Status::Ok();
  }

  std::vector<std::string> calls;  // "apply virbr0", "remove virbr0"
  std::vector<QosPlan> applied;    // what is on the fake host now
  std::optional<Error> fail_apply;
};

}  // namespace virtnat::driver
