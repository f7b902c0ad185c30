#include "driver/ports/sysfs_vfs.h"

#include <limits.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// "DDDD:BB:SS.F", the last component of the link's target.
std::optional<xml::PciAddress> AddressOfLink(const std::string& link) {
  char target[PATH_MAX];
  ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
  if (n <= 0) return std::nullopt;
  std::string text(target, static_cast<size_t>(n));
  text = text.substr(text.find_last_of('/') + 1);
  unsigned domain = 0, bus = 0, slot = 0, function = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%x:%x:%x.%x%n", &domain, &bus, &slot, &function, &used) != 4 ||
      static_cast<size_t>(used) != text.size()) {
    return std::nullopt;
  }
  return xml::PciAddress{domain, bus, slot, function};
}

}  // namespace

std::string SysfsRoot() {
  const char* root = std::getenv("VIRTNAT_TEST_SYSFS_ROOT");
  return root && *root ? root : "/sys";
}

Result<std::vector<VirtualFunction>> ReadVirtualFunctions(const std::string& sysfs_root,
                                                          const std::string& pf) {
  std::vector<VirtualFunction> vfs;
  const std::string device = sysfs_root + "/class/net/" + pf + "/device";
  for (size_t i = 0;; ++i) {
    const std::string link = device + "/virtfn" + std::to_string(i);
    if (!Exists(link)) break;
    std::optional<xml::PciAddress> address = AddressOfLink(link);
    if (!address) {
      return InternalError("Failed to get SRIOV function from device link '" + link + "'");
    }
    VirtualFunction vf{*address, ""};
    if (std::optional<std::vector<std::string>> names = ListDirectory(link + "/net");
        names && !names->empty()) {
      vf.netdev = names->front();
    }
    vfs.push_back(std::move(vf));
  }
  return vfs;
}

Status CheckVirtualFunctionAddresses(const std::string& sysfs_root, const xml::NetworkDef& def) {
  for (const xml::PciAddress& a : def.forward.pci_addresses) {
    char name[64];
    std::snprintf(name, sizeof name, "%04x:%02x:%02x.%x", a.domain, a.bus, a.slot, a.function);
    const std::string path = sysfs_root + "/bus/pci/devices/" + name;
    if (!Exists(path + "/physfn")) {
      return ConfigUnsupported("device '" + path + "' in network '" + def.name +
                               "' is not an SR-IOV Virtual Function");
    }
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
