#pragma once
// The plug a network gives a port (<plug> of a <networkport>), chosen per
// forward mode as libvirt's networkAllocatePort does, with the pool device
// it takes. Pure: connection counts are not stored but derived from the
// plugs of the network's ports, so a release is the port's removal.
//
//   nat, route, open, none      <plug type='network' bridge='virbr0'/>
//   bridge with <bridge name>   <plug type='bridge' bridge='br0'/>
//   bridge (no name), private,  <plug type='direct' dev='eth1' mode='vepa'/>
//     vepa, passthrough           the least used pool device; passthrough
//                                 (and private with 802.1Qbh) only a free one
//   hostdev                     <plug type='hostdev-pci' managed='yes'>: the
//                                 first free PCI address of the pool

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "xml/format_writer.h"
#include "xml/network_def.h"

namespace virtnat::driver {

enum class PlugType { kNone, kNetwork, kBridge, kDirect, kHostdevPci };

// "none", "network", "bridge", "direct", "hostdev-pci".
const char* PlugTypeName(PlugType type);

// <plug type='...'> (virNetworkPortDef's plug): what the hypervisor
// connects the guest to. Only the fields of `type` are meaningful. Set by
// AllocatePlug, or parsed from a reclaimed or recorded port
// (objects/network_port.h).
struct PortPlug {
  PlugType type = PlugType::kNone;
  std::string bridge;                                                       // network, bridge
  xml::MacTableManager mac_table_manager = xml::MacTableManager::kDefault;  // network, bridge
  std::string dev;                                          // direct: the pool device
  xml::ForwardMode direct_mode = xml::ForwardMode::kVepa;  // direct: vepa, private, bridge,
                                                            // passthrough (libvirt's default vepa)
  xml::PciAddress pci;                                      // hostdev-pci
  xml::TriState managed = xml::TriState::kAbsent;  // hostdev-pci: yes/no once allocated
  std::string driver;                              // hostdev-pci: "kvm", "vfio", "xen"; "" none
  bool operator==(const PortPlug&) const = default;
};

// The <plug> element as libvirt prints it inside <networkport>; nothing
// for kNone.
void FormatPlug(xml::FormatWriter& w, const PortPlug& plug);

// libvirt's networkAllocatePort for `live` (a running network's live
// definition, its pool filled) whose ports hold `in_use`. `virtualport` is
// the port's <virtualport> merged with the network's and its portgroup's
// (objects/port_allocation.h MergePortSettings), if any. Errors are libvirt's:
// CONFIG_UNSUPPORTED "<virtualport type='T'> not supported for network 'N'
// which uses ...", INTERNAL_ERROR "network 'N' requires exclusive access to
// interfaces, but none are available" and "network 'N' uses a direct mode,
// but has no forward dev and no interface pool".
Result<PortPlug> AllocatePlug(const xml::NetworkDef& live, const std::vector<PortPlug>& in_use,
                              const std::optional<xml::VirtualPort>& virtualport);

// libvirt's networkNotifyPort checks for a port that comes back with its
// plug (RECLAIM, or ports read back after a restart): the plug's device is
// in the pool and, where the mode needs it alone, not used by `in_use`.
Status ConfirmPlug(const xml::NetworkDef& live, const std::vector<PortPlug>& in_use,
                   const PortPlug& plug, const std::optional<xml::VirtualPort>& virtualport,
                   const std::string& port_uuid);

// Sets `connections` of every pool interface of `live` from the plugs of
// its ports (libvirt prints them in the live XML; PCI entries have none).
void CountDeviceConnections(xml::NetworkDef& live, const std::vector<PortPlug>& in_use);

}  // namespace virtnat::driver
