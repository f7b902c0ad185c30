#pragma once
// HostFacts (host_facts.h) read from the kernel over netlink.

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/link/host_facts.h"
#include "driver/link/nl_ptr.h"

namespace virtnat::driver {

class RealHostFacts final : public HostFacts {
 public:
  // Every later call reads the network namespace of the thread calling Open().
  static Result<std::unique_ptr<RealHostFacts>> Open();

  Result<bool> InterfaceExists(const std::string& name) override;
  Result<std::vector<std::string>> InterfaceNames() override;
  Result<std::vector<HostRoute>> Ipv4Routes() override;
  // Sends a bridge creation the kernel must refuse: a bridge attribute of the
  // wrong size fails the bridge's own validation (so the kind is known);
  // without bridge support the answer is EOPNOTSUPP. Creates nothing.
  Status CheckBridgeSupport() override;
  // NFT_MSG_GETGEN over netfilter netlink.
  Status CheckNftablesSupport() override;

 private:
  explicit RealHostFacts(NlSockPtr sock) : sock_(std::move(sock)) {}
  NlSockPtr sock_;
};

}  // namespace virtnat::driver
