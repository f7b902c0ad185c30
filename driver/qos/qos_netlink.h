#pragma once
// Qos (qos.h) on the kernel, through libnl-route's qdisc, class and
// classifier objects (not the tc program).

#include <memory>

#include "common/status.h"
#include "driver/link/nl_ptr.h"
#include "driver/qos/qos.h"

namespace virtnat::driver {

class NetlinkQos final : public Qos {
 public:
  // Opens the netlink socket: every later call acts on the network
  // namespace of the thread calling Open().
  static Result<std::unique_ptr<NetlinkQos>> Open();

  Status Apply(const QosPlan& plan) override;
  Status Remove(const QosPlan& plan) override;
  Status AddFloor(const FloorClass& floor, const HtbShaper& open) override;
  Status RemoveFloor(const FloorClass& floor, const HtbShaper& open) override;

 private:
  explicit NetlinkQos(NlSockPtr sock) : sock_(std::move(sock)) {}
  Status ApplyShaper(const HtbShaper& shaper);
  Status ApplyRedirect(const QosPlan& plan);
  // Remove, deleting the ifb device only with `ifb` (Apply undoing itself
  // deletes it only if it created it).
  Status RemoveParts(const QosPlan& plan, bool ifb);
  // A floor's filter, leaf and class, without touching 1:2.
  Status RemoveFloorParts(int ifindex, const FloorClass& c);

  NlSockPtr sock_;
};

}  // namespace virtnat::driver
