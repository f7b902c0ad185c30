#pragma once
// The real DriftHost (drift_repair.h): the daemon's NftFirewall and, when
// given, its HostRealizer. A network is running when either holds a record
// for it: the firewall's is made by the start's firewall step and dropped by
// every stop (even one whose removal batch failed), the realizer's by a
// completed start or adoption and dropped by every stop, so a stopped
// network is never restored.

#include "driver/drift/drift_repair.h"
#include "driver/firewall/firewall_nft.h"
#include "driver/realize/host_realizer.h"

namespace virtnat::driver {

class FirewallDriftHost final : public DriftHost {
 public:
  // `realizer` (may be null) supplies bridge names and forwarding; both
  // outlive this object.
  FirewallDriftHost(NftFirewall& firewall, const HostRealizer* realizer)
      : firewall_(firewall), realizer_(realizer) {}

  // Also completes the firewall's records: the record of a network adopted
  // from a status record names its objects only (enough to remove them), so
  // the rules themselves are taken from the realizer's plan, for this check
  // and for any later rebuild (RestoreAll, also after a failed Remove).
  std::vector<RunningNetwork> Running() override;
  Result<NftInventory> ReadInventory(const std::vector<NftTableInfo>& count_in,
                                     CountedTables counted) override;
  Status RestoreFirewall() override { return firewall_.RestoreAll(); }

 private:
  NftFirewall& firewall_;
  const HostRealizer* realizer_;
};

}  // namespace virtnat::driver
