#include "driver/ports/device_pool.h"

namespace virtnat::driver {

bool NeedsVirtualFunctionPool(const xml::NetworkDef& def) {
  const xml::ForwardDef& fwd = def.forward;
  return !fwd.pf_devs.empty() && fwd.interfaces.empty() && fwd.pci_addresses.empty();
}

Status FillVirtualFunctionPool(xml::NetworkDef& live, const std::vector<VirtualFunction>& vfs) {
  xml::ForwardDef& fwd = live.forward;
  for (const VirtualFunction& vf : vfs) {
    if (fwd.mode == xml::ForwardMode::kHostdev) {
      fwd.pci_addresses.push_back(vf.address);
    } else if (!vf.netdev.empty()) {
      fwd.interfaces.push_back(xml::ForwardInterface{vf.netdev, 0});
    }
  }
  if (fwd.interfaces.empty() && fwd.pci_addresses.empty()) {
    return InternalError("No usable Vf's present on SRIOV PF " + fwd.pf_devs[0]);
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
