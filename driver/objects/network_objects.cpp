#include "driver/objects/network_objects.h"

#include <libvirt/libvirt.h>

#include "driver/hooks/network_hook.h"
#include "driver/realize/op_timing.h"
#include "xml/network_format.h"

namespace virtnat::driver {
namespace {

constexpr unsigned kListFiltersAll =
    VIR_CONNECT_LIST_NETWORKS_ACTIVE | VIR_CONNECT_LIST_NETWORKS_INACTIVE |
    VIR_CONNECT_LIST_NETWORKS_PERSISTENT | VIR_CONNECT_LIST_NETWORKS_TRANSIENT |
    VIR_CONNECT_LIST_NETWORKS_AUTOSTART | VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;

NetworkRef RefOf(const xml::NetworkDef& def) { return NetworkRef{def.name, def.uuid}; }

bool UsesBridge(const NetworkObject& obj, const std::string& bridge) {
  return obj.def.bridge.name == bridge || (obj.new_def && obj.new_def->bridge.name == bridge);
}

// What libvirtd adds to the live definition at start: the NAT source port
// range, for nat networks with an IPv4 address and no <port> of their own.
void AddRuntimeDefaults(xml::NetworkDef& def) {
  if (def.forward.mode != xml::ForwardMode::kNat || def.forward.nat_port) return;
  for (const xml::IpDef& ip : def.ips) {
    if (ip.address.is_v4()) {
      def.forward.nat_port = xml::PortRange{1024, 65535};
      return;
    }
  }
}

}  // namespace

NetworkObjects::NetworkObjects(DefinitionCodec& codec, NetworkRealizer& realizer,
                               DefinitionStore& store)
    : codec_(codec), realizer_(realizer), store_(store) {}

Result<std::vector<std::string>> NetworkObjects::Load() {
  ASSIGN_OR_RETURN(std::vector<StoredDefinition> stored, store_.LoadAll());
  std::vector<std::string> problems;
  for (const StoredDefinition& s : stored) {
    Result<xml::NetworkDef> def = codec_.Parse(s.xml, false);
    if (!def.ok()) {
      problems.push_back("stored definition skipped: " + def.status().message());
      continue;
    }
    // As libvirt's virNetworkObjListAssignDef: one object per uuid.
    if (auto it = objects_.find(def->uuid); it != objects_.end()) {
      problems.push_back("stored definition of network '" + def->name + "' skipped: network '" +
                         it->second->def.name + "' is already defined with uuid " +
                         xml::FormatUuid(def->uuid));
      continue;
    }
    // libvirt loads a hardcoded bridge name without a collision check, so
    // the network is at least defined; only one of them can run.
    for (const auto& [uuid, other] : objects_) {
      // Host bridges (forward mode bridge) are shared.
      const bool managed = xml::HasManagedBridge(def->forward.mode) ||
                           xml::HasManagedBridge(other->def.forward.mode);
      if (managed && !def->bridge.name.empty() && UsesBridge(*other, def->bridge.name)) {
        problems.push_back("network '" + def->name + "' uses bridge '" + def->bridge.name +
                           "' as network '" + other->def.name +
                           "' does; it cannot start while that one runs");
      }
    }
    auto obj = std::make_unique<NetworkObject>();
    obj->def = std::move(def).value();
    obj->persistent = true;
    obj->autostart = s.autostart;
    Uuid uuid = obj->def.uuid;
    objects_[uuid] = std::move(obj);
  }
  return problems;
}

void NetworkObjects::StartAutostartNetworks(std::function<void(const std::string&)> report,
                                            std::function<void(const std::string&)> started) {
  std::vector<Uuid> due;
  for (auto& [uuid, obj] : objects_) {
    if (obj->persistent && obj->autostart && !obj->active && CheckNotBusy(*obj).ok()) {
      due.push_back(uuid);
    }
  }
  for (const Uuid& uuid : due) {
    NetworkObject& obj = *objects_.at(uuid);
    StartObject(obj, obj.def, false, [report, started, name = obj.def.name](Status st) {
      if (!st.ok()) {
        report("cannot autostart network '" + name + "': " + st.message());
      } else if (started) {
        started("autostart: network '" + name + "' started");
      }
    });
  }
}

Result<NetworkObject*> NetworkObjects::Find(const NetworkRef& net) {
  auto it = objects_.find(net.uuid);
  if (it == objects_.end()) {
    return MakeError(
        VIR_ERR_NO_NETWORK, VIR_FROM_NETWORK,
        "no network with matching uuid '" + xml::FormatUuid(net.uuid) + "' (" + net.name + ")");
  }
  return it->second.get();
}

Result<std::vector<NetworkRef>> NetworkObjects::ListAllNetworks(unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, kListFiltersAll, "networkConnectListAllNetworks"));
  // Within each pair of filter bits, neither or both mean "no filtering".
  auto pass = [flags](unsigned yes_bit, unsigned no_bit, bool value) {
    bool yes = flags & yes_bit, no = flags & no_bit;
    return yes == no || (yes ? value : !value);
  };
  std::vector<NetworkRef> out;
  for (const auto& [uuid, obj] : objects_) {
    if (!pass(VIR_CONNECT_LIST_NETWORKS_ACTIVE, VIR_CONNECT_LIST_NETWORKS_INACTIVE, obj->active) ||
        !pass(VIR_CONNECT_LIST_NETWORKS_PERSISTENT, VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
              obj->persistent) ||
        !pass(VIR_CONNECT_LIST_NETWORKS_AUTOSTART, VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
              obj->autostart)) {
      continue;
    }
    out.push_back(RefOf(obj->def));
  }
  return out;
}

Result<NetworkRef> NetworkObjects::LookupByName(const std::string& name) {
  for (const auto& [uuid, obj] : objects_) {
    if (obj->def.name == name) return RefOf(obj->def);
  }
  return MakeError(VIR_ERR_NO_NETWORK, VIR_FROM_NETWORK,
                   "no network with matching name '" + name + "'");
}

Result<NetworkRef> NetworkObjects::LookupByUuid(const Uuid& uuid) {
  auto it = objects_.find(uuid);
  if (it == objects_.end()) {
    return MakeError(VIR_ERR_NO_NETWORK, VIR_FROM_NETWORK,
                     "no network with matching uuid '" + xml::FormatUuid(uuid) + "'");
  }
  return RefOf(it->second->def);
}

Result<xml::NetworkDef> NetworkObjects::PrepareDef(const std::string& text, bool validate,
                                                   bool for_create) {
  ASSIGN_OR_RETURN(xml::NetworkDef def, codec_.Parse(text, validate));
  RETURN_IF_ERROR(realizer_.CheckHostDevices(def));
  auto taken_by_other = [this, &def](const std::string& bridge) {
    for (const auto& [uuid, obj] : objects_) {
      if (obj->def.name != def.name && UsesBridge(*obj, bridge)) return true;
    }
    return false;
  };
  xml::DefaultsContext ctx;
  ctx.bridge_taken = [this, &taken_by_other](const std::string& bridge) {
    return taken_by_other(bridge) || realizer_.InterfaceExists(bridge);
  };
  RETURN_IF_ERROR(codec_.ApplyDefaults(def, ctx));
  // (libvirt's networkBridgeNameValidate: for the modes with a bridge of
  // their own; host bridges are shared.)
  if (xml::HasManagedBridge(def.forward.mode) && !def.bridge.name.empty() &&
      taken_by_other(def.bridge.name)) {
    return InternalError("bridge name '" + def.bridge.name + "' already in use.");
  }
  // virNetworkObjIsDuplicate: the UUID decides, then the name.
  auto it = objects_.find(def.uuid);
  if (it != objects_.end()) {
    const NetworkObject& obj = *it->second;
    if (obj.def.name != def.name) {
      return OperationFailed("network '" + obj.def.name + "' is already defined with uuid " +
                             xml::FormatUuid(obj.def.uuid));
    }
    // Its start runs a copy of the definition: a redefinition would race it.
    RETURN_IF_ERROR(CheckNotBusy(obj));
    if (for_create && obj.active) {
      return OperationInvalid("network is already active as '" + obj.def.name + "'");
    }
    return def;
  }
  for (const auto& [uuid, obj] : objects_) {
    if (obj->def.name == def.name) {
      return OperationFailed("network '" + def.name + "' already exists with uuid " +
                             xml::FormatUuid(uuid));
    }
  }
  return def;
}

Status NetworkObjects::SaveConfig(const xml::NetworkDef& def) {
  return store_.Save(def.name, codec_.Format(def, xml::kFormatInactive));
}

void NetworkObjects::RunHook(HookOp op, const xml::NetworkDef& def, size_t ports,
                             const PortDef* port, HookRunner::Done done) {
  xml::NetworkDef live = def;
  live.connections = static_cast<unsigned>(ports);
  // libvirt formats the live definition (flags 0) and the port as it is.
  HookCall call{def.name, op,
                HookData(codec_.Format(live, 0), port ? FormatPortXml(*port) : std::string())};
  hooks_->Run(std::move(call), std::move(done));
}

void NetworkObjects::StartObject(NetworkObject& obj, xml::NetworkDef def, bool wait,
                                 StartDone done) {
  // libvirt's start/begin sees the definition before its runtime defaults.
  xml::NetworkDef before_defaults = def;
  BeginOpTiming("start", def.name);
  AddRuntimeDefaults(def);
  // libvirt's networkCreateInterfacePool: a <pf>'s virtual functions become
  // the live pool.
  Status pooled = [&]() -> Status {
    if (!NeedsVirtualFunctionPool(def)) return Status::Ok();
    ASSIGN_OR_RETURN(std::vector<VirtualFunction> vfs,
                     realizer_.VirtualFunctions(def.forward.pf_devs[0]));
    return FillVirtualFunctionPool(def, vfs);
  }();
  obj.starting = true;
  const Uuid uuid = obj.def.uuid;
  std::weak_ptr<bool> alive = alive_;
  StartDone finish = [this, alive, uuid, name = def.name, live = def,
                      done = std::move(done)](Status st) mutable {
    if (alive.expired()) return;
    auto it = objects_.find(uuid);
    if (it != objects_.end()) {
      NetworkObject& started = *it->second;
      started.starting = false;
      if (st.ok()) {
        if (started.persistent) started.new_def = std::move(started.def);
        started.def = std::move(live);
        started.active = true;
        Emit(started.def, LifecycleEvent::kStarted);  // the recorder writes the record
      } else if (!started.persistent) {
        objects_.erase(it);
      }
    }
    MarkOpPhase(name, "record");
    EndOpTiming(name);
    done(std::move(st));
  };
  // libvirt: "started" once the host side is up; its failure undoes it.
  auto up = [this, alive, def, finish](Status st) mutable {
    if (alive.expired()) return;
    if (!st.ok()) return finish(std::move(st));
    RunHook(HookOp::kStarted, def, 0, nullptr,
            [this, alive, def, finish = std::move(finish)](Status hooked) mutable {
              if (alive.expired()) return;
              MarkOpPhase(def.name, "hook_started");
              if (!hooked.ok()) (void)realizer_.Stop(def);
              finish(std::move(hooked));
            });
  };
  if (!pooled.ok()) return finish(std::move(pooled));
  // "start" before any host effect: its failure leaves nothing to undo.
  RunHook(HookOp::kStart, before_defaults, 0, nullptr,
          [this, alive, def, wait, up = std::move(up)](Status hooked) mutable {
            if (alive.expired()) return;
            MarkOpPhase(def.name, "hook_start");
            if (!hooked.ok()) return up(std::move(hooked));
            if (wait) {
              up(realizer_.Start(def));
            } else {
              realizer_.StartAsync(def, std::move(up));
            }
          });
}

Result<NetworkRef> NetworkObjects::DefineXml(const std::string& xml, unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, VIR_NETWORK_DEFINE_VALIDATE, "networkDefineXMLFlags"));
  ASSIGN_OR_RETURN(xml::NetworkDef def,
                   PrepareDef(xml, flags & VIR_NETWORK_DEFINE_VALIDATE, false));
  RETURN_IF_ERROR(SaveConfig(def));
  auto it = objects_.find(def.uuid);
  if (it == objects_.end()) {
    auto obj = std::make_unique<NetworkObject>();
    obj->def = def;
    obj->persistent = true;
    objects_[def.uuid] = std::move(obj);
  } else if (it->second->active) {
    // The running definition stays; the new one applies after a stop.
    it->second->new_def = def;
    it->second->persistent = true;
  } else {
    it->second->def = def;
  }
  Emit(def, LifecycleEvent::kDefined);
  return RefOf(def);
}

Result<NetworkRef> NetworkObjects::CreateXml(const std::string& xml, unsigned flags) {
  std::optional<Result<NetworkRef>> out;
  BeginCreateXml(xml, flags, true, [&out](Result<NetworkRef> r) { out.emplace(std::move(r)); });
  return std::move(*out);
}

void NetworkObjects::CreateXmlAsync(const std::string& xml, unsigned flags, CreateDone done) {
  BeginCreateXml(xml, flags, false, std::move(done));
}

void NetworkObjects::BeginCreateXml(const std::string& xml, unsigned flags, bool wait,
                                    CreateDone done) {
  if (Status st = CheckFlags(flags, VIR_NETWORK_CREATE_VALIDATE, "networkCreateXMLFlags");
      !st.ok()) {
    return done(st.error());
  }
  Result<xml::NetworkDef> def = PrepareDef(xml, flags & VIR_NETWORK_CREATE_VALIDATE, true);
  if (!def.ok()) return done(def.error());
  auto it = objects_.find(def->uuid);
  if (it == objects_.end()) {
    // Transient until it is destroyed; known meanwhile, so that its name,
    // UUID and bridge stay taken while it starts.
    auto obj = std::make_unique<NetworkObject>();
    obj->def = *def;
    it = objects_.emplace(def->uuid, std::move(obj)).first;
  }
  // An inactive persistent network started with other XML keeps its stored
  // config, which comes back after destroy.
  NetworkRef ref = RefOf(*def);
  StartObject(*it->second, std::move(def).value(), wait, [ref, done = std::move(done)](Status st) {
    if (st.ok()) {
      done(ref);
    } else {
      done(st.error());
    }
  });
}

Status NetworkObjects::Create(const NetworkRef& net) {
  std::optional<Status> out;
  BeginCreate(net, true, [&out](Status st) { out = std::move(st); });
  return *out;
}

void NetworkObjects::CreateAsync(const NetworkRef& net, StartDone done) {
  BeginCreate(net, false, std::move(done));
}

void NetworkObjects::BeginCreate(const NetworkRef& net, bool wait, StartDone done) {
  Result<NetworkObject*> obj = Find(net);
  if (!obj.ok()) return done(obj.status());
  if (Status busy = CheckNotBusy(**obj); !busy.ok()) return done(busy);
  if ((*obj)->active) return done(OperationInvalid("network is already active"));
  StartObject(**obj, (*obj)->def, wait, std::move(done));
}

Status NetworkObjects::Destroy(const NetworkRef& net) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  RETURN_IF_ERROR(CheckNotBusy(*obj));
  if (!obj->active) return OperationInvalid("network '" + obj->def.name + "' is not active");
  BeginOpTiming("destroy", obj->def.name);
  // Teardown is best effort: the object stops even if an effect fails.
  Status st = realizer_.Stop(obj->def);
  // libvirt: "stopped" after the teardown, its outcome ignored; the ports
  // still count (libvirt drops them after the hook).
  RunHook(HookOp::kStopped, obj->def, obj->ports.size(), nullptr, [](Status) {});
  MarkOpPhase(obj->def.name, "hook_stopped");
  obj->active = false;
  obj->ports.clear();
  xml::NetworkDef stopped = obj->def;
  if (obj->persistent) {
    if (obj->new_def) obj->def = std::move(*obj->new_def);
    obj->new_def.reset();
  } else {
    objects_.erase(stopped.uuid);
    Status forgot = realizer_.Forget(stopped.name);
    if (st.ok()) st = forgot;
  }
  Emit(stopped, LifecycleEvent::kStopped);  // the recorder removes the record
  MarkOpPhase(stopped.name, "record");
  EndOpTiming(stopped.name);
  return st;
}

Status NetworkObjects::Undefine(const NetworkRef& net) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  RETURN_IF_ERROR(CheckNotBusy(*obj));
  if (!obj->persistent) return OperationInvalid("can't undefine transient network");
  RETURN_IF_ERROR(store_.Remove(obj->def.name));
  xml::NetworkDef def = obj->def;
  obj->autostart = false;
  if (obj->active) {
    obj->persistent = false;
    obj->new_def.reset();
  } else {
    objects_.erase(def.uuid);
    // The definition is gone already; a lease file left behind is harmless.
    (void)realizer_.Forget(def.name);
  }
  Emit(def, LifecycleEvent::kUndefined);
  return Status::Ok();
}

Result<std::string> NetworkObjects::GetXmlDesc(const NetworkRef& net, unsigned flags) {
  RETURN_IF_ERROR(CheckFlags(flags, VIR_NETWORK_XML_INACTIVE, "networkGetXMLDesc"));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  if (flags & VIR_NETWORK_XML_INACTIVE) {
    return codec_.Format(obj->new_def ? *obj->new_def : obj->def, xml::kFormatInactive);
  }
  xml::NetworkDef def = obj->def;
  def.connections = static_cast<unsigned>(obj->ports.size());
  std::vector<PortPlug> plugs;
  for (const auto& [uuid, port] : obj->ports) plugs.push_back(port.plug);
  CountDeviceConnections(def, plugs);
  return codec_.Format(def, 0);
}

Result<std::string> NetworkObjects::GetBridgeName(const NetworkRef& net) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  if (obj->def.bridge.name.empty()) {
    return InternalError("network '" + obj->def.name + "' does not have a bridge name.");
  }
  return obj->def.bridge.name;
}

Result<bool> NetworkObjects::GetAutostart(const NetworkRef& net) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  return obj->autostart;
}

Status NetworkObjects::SetAutostart(const NetworkRef& net, bool autostart) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  if (!obj->persistent) return OperationInvalid("cannot set autostart for transient network");
  if (obj->autostart != autostart) {
    RETURN_IF_ERROR(store_.SetAutostart(obj->def.name, autostart));
    obj->autostart = autostart;
  }
  return Status::Ok();
}

Result<bool> NetworkObjects::IsActive(const NetworkRef& net) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  return obj->active;
}

Result<bool> NetworkObjects::IsPersistent(const NetworkRef& net) {
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  return obj->persistent;
}

}  // namespace virtnat::driver
