// <forward>: mode, dev, <nat>, <interface>, <address type='pci'>, <pf>,
// <driver> (libvirt's virNetworkForwardDefParseXML).
#include <cctype>
#include <cstdio>

#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

Status ParseNat(std::string_view net, const xmlNode* node, ForwardDef& fwd) {
  std::string n(net);
  if (fwd.mode != ForwardMode::kNat) {
    return XmlError(
        "The <nat> element can only be used when <forward> 'mode' is 'nat' in network " + n);
  }
  ASSIGN_OR_RETURN(fwd.nat_ipv6, PropTriState(node, "ipv6"));

  auto addresses = PlainChildren(node, "address");
  if (addresses.size() > 1) {
    return XmlError("Only one <address> element is allowed in <nat> in <forward> in network " + n);
  }
  if (addresses.size() == 1) {
    auto start = Prop(addresses[0], "start");
    if (!start) {
      return XmlError(
          "missing 'start' attribute in <address> element in <nat> in <forward> in network " + n);
    }
    auto end = Prop(addresses[0], "end");
    if (!end) {
      return XmlError(
          "missing 'end' attribute in <address> element in <nat> in <forward> in network " + n);
    }
    auto s = IpAddress::ParseV4(*start);
    if (!s) {
      return XmlError("Bad ipv4 start address " + Q(*start) + " in <nat> in <forward> in network " +
                      Q(net));
    }
    auto e = IpAddress::ParseV4(*end);
    if (!e) {
      return XmlError("Bad ipv4 end address " + Q(*end) + " in <nat> in <forward> in network " +
                      Q(net));
    }
    // virSocketAddrGetRange without a network: only the legacy size and
    // order checks.
    const auto& a = s->bytes();
    const auto& b = e->bytes();
    std::string range = s->ToString() + " - " + e->ToString();
    if (a[0] != b[0] || a[1] != b[1]) {
      return InternalError("range " + range + " is too large (> 65535)", VIR_FROM_NONE);
    }
    if ((b[2] - a[2]) * 256 + (b[3] - a[3]) < 0) {
      return InternalError("range " + range + " is reversed ", VIR_FROM_NONE);
    }
    fwd.nat_address = AddressRange{*s, *e};
  }

  auto ports = PlainChildren(node, "port");
  if (ports.size() > 1) {
    return XmlError("Only one <port> element is allowed in <nat> in <forward> in network " + n);
  }
  if (ports.size() == 1) {
    XPathNumber start = XPathUInt(ports[0], "start");
    if (start.state != NumberState::kOk || start.value > 65535) {
      return XmlDetail(
          "Missing or invalid 'start' attribute in <port> in <nat> in <forward> in network " + n);
    }
    XPathNumber end = XPathUInt(ports[0], "end");
    if (end.state != NumberState::kOk || end.value > 65535 || end.value < start.value) {
      return XmlDetail(
          "Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network " + n);
    }
    // 0/0 means "no range", the same as no <port> (libvirt prints nothing).
    if (start.value != 0 || end.value != 0) {
      fwd.nat_port =
          PortRange{static_cast<unsigned>(start.value), static_cast<unsigned>(end.value)};
    }
  }
  return Status::Ok();
}

Result<PciAddress> ParsePciAddress(const xmlNode* node) {
  PciAddress pci;
  ASSIGN_OR_RETURN(auto domain, PropUInt(node, "domain", false, 0));
  ASSIGN_OR_RETURN(auto bus, PropUInt(node, "bus", false, 0));
  ASSIGN_OR_RETURN(auto slot, PropUInt(node, "slot", false, 0));
  ASSIGN_OR_RETURN(auto function, PropUInt(node, "function", false, 0));
  pci.domain = domain.value_or(0);
  pci.bus = bus.value_or(0);
  pci.slot = slot.value_or(0);
  pci.function = function.value_or(0);
  char buf[64];
  if (pci.domain > 0xffff) {
    std::snprintf(buf, sizeof buf, "0x%x", pci.domain);
    return XmlError(std::string("Invalid PCI address domain='") + buf + "', must be <= 0xFFFF");
  }
  if (pci.bus > 0xff) {
    std::snprintf(buf, sizeof buf, "0x%x", pci.bus);
    return XmlError(std::string("Invalid PCI address bus='") + buf + "', must be <= 0xFF");
  }
  if (pci.slot > 0x1f) {
    std::snprintf(buf, sizeof buf, "0x%x", pci.slot);
    return XmlError(std::string("Invalid PCI address slot='") + buf + "', must be <= 0x1F");
  }
  if (pci.function > 7) {
    std::snprintf(buf, sizeof buf, "0x%x", pci.function);
    return XmlError(std::string("Invalid PCI address function='") + buf + "', must be <= 7");
  }
  return pci;
}

}  // namespace

Status ParseForward(std::string_view net, const xmlNode* node, ForwardDef& fwd) {
  std::string n(net);
  auto mode = XPathProp(node, "mode");
  if (!mode) {
    fwd.mode = ForwardMode::kNat;
  } else {
    auto parsed = ParseForwardMode(*mode);
    // "none" is the enum's first name but means "no <forward>"; libvirt
    // accepts it as a mode value and prints the network as isolated.
    if (!parsed) return ConfigUnsupported("unknown forwarding type " + Q(*mode));
    fwd.mode = *parsed;
  }

  if (auto managed = XPathProp(node, "managed")) {
    if (managed->size() == 3 && (std::tolower((*managed)[0]) == 'y') &&
        std::tolower((*managed)[1]) == 'e' && std::tolower((*managed)[2]) == 's') {
      fwd.managed = TriState::kYes;
    }
  }
  if (const xmlNode* driver = FirstPlainChild(node, "driver")) {
    if (auto name = XPathProp(driver, "name")) {
      if (*name != "kvm" && *name != "vfio") {
        return ConfigUnsupported("Unknown forward <driver name=" + Q(*name) + "/> in network " + n);
      }
      fwd.driver_name = *name;
    }
    fwd.driver_model = XPathProp(driver, "model").value_or("");
  }

  auto interfaces = PlainChildren(node, "interface");
  auto addresses = PlainChildren(node, "address");
  auto pfs = PlainChildren(node, "pf");
  auto nats = PlainChildren(node, "nat");
  if (nats.size() > 1) {
    return XmlError("Only one <nat> element is allowed in <forward> of network " + n);
  }
  if (nats.size() == 1) RETURN_IF_ERROR(ParseNat(net, nats[0], fwd));

  auto dev = XPathProp(node, "dev");
  if (dev && (!addresses.empty() || !pfs.empty())) {
    // libvirt passes this template through "%s", so the placeholder is
    // printed literally instead of the network's name.
    return XmlError(
        "the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are "
        "present in network %s");
  }

  if (!interfaces.empty() || dev) {
    if (dev) fwd.interfaces.push_back(ForwardInterface{*dev, 0});
    for (size_t i = 0; i < interfaces.size(); ++i) {
      auto if_dev = Prop(interfaces[i], "dev");
      // An empty dev is no dev: it would print as <interface/>.
      if (!if_dev || if_dev->empty()) {
        return XmlError(
            "Missing required dev attribute in <forward> <interface> element of network " + n);
      }
      if (i == 0 && fwd.interfaces.size() == 1) {
        // <forward dev='x'> and a first <interface dev='x'/> name the same device.
        if (*if_dev != fwd.interfaces[0].dev) {
          return XmlError("<forward dev=" + Q(fwd.interfaces[0].dev) +
                          "> must match first <interface dev=" + Q(*if_dev) + "/> in network " + n);
        }
        continue;
      }
      for (const auto& existing : fwd.interfaces) {
        if (existing.dev == *if_dev) {
          return XmlError("interface " + Q(*if_dev) + " can only be listed once in network " + n);
        }
      }
      fwd.interfaces.push_back(ForwardInterface{*if_dev, 0});
    }
  } else if (!addresses.empty()) {
    for (const xmlNode* a : addresses) {
      auto type = Prop(a, "type");
      if (!type) return XmlError("missing address type in network " + n);
      if (*type != "pci") {
        if (*type == "none" || *type == "netdev") {
          return XmlError("unsupported address type " + Q(*type) + " in network " + n);
        }
        return ConfigUnsupported("unknown address type " + Q(*type) + " in network " + n);
      }
      ASSIGN_OR_RETURN(PciAddress pci, ParsePciAddress(a));
      for (const auto& existing : fwd.pci_addresses) {
        if (existing == pci) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", pci.domain, pci.bus, pci.slot,
                        pci.function);
          return XmlError(std::string("PCI device '") + buf +
                          "' can only be listed once in network " + n);
        }
      }
      fwd.pci_addresses.push_back(pci);
    }
  } else if (pfs.size() > 1) {
    return XmlError("Only one <pf> element is allowed in <forward> of network " + n);
  } else if (pfs.size() == 1) {
    auto pf_dev = Prop(pfs[0], "dev");
    if (!pf_dev) {
      return XmlError("Missing required dev attribute in <pf> element of network " + Q(net));
    }
    fwd.pf_devs.push_back(*pf_dev);
  }
  fwd.dev = fwd.interfaces.empty() ? std::string() : fwd.interfaces[0].dev;
  return Status::Ok();
}

}  // namespace virtnat::xml::internal
