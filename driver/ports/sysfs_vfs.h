#pragma once
// The virtual functions of an SR-IOV physical function as sysfs shows them:
// ROOT/class/net/PF/device/virtfnN (N = 0, 1, ... up to the first gap), each
// a link to the VF's PCI device directory (named DDDD:BB:SS.F), whose net/
// directory names the VF's network device if it has one.
//
// ROOT is "/sys"; tests point it elsewhere with the environment variable
// VIRTNAT_TEST_SYSFS_ROOT (test use only: it makes the daemon believe in
// devices that do not exist).

#include <string>
#include <vector>

#include "common/status.h"
#include "driver/ports/device_pool.h"

namespace virtnat::driver {

// "/sys", or VIRTNAT_TEST_SYSFS_ROOT when set and not empty.
std::string SysfsRoot();

// A PF without sysfs entries has no VFs (an empty list, as libvirt reads
// it). Errors: INTERNAL_ERROR "Failed to get SRIOV function from device link
// 'PATH'" for a virtfn link that names no PCI address.
Result<std::vector<VirtualFunction>> ReadVirtualFunctions(const std::string& sysfs_root,
                                                          const std::string& pf);

// libvirt's define-time check of a hostdev pool listed by PCI address:
// every address is a VF (ROOT/bus/pci/devices/DDDD:BB:SS.F/physfn exists).
// Error: CONFIG_UNSUPPORTED "device 'PATH' in network 'N' is not an SR-IOV
// Virtual Function".
Status CheckVirtualFunctionAddresses(const std::string& sysfs_root, const xml::NetworkDef& def);

}  // namespace virtnat::driver
