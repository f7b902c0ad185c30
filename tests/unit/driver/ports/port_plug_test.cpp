// Plugs per forward mode, device choice, exclusivity and libvirt's errors
// (networkAllocatePort / networkNotifyPort).

#include "driver/ports/port_plug.h"

#include <gtest/gtest.h>
#include <libvirt/virterror.h>

namespace virtnat::driver {
namespace {

using xml::ForwardMode;

xml::NetworkDef Net(ForwardMode mode, std::vector<std::string> devs = {}) {
  xml::NetworkDef def;
  def.name = "pool";
  def.forward.mode = mode;
  for (const std::string& dev : devs) def.forward.interfaces.push_back({dev, 0});
  if (!devs.empty()) def.forward.dev = devs[0];
  return def;
}

xml::VirtualPort Vp(const std::string& type) {
  xml::VirtualPort vp;
  vp.type = type;
  return vp;
}

// The <plug> as FormatPlug prints it inside <networkport>.
std::string Text(const PortPlug& plug) {
  xml::FormatWriter w;
  w.Indent();
  FormatPlug(w, plug);
  return w.Take();
}

// Allocates `n` ports one after another; the devices they got.
std::vector<std::string> AllocateMany(const xml::NetworkDef& def, int n,
                                      std::vector<PortPlug>& in_use) {
  std::vector<std::string> devs;
  for (int i = 0; i < n; ++i) {
    Result<PortPlug> plug = AllocatePlug(def, in_use, std::nullopt);
    EXPECT_TRUE(plug.ok()) << plug.error().message;
    if (!plug.ok()) break;
    devs.push_back(plug->dev);
    in_use.push_back(*plug);
  }
  return devs;
}

TEST(PortPlugTest, MacvtapModesSpreadOverThePool) {
  for (ForwardMode mode : {ForwardMode::kBridge, ForwardMode::kPrivate, ForwardMode::kVepa}) {
    xml::NetworkDef def = Net(mode, {"eth1", "eth2", "eth3"});
    std::vector<PortPlug> in_use;
    EXPECT_EQ(AllocateMany(def, 7, in_use),
              (std::vector<std::string>{"eth1", "eth2", "eth3", "eth1", "eth2", "eth3", "eth1"}));
    // A released device is the least used again.
    in_use.erase(in_use.begin() + 1);
    EXPECT_EQ(AllocatePlug(def, in_use, std::nullopt)->dev, "eth2");
    CountDeviceConnections(def, in_use);
    EXPECT_EQ(def.forward.interfaces[0].connections, 3u);
    EXPECT_EQ(def.forward.interfaces[1].connections, 1u);
    EXPECT_EQ(def.forward.interfaces[2].connections, 2u);
  }
}

TEST(PortPlugTest, DirectPlugNamesDeviceAndMode) {
  xml::NetworkDef def = Net(ForwardMode::kVepa, {"eth1"});
  Result<PortPlug> plug = AllocatePlug(def, {}, std::nullopt);
  ASSERT_TRUE(plug.ok());
  EXPECT_EQ(Text(*plug), "  <plug type='direct' dev='eth1' mode='vepa'/>\n");
  def = Net(ForwardMode::kBridge, {"eth1"});
  EXPECT_EQ(Text(*AllocatePlug(def, {}, std::nullopt)),
            "  <plug type='direct' dev='eth1' mode='bridge'/>\n");
}

TEST(PortPlugTest, PassthroughTakesDevicesAlone) {
  xml::NetworkDef def = Net(ForwardMode::kPassthrough, {"eth1", "eth2"});
  std::vector<PortPlug> in_use;
  EXPECT_EQ(AllocateMany(def, 2, in_use), (std::vector<std::string>{"eth1", "eth2"}));
  Result<PortPlug> third = AllocatePlug(def, in_use, std::nullopt);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(third.error().message,
            "internal error: network 'pool' requires exclusive access to interfaces, but none are "
            "available");
  in_use.erase(in_use.begin());
  EXPECT_EQ(AllocatePlug(def, in_use, std::nullopt)->dev, "eth1");
}

TEST(PortPlugTest, PrivateWith8021QbhIsExclusive) {
  xml::NetworkDef def = Net(ForwardMode::kPrivate, {"eth1"});
  std::vector<PortPlug> in_use{*AllocatePlug(def, {}, Vp("802.1Qbh"))};
  EXPECT_FALSE(AllocatePlug(def, in_use, Vp("802.1Qbh")).ok());
  EXPECT_TRUE(AllocatePlug(def, in_use, Vp("802.1Qbg")).ok());
  EXPECT_TRUE(AllocatePlug(def, in_use, std::nullopt).ok());
}

TEST(PortPlugTest, DirectWithoutPoolIsLibvirtsError) {
  Result<PortPlug> plug = AllocatePlug(Net(ForwardMode::kPrivate), {}, std::nullopt);
  ASSERT_FALSE(plug.ok());
  EXPECT_EQ(plug.error().message,
            "internal error: network 'pool' uses a direct mode, but has no forward dev and no "
            "interface pool");
}

TEST(PortPlugTest, HostBridgeAndManagedBridgePlugs) {
  xml::NetworkDef def = Net(ForwardMode::kBridge);
  def.bridge.name = "br0";
  EXPECT_EQ(Text(*AllocatePlug(def, {}, std::nullopt)),
            "  <plug type='bridge' bridge='br0'/>\n");
  EXPECT_EQ(Text(*AllocatePlug(def, {}, Vp("openvswitch"))),
            "  <plug type='bridge' bridge='br0'/>\n");
  def.bridge.mac_table_manager = xml::MacTableManager::kKernel;
  EXPECT_EQ(Text(*AllocatePlug(def, {}, std::nullopt)),
            "  <plug type='bridge' bridge='br0' macTableManager='kernel'/>\n");
  xml::NetworkDef nat = Net(ForwardMode::kNat);
  nat.bridge.name = "virbr0";
  EXPECT_EQ(Text(*AllocatePlug(nat, {}, std::nullopt)),
            "  <plug type='network' bridge='virbr0'/>\n");
}

TEST(PortPlugTest, VirtualPortTypesRefusedPerMode) {
  xml::NetworkDef bridge = Net(ForwardMode::kBridge);
  bridge.bridge.name = "br0";
  EXPECT_EQ(AllocatePlug(bridge, {}, Vp("802.1Qbg")).error().message,
            "unsupported configuration: <virtualport type='802.1Qbg'> not supported for network "
            "'pool' which uses a bridge device");
  EXPECT_EQ(AllocatePlug(Net(ForwardMode::kVepa, {"eth1"}), {}, Vp("openvswitch")).error().message,
            "unsupported configuration: <virtualport type='openvswitch'> not supported for "
            "network 'pool' which uses a macvtap device");
  xml::NetworkDef nat = Net(ForwardMode::kNat);
  EXPECT_EQ(AllocatePlug(nat, {}, Vp("")).error().message,
            "unsupported configuration: <virtualport type='none'> not supported for network "
            "'pool' which uses IP forwarding");
  xml::NetworkDef hostdev = Net(ForwardMode::kHostdev);
  hostdev.forward.pci_addresses.push_back({0, 3, 0x10, 1});
  EXPECT_EQ(AllocatePlug(hostdev, {}, Vp("openvswitch")).error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_TRUE(AllocatePlug(hostdev, {}, Vp("802.1Qbh")).ok());
}

TEST(PortPlugTest, HostdevTakesFreePciAddresses) {
  xml::NetworkDef def = Net(ForwardMode::kHostdev);
  def.forward.managed = xml::TriState::kYes;
  def.forward.driver_name = "vfio";
  def.forward.pci_addresses = {{0, 3, 0x10, 0}, {0, 3, 0x10, 2}};
  std::vector<PortPlug> in_use;
  for (int i = 0; i < 2; ++i) {
    Result<PortPlug> plug = AllocatePlug(def, in_use, std::nullopt);
    ASSERT_TRUE(plug.ok());
    in_use.push_back(*plug);
  }
  EXPECT_EQ(Text(in_use[1]),
            "  <plug type='hostdev-pci' managed='yes'>\n"
            "    <driver name='vfio'/>\n"
            "    <address domain='0x0000' bus='0x03' slot='0x10' function='0x2'/>\n"
            "  </plug>\n");
  EXPECT_EQ(AllocatePlug(def, in_use, std::nullopt).error().message,
            "internal error: network 'pool' requires exclusive access to interfaces, but none are "
            "available");
  def.forward.managed = xml::TriState::kNo;
  def.forward.driver_name.clear();
  EXPECT_EQ(Text(*AllocatePlug(def, {}, std::nullopt)),
            "  <plug type='hostdev-pci' managed='no'>\n"
            "    <address domain='0x0000' bus='0x03' slot='0x10' function='0x0'/>\n"
            "  </plug>\n");
}

TEST(PortPlugTest, ConfirmPlugChecksPoolAndExclusivity) {
  xml::NetworkDef def = Net(ForwardMode::kPassthrough, {"eth1"});
  PortPlug eth1;
  eth1.type = PlugType::kDirect;
  eth1.dev = "eth1";
  eth1.direct_mode = ForwardMode::kPassthrough;
  EXPECT_TRUE(ConfirmPlug(def, {}, eth1, std::nullopt, "u").ok());
  EXPECT_EQ(ConfirmPlug(def, {eth1}, eth1, std::nullopt, "u").message(),
            "internal error: network 'pool' claims dev='eth1' is already in use by a different "
            "port");
  PortPlug eth9 = eth1;
  eth9.dev = "eth9";
  EXPECT_EQ(ConfirmPlug(def, {}, eth9, std::nullopt, "u").message(),
            "internal error: network 'pool' doesn't have dev='eth9' in use by network port 'u'");
  xml::NetworkDef hostdev = Net(ForwardMode::kHostdev);
  hostdev.forward.pci_addresses = {{0, 3, 0x10, 0}};
  PortPlug pci;
  pci.type = PlugType::kHostdevPci;
  pci.pci = {0, 3, 0x10, 0};
  EXPECT_EQ(ConfirmPlug(hostdev, {pci}, pci, std::nullopt, "u").message(),
            "internal error: network 'pool' claims the PCI device at domain=0 bus=3 slot=16 "
            "function=0 is already in use by a different network port");
  pci.pci.function = 7;
  EXPECT_EQ(ConfirmPlug(hostdev, {}, pci, std::nullopt, "u").message(),
            "internal error: network 'pool' doesn't have PCI device 0000:03:10.7 in use by "
            "network port");
  EXPECT_EQ(ConfirmPlug(hostdev, {}, PortPlug{}, std::nullopt, "u").message(),
            "internal error: Unexpectedly got a network port without a plug");
}

}  // namespace
}  // namespace virtnat::driver
