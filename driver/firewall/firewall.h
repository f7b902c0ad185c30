#pragma once
// The firewall as the driver sees it: add a network's rules, remove them.
// NftFirewall (firewall_nft.h) talks to the kernel; FakeFirewall
// (tests/support/fake_firewall.h) records calls for tests of the driver.

#include <string>

#include "common/status.h"
#include "driver/firewall/firewall_plan.h"

namespace virtnat::driver {

class Firewall {
 public:
  virtual ~Firewall() = default;

  // Adds the plan's rules for `network` atomically (all or nothing) and
  // remembers them. REQUIRES: the network has no rules applied.
  virtual Status Apply(const std::string& network, const FirewallPlan& plan) = 0;

  // Removes exactly what Apply added for `network`, atomically; with the
  // last network, the table goes too. Unknown networks are a no-op. Objects
  // that are gone already (an interrupted stop) do not keep the others.
  virtual Status Remove(const std::string& network) = 0;

  // Changes the rules of a network with rules applied to `plan`'s (a live
  // update). The default removes, then applies; a kernel firewall overrides
  // it with one atomic batch. On error the old rules stay recorded.
  virtual Status Replace(const std::string& network, const FirewallPlan& plan) {
    RETURN_IF_ERROR(Remove(network));
    return Apply(network, plan);
  }
};

}  // namespace virtnat::driver
