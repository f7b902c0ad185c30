// NetworkObjects: network ports, DHCP leases and lifecycle events.

#include <libvirt/libvirt.h>
#include <strings.h>

#include <set>

#include "driver/objects/network_objects.h"
#include "driver/objects/port_allocation.h"
#include "driver/qos/port_bandwidth.h"

namespace virtnat::driver {
namespace {

Error PortNotFound(const Uuid& uuid) {
  return MakeError(VIR_ERR_NO_NETWORK_PORT, VIR_FROM_NETWORK,
                   "Network port with UUID " + xml::FormatUuid(uuid) + " does not exist");
}

std::vector<PortPlug> PlugsOf(const NetworkObject& obj) {
  std::vector<PortPlug> plugs;
  for (const auto& [uuid, port] : obj.ports) plugs.push_back(port.plug);
  return plugs;
}

// The live definition with its pool devices' connections as the hooks see
// it: the ports of `obj`, and `added` when it is being created.
xml::NetworkDef WithDeviceConnections(const NetworkObject& obj, const PortDef* added) {
  xml::NetworkDef live = obj.def;
  std::vector<PortPlug> plugs = PlugsOf(obj);
  if (added) plugs.push_back(added->plug);
  CountDeviceConnections(live, plugs);
  return live;
}

// networkNotifyPort: a port that comes back with its plug (RECLAIM, or
// read back from the status record) must fit the network and its pool.
Status ConfirmPortPlug(const NetworkObject& obj, const PortDef& port) {
  return ConfirmPlug(obj.def, PlugsOf(obj), port.plug, port.virtualport,
                     xml::FormatUuid(port.uuid));
}

// The floors of the network's ports but `except`: the class ids they hold
// and their sum (libvirt's classIdMap and floor_sum, kept with the ports).
struct Floors {
  std::set<unsigned> ids;
  unsigned long long sum = 0;
};
Floors FloorsOf(const NetworkObject& obj, const Uuid* except = nullptr) {
  Floors f;
  for (const auto& [uuid, port] : obj.ports) {
    if ((except && uuid == *except) || port.class_id == 0) continue;
    f.ids.insert(port.class_id);
    f.sum += InboundFloor(port.bandwidth);
  }
  return f;
}

// libvirt's networkPlugBandwidth: a port with an inbound floor holds a
// class id, its recorded one while no other port holds it, else the lowest
// free one. (A port without a floor keeps what it came with, as libvirt
// formats a reclaimed port's classID back.)
void AssignClassId(const NetworkObject& obj, PortDef& port) {
  if (InboundFloor(port.bandwidth) == 0) return;
  Floors others = FloorsOf(obj, &port.uuid);
  if (port.class_id < 3 || others.ids.count(port.class_id)) {
    port.class_id = NextClassId(others.ids);
  }
}

PortFloor FloorOf(const PortDef& port) {
  return PortFloor{port.mac, InboundFloor(port.bandwidth), port.class_id};
}

// CheckPortBandwidth with the network's floor sum.
Status CheckBandwidth(const NetworkObject& obj, const PortDef& port,
                      const std::optional<xml::Bandwidth>& old) {
  return CheckPortBandwidth(obj.def, xml::FormatMac(port.mac), port.bandwidth, old,
                            FloorsOf(obj).sum);
}

// networkUpdatePortBandwidth: a changed floor is unplugged and plugged
// again (the old one back if the new one fails).
Status ReplugFloor(NetworkRealizer& realizer, const NetworkObject& obj, const PortDef& old,
                   const PortDef& changed) {
  const unsigned long long was = InboundFloor(old.bandwidth);
  const unsigned long long now = InboundFloor(changed.bandwidth);
  if (was == now && old.class_id == changed.class_id) return Status::Ok();
  const unsigned long long others = FloorsOf(obj, &old.uuid).sum;
  if (was != 0 && old.class_id != 0) {
    RETURN_IF_ERROR(realizer.UnplugFloor(obj.def, FloorOf(old), others));
  }
  if (now == 0) return Status::Ok();
  Status plugged = realizer.PlugFloor(obj.def, FloorOf(changed), others + now);
  if (!plugged.ok() && was != 0 && old.class_id != 0) {
    (void)realizer.PlugFloor(obj.def, FloorOf(old), others + was);
  }
  return plugged;
}

Status CheckPortAddable(const NetworkObject& obj, const Uuid& uuid) {
  if (!obj.active) return OperationInvalid("network '" + obj.def.name + "' is not active");
  if (obj.ports.count(uuid)) {
    return Error{VIR_ERR_NETWORK_PORT_EXIST, VIR_FROM_NETWORK,
                 "Network port with UUID " + xml::FormatUuid(uuid) + " already exists"};
  }
  return Status::Ok();
}

}  // namespace

Result<PortDef*> NetworkObjects::FindPort(const PortRef& port) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(port.network));
  if (!obj->active) return OperationInvalid("network '" + obj->def.name + "' is not active");
  auto it = obj->ports.find(port.uuid);
  if (it == obj->ports.end()) return PortNotFound(port.uuid);
  return &it->second;
}

Result<PortRef> NetworkObjects::PortCreateXml(const NetworkRef& net, const std::string& xml,
                                              unsigned flags) {
  std::optional<Result<PortRef>> out;
  PortCreateXmlAsync(net, xml, flags, [&out](Result<PortRef> r) { out.emplace(std::move(r)); });
  return std::move(*out);
}

void NetworkObjects::PortCreateXmlAsync(const NetworkRef& net, const std::string& xml,
                                        unsigned flags, PortDone done) {
  auto checked = [&]() -> Result<PortDef> {
    RETURN_IF_ERROR(CheckFlags(flags,
                               VIR_NETWORK_PORT_CREATE_RECLAIM | VIR_NETWORK_PORT_CREATE_VALIDATE,
                               "networkPortCreateXML"));
    ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
    // libvirt's networkPortCreateXML: parse (and validate), then the state
    // of the network, then the plug against RECLAIM.
    ASSIGN_OR_RETURN(PortDef port, ParsePortXml(xml, flags & VIR_NETWORK_PORT_CREATE_VALIDATE));
    RETURN_IF_ERROR(CheckPortAddable(*obj, port.uuid));
    const bool reclaim = flags & VIR_NETWORK_PORT_CREATE_RECLAIM;
    RETURN_IF_ERROR(CheckReclaimFlag(port, reclaim));
    if (reclaim) {
      // networkNotifyPort: the port comes back as it was; a floor is
      // checked and plugged again (its recorded class id if free).
      RETURN_IF_ERROR(ConfirmPortPlug(*obj, port));
      RETURN_IF_ERROR(CheckBandwidth(*obj, port, std::nullopt));
      AssignClassId(*obj, port);
      return port;
    }
    // networkAllocatePort: settings merged from the network, the plug of
    // the forward mode (driver/ports), the bandwidth checks, the
    // virtualport completed.
    RETURN_IF_ERROR(MergePortSettings(obj->def, port));
    ASSIGN_OR_RETURN(port.plug, AllocatePlug(obj->def, PlugsOf(*obj), port.virtualport));
    RETURN_IF_ERROR(CheckBandwidth(*obj, port, std::nullopt));
    AssignClassId(*obj, port);
    RETURN_IF_ERROR(CompleteVirtualPort(port, random_bytes_));
    return port;
  }();
  if (!checked.ok()) return done(checked.error());
  NetworkObject& obj = **Find(net);
  PortDef port = std::move(checked).value();
  // libvirt runs "port-created" with the port allocated and counted in the
  // network's connections, before adding it; a failure refuses the port.
  RunHook(HookOp::kPortCreated, WithDeviceConnections(obj, &port), obj.ports.size() + 1, &port,
          [this, alive = std::weak_ptr<bool>(alive_), net, port,
           done = std::move(done)](Status hooked) mutable {
            if (alive.expired()) return;
            if (!hooked.ok()) return done(hooked.error());
            // The network may have changed while the hook ran.
            Result<NetworkObject*> obj = Find(net);
            if (!obj.ok()) return done(obj.error());
            if (Status addable = CheckPortAddable(**obj, port.uuid); !addable.ok()) {
              return done(addable.error());
            }
            // Another port may have taken the device meanwhile.
            if (Status free = ConfirmPortPlug(**obj, port); !free.ok()) return done(free.error());
            // ... or the room left for floors, or the class id.
            if (Status room = CheckBandwidth(**obj, port, std::nullopt); !room.ok()) {
              return done(room.error());
            }
            AssignClassId(**obj, port);
            // networkPlugBandwidth: the port's class on the bridge.
            if (InboundFloor(port.bandwidth) != 0) {
              Status plugged = realizer_.PlugFloor(
                  (*obj)->def, FloorOf(port), FloorsOf(**obj).sum + InboundFloor(port.bandwidth));
              if (!plugged.ok()) return done(plugged.error());
            }
            Uuid uuid = port.uuid;
            (*obj)->ports[uuid] = std::move(port);
            NetworkRef ref{(*obj)->def.name, (*obj)->def.uuid};
            // The status record holds the ports: written before the reply.
            if (live_change_hook_) live_change_hook_(ref);
            done(PortRef{ref, uuid});
          });
}

std::vector<std::string> NetworkObjects::AdoptPorts(const NetworkRef& net,
                                                    const std::vector<std::string>& ports) {
  std::vector<std::string> problems;
  Result<NetworkObject*> obj = Find(net);
  if (!obj.ok()) return {obj.error().message};
  for (const std::string& text : ports) {
    Result<PortDef> port = ParsePortXml(text, false);
    if (!port.ok()) {
      problems.push_back("network '" + net.name +
                         "': a recorded port is unreadable: " + port.error().message);
      continue;
    }
    // networkNotifyPort's checks, as for a reclaimed port (no hook: the
    // port existed all along).
    if (Status st = ConfirmPortPlug(**obj, *port); !st.ok()) {
      problems.push_back("network '" + net.name + "': recorded port " +
                         xml::FormatUuid(port->uuid) + " dropped: " + st.message());
      continue;
    }
    AssignClassId(**obj, *port);
    Uuid uuid = port->uuid;
    PortDef& adopted = (*obj)->ports[uuid] = std::move(*port);
    // The class may be there still, or gone with a rebuilt tree: plugged
    // again either way (AddFloor brings what is there to the plan).
    if (InboundFloor(adopted.bandwidth) != 0) {
      Status plugged = realizer_.PlugFloor((*obj)->def, FloorOf(adopted), FloorsOf(**obj).sum);
      if (!plugged.ok()) {
        problems.push_back("network '" + net.name + "': the 'floor' of recorded port " +
                           xml::FormatUuid(uuid) + " is not guaranteed: " + plugged.message());
      }
    }
  }
  return problems;
}

Result<PortRef> NetworkObjects::PortLookupByUuid(const NetworkRef& net, const Uuid& uuid) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  auto it = obj->ports.find(uuid);
  if (it == obj->ports.end()) return PortNotFound(uuid);
  return PortRef{NetworkRef{obj->def.name, obj->def.uuid}, uuid};
}

Result<std::string> NetworkObjects::PortGetXmlDesc(const PortRef& port, unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, 0, "networkPortGetXMLDesc"));
  ASSIGN_OR_RETURN(PortDef * def, FindPort(port));
  return FormatPortXml(*def);
}

Status NetworkObjects::PortDelete(const PortRef& port, unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, 0, "networkPortDelete"));
  ASSIGN_OR_RETURN(PortDef * def, FindPort(port));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(port.network));
  // networkUnplugBandwidth: the class goes first; a port whose class
  // cannot be removed stays.
  if (def->class_id != 0 && InboundFloor(def->bandwidth) != 0) {
    RETURN_IF_ERROR(realizer_.UnplugFloor(obj->def, FloorOf(*def), FloorsOf(*obj, &port.uuid).sum));
  }
  PortDef deleted = std::move(*def);
  obj->ports.erase(port.uuid);
  if (live_change_hook_) live_change_hook_(NetworkRef{obj->def.name, obj->def.uuid});
  // libvirt: "port-deleted" once the port is released, its outcome ignored.
  RunHook(HookOp::kPortDeleted, WithDeviceConnections(*obj, nullptr), obj->ports.size(), &deleted,
          [](Status) {});
  return Status::Ok();
}

Result<std::vector<PortRef>> NetworkObjects::ListAllPorts(const NetworkRef& net, unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, 0, "networkListAllPorts"));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  // libvirt's networkListAllPorts: an inactive network has no ports to list.
  if (!obj->active) return OperationInvalid("network '" + obj->def.name + "' is not active");
  std::vector<PortRef> out;
  for (const auto& [uuid, port] : obj->ports) {
    out.push_back(PortRef{NetworkRef{obj->def.name, obj->def.uuid}, uuid});
  }
  return out;
}

Result<std::vector<TypedParam>> NetworkObjects::PortGetParameters(const PortRef& port,
                                                                  unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, 0, "networkPortGetParameters"));
  ASSIGN_OR_RETURN(PortDef * def, FindPort(port));
  return PortParameters(*def);
}

Status NetworkObjects::PortSetParameters(const PortRef& port, const std::vector<TypedParam>& params,
                                         unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, 0, "networkPortSetParameters"));
  ASSIGN_OR_RETURN(PortDef * def, FindPort(port));
  PortDef changed = *def;
  RETURN_IF_ERROR(SetPortParameters(changed, params));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(port.network));
  RETURN_IF_ERROR(CheckBandwidth(*obj, changed, def->bandwidth));
  // networkUpdatePortBandwidth: a floor removed gives its class back.
  if (InboundFloor(changed.bandwidth) == 0 && InboundFloor(def->bandwidth) != 0) {
    changed.class_id = 0;
  }
  AssignClassId(*obj, changed);
  RETURN_IF_ERROR(ReplugFloor(realizer_, *obj, *def, changed));
  *def = std::move(changed);
  if (live_change_hook_) live_change_hook_(NetworkRef{obj->def.name, obj->def.uuid});
  return Status::Ok();
}

Result<std::vector<NetworkDhcpLease>> NetworkObjects::GetDhcpLeases(
    const NetworkRef& net, const std::optional<std::string>& mac, unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, 0, "networkGetDHCPLeases"));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  if (!obj->active) return std::vector<NetworkDhcpLease>{};
  ASSIGN_OR_RETURN(std::vector<NetworkDhcpLease> leases, realizer_.Leases(obj->def));
  if (!mac) return leases;
  std::vector<NetworkDhcpLease> out;
  for (NetworkDhcpLease& lease : leases) {
    if (lease.mac && strcasecmp(lease.mac->c_str(), mac->c_str()) == 0) {
      out.push_back(std::move(lease));
    }
  }
  return out;
}

int NetworkObjects::SubscribeLifecycle(LifecycleCallback callback) {
  int id = next_subscriber_++;
  subscribers_[id] = std::move(callback);
  return id;
}

void NetworkObjects::UnsubscribeLifecycle(int id) { subscribers_.erase(id); }

void NetworkObjects::Emit(const xml::NetworkDef& def, LifecycleEvent event) {
  // A copy: a subscriber may unsubscribe while being called.
  auto subscribers = subscribers_;
  NetworkRef ref{def.name, def.uuid};
  for (const auto& [id, callback] : subscribers) callback(ref, event);
}

}  // namespace virtnat::driver
