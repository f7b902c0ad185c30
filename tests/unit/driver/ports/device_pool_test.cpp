// The pool of a <pf>: virtual functions read from a fake sysfs tree (this
// machine has no SR-IOV device) and turned into the live pool.

#include "driver/ports/device_pool.h"

#include <gtest/gtest.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "driver/ports/sysfs_vfs.h"

namespace virtnat::driver {
namespace {

namespace fs = std::filesystem;

// ROOT/bus/pci/devices/ADDR[/net/NETDEV] and ROOT/class/net/PF/device/virtfnN
// links, as the kernel lays them out.
class FakeSysfs {
 public:
  FakeSysfs() {
    char tmpl[] = "/tmp/virtnat-sysfs-XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  ~FakeSysfs() { fs::remove_all(root_); }
  void AddVf(const std::string& pf, unsigned index, const std::string& address,
             const std::string& netdev) {
    fs::path dev = fs::path(root_) / "bus/pci/devices" / address;
    fs::create_directories(dev);
    if (!netdev.empty()) fs::create_directories(dev / "net" / netdev);
    fs::path pfdir = fs::path(root_) / "class/net" / pf / "device";
    fs::create_directories(pfdir);
    fs::create_symlink(dev, pfdir / ("virtfn" + std::to_string(index)));
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

TEST(DevicePoolTest, ReadsVirtualFunctionsInIndexOrderUpToTheFirstGap) {
  FakeSysfs sysfs;
  sysfs.AddVf("eth0", 0, "0000:03:10.0", "eth0v0");
  sysfs.AddVf("eth0", 1, "0000:03:10.2", "");
  sysfs.AddVf("eth0", 2, "0000:0a:1f.7", "eth0v2");
  sysfs.AddVf("eth0", 4, "0000:03:11.0", "eth0v4");  // after a gap: not read
  Result<std::vector<VirtualFunction>> vfs = ReadVirtualFunctions(sysfs.root(), "eth0");
  ASSERT_TRUE(vfs.ok()) << vfs.error().message;
  ASSERT_EQ(vfs->size(), 3u);
  EXPECT_EQ((*vfs)[0].address, (xml::PciAddress{0, 3, 0x10, 0}));
  EXPECT_EQ((*vfs)[0].netdev, "eth0v0");
  EXPECT_EQ((*vfs)[1].netdev, "");
  EXPECT_EQ((*vfs)[2].address, (xml::PciAddress{0, 0x0a, 0x1f, 7}));
  EXPECT_TRUE(ReadVirtualFunctions(sysfs.root(), "nosuchpf")->empty());
}

TEST(DevicePoolTest, ALinkThatNamesNoPciAddressIsLibvirtsError) {
  FakeSysfs sysfs;
  fs::create_directories(fs::path(sysfs.root()) / "class/net/eth0/device");
  // An existing directory whose name is no PCI address.
  fs::create_directories(fs::path(sysfs.root()) / "garbage");
  fs::create_symlink(fs::path(sysfs.root()) / "garbage",
                     fs::path(sysfs.root()) / "class/net/eth0/device/virtfn0");
  Result<std::vector<VirtualFunction>> vfs = ReadVirtualFunctions(sysfs.root(), "eth0");
  ASSERT_FALSE(vfs.ok());
  EXPECT_EQ(vfs.error().message, "internal error: Failed to get SRIOV function from device link '" +
                                     sysfs.root() + "/class/net/eth0/device/virtfn0'");
}

TEST(DevicePoolTest, SysfsRootIsOverriddenForTestsOnly) {
  unsetenv("VIRTNAT_TEST_SYSFS_ROOT");
  EXPECT_EQ(SysfsRoot(), "/sys");
  setenv("VIRTNAT_TEST_SYSFS_ROOT", "/tmp/x", 1);
  EXPECT_EQ(SysfsRoot(), "/tmp/x");
  unsetenv("VIRTNAT_TEST_SYSFS_ROOT");
}

TEST(DevicePoolTest, PoolPerMode) {
  const std::vector<VirtualFunction> vfs{{{0, 3, 0x10, 0}, "eth0v0"}, {{0, 3, 0x10, 2}, ""}};
  xml::NetworkDef macvtap;
  macvtap.forward.mode = xml::ForwardMode::kPassthrough;
  macvtap.forward.pf_devs = {"eth0"};
  ASSERT_TRUE(NeedsVirtualFunctionPool(macvtap));
  ASSERT_TRUE(FillVirtualFunctionPool(macvtap, vfs).ok());
  ASSERT_EQ(macvtap.forward.interfaces.size(), 1u);  // the VF without netdev is left out
  EXPECT_EQ(macvtap.forward.interfaces[0].dev, "eth0v0");
  EXPECT_FALSE(NeedsVirtualFunctionPool(macvtap));

  xml::NetworkDef hostdev;
  hostdev.forward.mode = xml::ForwardMode::kHostdev;
  hostdev.forward.pf_devs = {"eth0"};
  ASSERT_TRUE(FillVirtualFunctionPool(hostdev, vfs).ok());
  EXPECT_EQ(hostdev.forward.pci_addresses.size(), 2u);

  xml::NetworkDef empty = hostdev;
  empty.forward.pci_addresses.clear();
  Status st = FillVirtualFunctionPool(empty, {});
  EXPECT_EQ(st.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(st.message(), "internal error: No usable Vf's present on SRIOV PF eth0");
}

}  // namespace
}  // namespace virtnat::driver
