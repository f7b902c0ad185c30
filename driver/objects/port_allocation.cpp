#include "driver/objects/port_allocation.h"

#include <libvirt/virterror.h>

#include "driver/qos/port_bandwidth.h"

namespace virtnat::driver {
namespace {

const xml::PortGroup* FindPortGroup(const xml::NetworkDef& net, const std::string& name) {
  // virPortGroupFindByName: the named group, or the default one when the
  // port names none.
  for (const xml::PortGroup& pg : net.portgroups) {
    if (name.empty() ? pg.is_default : pg.name == name) return &pg;
  }
  return nullptr;
}

Status Mismatch(const char* what, const std::string& a, const std::string& b, bool quoted) {
  std::string q = quoted ? "'" : "";
  return XmlError(std::string("attempt to merge virtualports with mismatched ") + what + " (" + q +
                  a + q + " and " + q + b + q + ")");
}

// virNetDevVPortProfileMerge: the parameters `mods` sets that fit the type
// come into `orig` where it has none; a different value is an error.
Status MergeVirtualPort(xml::VirtualPort& orig, const xml::VirtualPort& mods) {
  if (!mods.type.empty()) {
    if (!orig.type.empty() && orig.type != mods.type) {
      return XmlError("attempt to merge virtualports with mismatched types (" + orig.type +
                      " and " + mods.type + ")");
    }
    orig.type = mods.type;
  }
  const std::string& t = orig.type;
  bool qbg = t.empty() || t == "802.1Qbg";
  bool ovs = t.empty() || t == "openvswitch";
  bool qbh = t.empty() || t == "802.1Qbh";
  struct Field {
    std::string xml::VirtualPort::*member;
    bool fits;
    const char* plural;
    bool quoted;
  };
  const Field fields[] = {
      {&xml::VirtualPort::manager_id, qbg, "managerids", false},
      {&xml::VirtualPort::type_id, qbg, "typeids", false},
      {&xml::VirtualPort::type_id_version, qbg, "typeidversions", false},
      {&xml::VirtualPort::instance_id, qbg, "instanceids", true},
      {&xml::VirtualPort::interface_id, ovs, "interfaceids", true},
      {&xml::VirtualPort::profile_id, ovs || qbh, "profileids", true},
  };
  for (const Field& f : fields) {
    const std::string& mod = mods.*f.member;
    std::string& cur = orig.*f.member;
    if (mod.empty() || !f.fits) continue;
    if (!cur.empty() && cur != mod) return Mismatch(f.plural, cur, mod, f.quoted);
    cur = mod;
  }
  return Status::Ok();
}

// virUUIDGenerate: a version 4 UUID.
std::string RandomUuid(const RandomBytes& random) {
  Uuid uuid{};
  random(uuid.data(), uuid.size());
  uuid[6] = (uuid[6] & 0x0f) | 0x40;
  uuid[8] = (uuid[8] & 0x3f) | 0x80;
  return xml::FormatUuid(uuid);
}

}  // namespace

Status CheckReclaimFlag(const PortDef& port, bool reclaim) {
  if (port.plug.type == PlugType::kNone && reclaim) {
    return Error{VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
                 "invalid argument: Port reclaim requested but plug type is none"};
  }
  if (port.plug.type != PlugType::kNone && !reclaim) {
    return Error{VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
                 "invalid argument: Port reclaim not requested but plug type is not none"};
  }
  return Status::Ok();
}

Status MergePortSettings(const xml::NetworkDef& net, PortDef& port) {
  const xml::PortGroup* pg = FindPortGroup(net, port.group);
  port.bandwidth = EffectivePortBandwidth(net, port.group, port.bandwidth);
  if (!port.vlan || port.vlan->tags.empty()) {
    if (pg && pg->vlan && !pg->vlan->tags.empty()) {
      port.vlan = pg->vlan;
    } else if (net.vlan && !net.vlan->tags.empty()) {
      port.vlan = net.vlan;
    }
  }
  if (port.trust_guest_rx_filters == xml::TriState::kAbsent) {
    if (pg && pg->trust_guest_rx_filters != xml::TriState::kAbsent) {
      port.trust_guest_rx_filters = pg->trust_guest_rx_filters;
    } else {
      port.trust_guest_rx_filters = net.trust_guest_rx_filters;
    }
  }
  if (port.isolated == xml::TriState::kAbsent) port.isolated = net.port_isolated;
  // virNetDevVPortProfileMerge3: nothing to merge unless one of the three
  // has a type; then the port's, the network's, the portgroup's.
  auto typed = [](const std::optional<xml::VirtualPort>& vp) { return vp && !vp->type.empty(); };
  const std::optional<xml::VirtualPort> none;
  const std::optional<xml::VirtualPort>& from_group = pg ? pg->virtualport : none;
  if (typed(port.virtualport) || typed(net.virtualport) || typed(from_group)) {
    xml::VirtualPort merged = port.virtualport.value_or(xml::VirtualPort{});
    if (net.virtualport) RETURN_IF_ERROR(MergeVirtualPort(merged, *net.virtualport));
    if (from_group) RETURN_IF_ERROR(MergeVirtualPort(merged, *from_group));
    port.virtualport = std::move(merged);
  }
  return Status::Ok();
}

Status CompleteVirtualPort(PortDef& port, const RandomBytes& random) {
  if (!port.virtualport || port.virtualport->type.empty()) return Status::Ok();
  xml::VirtualPort& vp = *port.virtualport;
  const char* missing = nullptr;
  if (vp.type == "802.1Qbg") {
    if (vp.manager_id.empty()) {
      missing = "managerid";
    } else if (vp.type_id.empty()) {
      missing = "typeid";
    } else if (vp.type_id_version.empty()) {
      missing = "typeidversion";
    } else if (vp.instance_id.empty()) {
      vp.instance_id = RandomUuid(random);
    }
  } else if (vp.type == "802.1Qbh") {
    if (vp.profile_id.empty()) missing = "profileid";
  } else if (vp.type == "openvswitch") {
    if (vp.interface_id.empty()) vp.interface_id = RandomUuid(random);
  } else if (vp.type == "midonet") {
    if (vp.interface_id.empty()) missing = "interfaceid";
  }
  if (missing) {
    return XmlError(std::string("missing ") + missing + " in <virtualport type='" + vp.type + "'>");
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
