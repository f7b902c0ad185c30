#pragma once
// The implicit device pool of a network that names an SR-IOV physical
// function (<forward><pf dev='eth0'/></forward> without an interface or
// address list): libvirt's networkCreateInterfacePool, run when the network
// starts. Its virtual functions (sysfs_vfs.h reads them) become the live
// definition's pool: their network devices for the macvtap modes, their PCI
// addresses for hostdev.

#include <string>
#include <vector>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct VirtualFunction {
  xml::PciAddress address;
  std::string netdev;  // empty: not bound to a network driver
};

// True when `def` has a <pf> and no explicit pool.
bool NeedsVirtualFunctionPool(const xml::NetworkDef& def);

// Fills the pool of `live` from `vfs` (in VF index order). A VF without a
// network device is left out of a macvtap pool (libvirt only warns). Fails
// with libvirt's INTERNAL_ERROR "No usable Vf's present on SRIOV PF P" when
// the pool stays empty.
Status FillVirtualFunctionPool(xml::NetworkDef& live, const std::vector<VirtualFunction>& vfs);

}  // namespace virtnat::driver
