#pragma once
// FakeQos: records the trees it is asked to apply and remove, and the
// floors it is asked to add and remove (as DescribeFloorAdd / Remove and
// DescribeOpenClassChange lines), and fails the next Apply or AddFloor on
// request.

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

  Status AddFloor(const FloorClass& floor, const HtbShaper& open) override {
    calls.push_back("add floor 1:" + std::to_string(floor.id) + " " + floor.bridge);
    if (fail_floor) {
      Error e = *fail_floor;
      fail_floor.reset();
      return e;
    }
    floors.push_back(floor);
    tc += DescribeFloorAdd(floor) + DescribeOpenClassChange(open);
    return Status::Ok();
  }
  Status RemoveFloor(const FloorClass& floor, const HtbShaper& open) override {
    calls.push_back("remove floor 1:" + std::to_string(floor.id) + " " + floor.bridge);
    std::erase(floors, floor);
    tc += DescribeFloorRemove(floor) + DescribeOpenClassChange(open);
    return Status::Ok();
  }

  std::vector<std::string> calls;  // "apply virbr0", "remove virbr0", "add floor 1:3 virbr0"
  std::vector<QosPlan> applied;    // what is on the fake host now
  std::vector<FloorClass> floors;  // the floor classes on the fake host now
  std::string tc;                  // the floor steps, in tc's words
  std::optional<Error> fail_apply;
  std::optional<Error> fail_floor;
};

}  // namespace virtnat::driver
