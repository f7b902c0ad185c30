#pragma once
// The seam between the realizer and the kernel's traffic control: a QosPlan
// (qos_plan.h) applied to and removed from the host. The real one is
// NetlinkQos (qos_netlink.h); tests use a recording fake.

#include "common/status.h"
#include "driver/qos/qos_plan.h"

namespace virtnat::driver {

class Qos {
 public:
  virtual ~Qos() = default;
  // Builds the plan's tree. REQUIRES: the bridge exists and has no qdiscs
  // of its own; the plan's ifb device does not exist. On failure, what was
  // built is removed again. A piece the kernel lacks fails with a message
  // naming the missing module.
  virtual Status Apply(const QosPlan& plan) = 0;
  // Removes the plan's tree: the bridge's root and ingress qdiscs (if the
  // bridge still exists) and the ifb device. Best effort: every step runs,
  // the first error is returned; what is already gone is no error.
  virtual Status Remove(const QosPlan& plan) = 0;
  // Builds a port's floor class, its leaf and its filter, and sets class
  // 1:2 to `open` (OpenClassRate with the new floor sum). REQUIRES: the
  // network's hierarchical <inbound> tree on the bridge. What is there
  // already with the same ids is changed to the plan (a restarted daemon
  // taking its ports back); on failure what was added is removed again.
  virtual Status AddFloor(const FloorClass& floor, const HtbShaper& open) = 0;
  // Removes the port's filter, leaf and class and sets 1:2 to `open`. Best
  // effort, as Remove.
  virtual Status RemoveFloor(const FloorClass& floor, const HtbShaper& open) = 0;
};

}  // namespace virtnat::driver
