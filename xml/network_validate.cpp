// ValidateNetworkDef: libvirt's define/create-time driver checks
// (networkValidate, network-xml.md §4.4) minus those that need the list of
// networks or sysfs, plus the name check and the port forward extension.
#include "xml/network_validate.h"

#include "xml/network_validate_internal.h"

namespace virtnat::xml {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

Status CheckName(const NetworkDef& def) {
  // libvirt rejects a newline here; virtnat also rejects every other control
  // character, as each would end up in dnsmasq's files and the run directory.
  for (char ch : def.name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return XmlDetail(std::string("invalid char in name: ") + ch, VIR_FROM_XML);
    }
  }
  return Status::Ok();
}

Status CheckModeElements(const NetworkDef& def, bool& bandwidth_allowed) {
  std::string mode = ForwardModeName(def.forward.mode);
  bandwidth_allowed = HasManagedBridge(def.forward.mode) ||
                      (def.forward.mode == ForwardMode::kBridge && !def.bridge.name.empty());
  if (!HasManagedBridge(def.forward.mode)) {
    std::string tail = " element in network " + def.name + " with forward mode=" + Q(mode);
    if (def.mac) return ConfigUnsupported("Unsupported <mac>" + tail);
    if (!def.ips.empty()) return ConfigUnsupported("Unsupported <ip>" + tail);
    if (!def.dns.txts.empty() || !def.dns.hosts.empty() || !def.dns.srvs.empty()) {
      return ConfigUnsupported("Unsupported <dns>" + tail);
    }
    if (!def.domain.name.empty()) return ConfigUnsupported("Unsupported <domain>" + tail);
  }
  if (def.bandwidth && !bandwidth_allowed) {
    return ConfigUnsupported("Unsupported network-wide <bandwidth> element in network " + def.name +
                             " with forward mode=" + Q(mode));
  }
  return Status::Ok();
}

Status CheckDevicePool(const NetworkDef& def) {
  const ForwardDef& fwd = def.forward;
  std::string mode = ForwardModeName(fwd.mode);
  if (!fwd.interfaces.empty() && fwd.mode == ForwardMode::kHostdev) {
    return ConfigUnsupported("hostdev network " + Q(def.name) + " lists " +
                             Q(fwd.interfaces[0].dev) +
                             " in the device pool, but hostdev networks require all devices to "
                             "be listed by PCI address, not network device name");
  }
  if (!fwd.pci_addresses.empty() && fwd.mode != ForwardMode::kHostdev) {
    return ConfigUnsupported("network " + Q(def.name) + " has forward mode " + Q(mode) +
                             " but lists a device by PCI address in the device pool. This is "
                             "only supported for networks with forward mode 'hostdev'");
  }
  // (libvirt also checks in sysfs that each PCI device is an SR-IOV VF; that
  // belongs to the driver, which may touch the host.)
  int kinds = !fwd.pf_devs.empty() + !fwd.interfaces.empty() + !fwd.pci_addresses.empty();
  if (kinds > 1) {
    return ConfigUnsupported("<address>, <interface>, and <pf> elements of <forward> in network " +
                             def.name + " are mutually exclusive");
  }
  return Status::Ok();
}

Status CheckDhcpPerFamily(const NetworkDef& def) {
  bool v4 = false, v6 = false;
  for (const IpDef& ip : def.ips) {
    if (!ip.has_dhcp()) continue;
    bool& seen = ip.address.is_v4() ? v4 : v6;
    if (seen) {
      const char* fam = ip.address.is_v4() ? "IPv4" : "IPv6";
      return ConfigUnsupported(std::string("Multiple ") + fam +
                               " dhcp sections found -- dhcp is supported only for a single " +
                               fam + " address on each network");
    }
    seen = true;
  }
  return Status::Ok();
}

Status CheckVlanAndPortGroups(const NetworkDef& def, bool bandwidth_allowed) {
  const ForwardMode mode = def.forward.mode;
  bool vlan_allowed =
      mode == ForwardMode::kHostdev || mode == ForwardMode::kPassthrough ||
      (mode == ForwardMode::kBridge && def.virtualport && def.virtualport->type == "openvswitch");
  bool vlan_used = def.vlan && !def.vlan->tags.empty();
  bool bad_vlan_use = false;
  const PortGroup* default_group = nullptr;
  for (size_t i = 0; i < def.portgroups.size(); ++i) {
    const PortGroup& pg = def.portgroups[i];
    if (vlan_used || (pg.vlan && !pg.vlan->tags.empty())) {
      if (pg.virtualport) {
        if (mode != ForwardMode::kBridge || pg.virtualport->type != "openvswitch") {
          bad_vlan_use = true;
        }
      } else if (!vlan_allowed) {
        bad_vlan_use = true;
      }
    }
    if (pg.is_default) {
      if (default_group) {
        return ConfigUnsupported(
            "network " + Q(def.name) + " has multiple default <portgroup> elements (" +
            default_group->name + " and " + pg.name + "), but only one default is allowed");
      }
      default_group = &pg;
    }
    for (size_t j = i + 1; j < def.portgroups.size(); ++j) {
      if (def.portgroups[j].name == pg.name) {
        return ConfigUnsupported("multiple <portgroup> elements with the same name (" + pg.name +
                                 ") in network " + Q(def.name));
      }
    }
    if (pg.bandwidth && !bandwidth_allowed) {
      return ConfigUnsupported("Unsupported <bandwidth> element in network " + Q(def.name) +
                               " in portgroup " + Q(pg.name) +
                               " with forward mode=" + Q(ForwardModeName(mode)));
    }
  }
  if (bad_vlan_use || (vlan_used && !vlan_allowed && !default_group)) {
    return ConfigUnsupported("<vlan> element specified for network " + def.name +
                             ", whose type doesn't support vlan configuration");
  }
  if (mode == ForwardMode::kHostdev) {
    for (const PortGroup& pg : def.portgroups) {
      if (pg.bandwidth) {
        return ConfigUnsupported(
            "unsupported <bandwidth> element in <portgroup name=" + Q(pg.name) + "> of network " +
            Q(def.name) + " with forward mode=" + Q(ForwardModeName(mode)));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateNetworkDef(const NetworkDef& def) {
  RETURN_IF_ERROR(CheckName(def));
  bool bandwidth_allowed = false;
  RETURN_IF_ERROR(CheckModeElements(def, bandwidth_allowed));
  RETURN_IF_ERROR(CheckDevicePool(def));
  RETURN_IF_ERROR(CheckDhcpPerFamily(def));
  RETURN_IF_ERROR(CheckVlanAndPortGroups(def, bandwidth_allowed));
  return internal::ValidatePortForwards(def);
}

}  // namespace virtnat::xml
