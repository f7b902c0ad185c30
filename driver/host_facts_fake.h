#pragma once
// FakeHostFacts: host facts as plain data, for unit tests.

#include <algorithm>
#include <string>
#include <vector>

#include "driver/host_facts.h"

namespace virtnat::driver {

class FakeHostFacts final : public HostFacts {
 public:
  Result<bool> InterfaceExists(const std::string& name) override {
    return std::find(interfaces.begin(), interfaces.end(), name) != interfaces.end();
  }
  Result<std::vector<std::string>> InterfaceNames() override { return interfaces; }
  Result<std::vector<HostRoute>> Ipv4Routes() override { return routes; }

  std::vector<std::string> interfaces{"lo"};
  std::vector<HostRoute> routes;
};

}  // namespace virtnat::driver
