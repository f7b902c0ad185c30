#include "driver/network_driver.h"

#include <libvirt/libvirt.h>

#include <algorithm>

namespace virtnat::driver {
namespace {

Result<std::vector<NetworkRef>> Sorted(Result<std::vector<NetworkRef>> list) {
  if (!list.ok()) return list;
  std::sort(list->begin(), list->end(),
            [](const NetworkRef& a, const NetworkRef& b) { return a.name < b.name; });
  return list;
}

}  // namespace

Result<std::vector<NetworkRef>> NetworkDriver::ListActive() {
  return Sorted(ListAllNetworks(VIR_CONNECT_LIST_NETWORKS_ACTIVE));
}

Result<std::vector<NetworkRef>> NetworkDriver::ListDefined() {
  return Sorted(ListAllNetworks(VIR_CONNECT_LIST_NETWORKS_INACTIVE));
}

}  // namespace virtnat::driver
