#include "driver/ports/port_plug.h"

#include <cstdio>

#include "xml/xml_escape.h"

namespace virtnat::driver {
namespace {

using xml::ForwardMode;

// virNetDevVPortTypeToString: an untyped profile is "none".
std::string VirtualPortType(const std::optional<xml::VirtualPort>& vp) {
  return vp && !vp->type.empty() ? vp->type : "none";
}

Error VirtualPortRefused(const xml::NetworkDef& live, const std::optional<xml::VirtualPort>& vp,
                         const char* uses) {
  return ConfigUnsupported("<virtualport type='" + VirtualPortType(vp) +
                           "'> not supported for network '" + live.name + "' which uses " + uses);
}

bool IsVdp(const std::optional<xml::VirtualPort>& vp) {
  return vp && (vp->type == "802.1Qbg" || vp->type == "802.1Qbh");
}

// Passthrough, and private with 802.1Qbh, need a device of their own.
bool NeedsExclusiveDevice(const xml::NetworkDef& live, const std::optional<xml::VirtualPort>& vp) {
  return live.forward.mode == ForwardMode::kPassthrough ||
         (live.forward.mode == ForwardMode::kPrivate && vp && vp->type == "802.1Qbh");
}

bool IsDirect(const xml::NetworkDef& live) {
  switch (live.forward.mode) {
    case ForwardMode::kBridge:
      return live.bridge.name.empty();
    case ForwardMode::kPrivate:
    case ForwardMode::kVepa:
    case ForwardMode::kPassthrough:
      return true;
    default:
      return false;
  }
}

unsigned DirectUsers(const std::vector<PortPlug>& in_use, const std::string& dev) {
  unsigned n = 0;
  for (const PortPlug& p : in_use) n += p.type == PlugType::kDirect && p.dev == dev;
  return n;
}

unsigned PciUsers(const std::vector<PortPlug>& in_use, const xml::PciAddress& pci) {
  unsigned n = 0;
  for (const PortPlug& p : in_use) n += p.type == PlugType::kHostdevPci && p.pci == pci;
  return n;
}

Error NoneAvailable(const xml::NetworkDef& live) {
  return InternalError("network '" + live.name +
                       "' requires exclusive access to interfaces, but none are available");
}

std::string PciText(const char* format, const xml::PciAddress& a) {
  char buf[160];
  std::snprintf(buf, sizeof buf, format, a.domain, a.bus, a.slot, a.function);
  return buf;
}

Result<PortPlug> AllocateDirect(const xml::NetworkDef& live, const std::vector<PortPlug>& in_use,
                                const std::optional<xml::VirtualPort>& vp) {
  if (vp && !IsVdp(vp)) return VirtualPortRefused(live, vp, "a macvtap device");
  const std::vector<xml::ForwardInterface>& pool = live.forward.interfaces;
  if (pool.empty() && live.forward.pf_devs.empty()) {
    return InternalError("network '" + live.name +
                         "' uses a direct mode, but has no forward dev and no interface pool");
  }
  const xml::ForwardInterface* dev = nullptr;
  if (NeedsExclusiveDevice(live, vp)) {
    for (const xml::ForwardInterface& iface : pool) {
      if (DirectUsers(in_use, iface.dev) == 0) {
        dev = &iface;
        break;
      }
    }
  } else {
    // The least used; the first of equals.
    unsigned least = 0;
    for (const xml::ForwardInterface& iface : pool) {
      unsigned users = DirectUsers(in_use, iface.dev);
      if (!dev || users < least) {
        dev = &iface;
        least = users;
      }
    }
  }
  if (!dev) return NoneAvailable(live);
  PortPlug plug;
  plug.type = PlugType::kDirect;
  plug.dev = dev->dev;
  plug.direct_mode = live.forward.mode;
  return plug;
}

Result<PortPlug> AllocateHostdev(const xml::NetworkDef& live, const std::vector<PortPlug>& in_use,
                                 const std::optional<xml::VirtualPort>& vp) {
  const xml::PciAddress* dev = nullptr;
  for (const xml::PciAddress& pci : live.forward.pci_addresses) {
    if (PciUsers(in_use, pci) == 0) {
      dev = &pci;
      break;
    }
  }
  if (!dev) return NoneAvailable(live);
  if (vp && !IsVdp(vp)) {
    return VirtualPortRefused(live, vp, "an SR-IOV Virtual Function via PCI passthrough");
  }
  PortPlug plug;
  plug.type = PlugType::kHostdevPci;
  plug.pci = *dev;
  // (libvirt's network keeps managed as a bool: absent is "no".)
  plug.managed = live.forward.managed == xml::TriState::kYes ? xml::TriState::kYes
                                                              : xml::TriState::kNo;
  plug.driver = live.forward.driver_name;
  return plug;
}

}  // namespace

const char* PlugTypeName(PlugType type) {
  switch (type) {
    case PlugType::kNetwork:
      return "network";
    case PlugType::kBridge:
      return "bridge";
    case PlugType::kDirect:
      return "direct";
    case PlugType::kHostdevPci:
      return "hostdev-pci";
    case PlugType::kNone:
      break;
  }
  return "none";
}

void FormatPlug(xml::FormatWriter& w, const PortPlug& plug) {
  std::string open = std::string("<plug type='") + PlugTypeName(plug.type) + "'";
  switch (plug.type) {
    case PlugType::kNone:
      return;
    case PlugType::kNetwork:
    case PlugType::kBridge:
      // libvirt prints bridge='' for an empty name (virBufferEscapeString
      // drops the attribute only for a missing one).
      open += " bridge='" + xml::EscapeXml(plug.bridge) + "'";
      open += xml::Attr("macTableManager", xml::MacTableManagerName(plug.mac_table_manager));
      w.Line(open + "/>");
      return;
    case PlugType::kDirect:
      w.Line(open + " dev='" + xml::EscapeXml(plug.dev) + "' mode='" +
             xml::ForwardModeName(plug.direct_mode) + "'/>");
      return;
    case PlugType::kHostdevPci:
      w.Line(open + xml::TriAttr("managed", plug.managed) + ">");
      w.Indent();
      if (!plug.driver.empty()) w.Line("<driver name='" + xml::EscapeXml(plug.driver) + "'/>");
      w.Line(PciText("<address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>",
                     plug.pci));
      w.Outdent();
      w.Line("</plug>");
      return;
  }
}

Result<PortPlug> AllocatePlug(const xml::NetworkDef& live, const std::vector<PortPlug>& in_use,
                              const std::optional<xml::VirtualPort>& virtualport) {
  if (live.forward.mode == ForwardMode::kHostdev) {
    return AllocateHostdev(live, in_use, virtualport);
  }
  if (IsDirect(live)) return AllocateDirect(live, in_use, virtualport);
  PortPlug plug;
  plug.bridge = live.bridge.name;
  plug.mac_table_manager = live.bridge.mac_table_manager;
  if (live.forward.mode == ForwardMode::kBridge) {
    plug.type = PlugType::kBridge;
    if (virtualport && virtualport->type != "openvswitch") {
      return VirtualPortRefused(live, virtualport, "a bridge device");
    }
    return plug;
  }
  plug.type = PlugType::kNetwork;
  if (virtualport) return VirtualPortRefused(live, virtualport, "IP forwarding");
  return plug;
}

Status ConfirmPlug(const xml::NetworkDef& live, const std::vector<PortPlug>& in_use,
                   const PortPlug& plug, const std::optional<xml::VirtualPort>& virtualport,
                   const std::string& port_uuid) {
  const std::string net = "network '" + live.name + "'";
  switch (plug.type) {
    case PlugType::kNone:
      return InternalError("Unexpectedly got a network port without a plug");
    case PlugType::kNetwork:
    case PlugType::kBridge:
      if (live.bridge.name.empty()) {
        return InternalError("Unexpectedly got a network port without a network bridge");
      }
      return Status::Ok();
    case PlugType::kDirect: {
      bool found = false;
      for (const xml::ForwardInterface& iface : live.forward.interfaces)
        found |= iface.dev == plug.dev;
      if (!found) {
        return InternalError(net + " doesn't have dev='" + plug.dev + "' in use by network port '" +
                             port_uuid + "'");
      }
      if (DirectUsers(in_use, plug.dev) > 0 && NeedsExclusiveDevice(live, virtualport)) {
        return InternalError(net + " claims dev='" + plug.dev +
                             "' is already in use by a different port");
      }
      return Status::Ok();
    }
    case PlugType::kHostdevPci: {
      bool found = false;
      for (const xml::PciAddress& pci : live.forward.pci_addresses) found |= pci == plug.pci;
      if (!found) {
        return InternalError(net + PciText(" doesn't have PCI device %04x:%02x:%02x.%x in use by "
                                           "network port",
                                           plug.pci));
      }
      if (PciUsers(in_use, plug.pci) > 0 && live.forward.mode == ForwardMode::kHostdev) {
        return InternalError(net + PciText(" claims the PCI device at domain=%u bus=%u slot=%u "
                                           "function=%u is already in use by a different network "
                                           "port",
                                           plug.pci));
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void CountDeviceConnections(xml::NetworkDef& live, const std::vector<PortPlug>& in_use) {
  for (xml::ForwardInterface& iface : live.forward.interfaces) {
    iface.connections = DirectUsers(in_use, iface.dev);
  }
}

}  // namespace virtnat::driver
