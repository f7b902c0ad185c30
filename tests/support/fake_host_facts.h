#pragma once
// FakeHostFacts: host facts as plain data, for unit tests.

#include <algorithm>
#include <string>
#include <vector>

#include "driver/link/host_facts.h"

namespace virtnat::driver {

class FakeHostFacts final : public HostFacts {
 public:
  Result<bool> InterfaceExists(const std::string& name) override {
    return std::find(interfaces.begin(), interfaces.end(), name) != interfaces.end();
  }
  Result<std::vector<std::string>> InterfaceNames() override { return interfaces; }
  Result<std::vector<HostRoute>> Ipv4Routes() override { return routes; }
  Status CheckBridgeSupport() override { return bridge_support; }
  Status CheckNftablesSupport() override { return nftables_support; }

  std::vector<std::string> interfaces{"lo"};
  std::vector<HostRoute> routes;
  Status bridge_support;
  Status nftables_support;
};

}  // namespace virtnat::driver
