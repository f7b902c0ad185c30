// Networks an earlier daemon left running, taken over at start-up.

#include <libvirt/virterror.h>

#include "driver/objects/network_objects.h"

namespace virtnat::driver {

Result<xml::NetworkDef> NetworkObjects::CheckAdoptable(const std::string& live_xml) {
  ASSIGN_OR_RETURN(xml::NetworkDef live, codec_.Parse(live_xml, false));
  RETURN_IF_ERROR(CheckAdoptable(live));
  return live;
}

Status NetworkObjects::CheckAdoptable(const xml::NetworkDef& live) {
  // The checks of libvirt's virNetworkObjListAssignDef, which refuses such
  // a status file as well.
  for (const auto& [uuid, obj] : objects_) {
    const std::string uuid_text = xml::FormatUuid(uuid);
    if (uuid == live.uuid && obj->def.name != live.name) {
      return MakeError(VIR_ERR_OPERATION_FAILED, VIR_FROM_NETWORK,
                       "network '" + obj->def.name + "' is already defined with uuid " + uuid_text);
    }
    if (uuid != live.uuid && obj->def.name == live.name) {
      return MakeError(VIR_ERR_OPERATION_FAILED, VIR_FROM_NETWORK,
                       "network '" + live.name + "' already exists with uuid " + uuid_text);
    }
    if (uuid == live.uuid && obj->active) {
      return OperationInvalid("network '" + live.name + "' is already active");
    }
  }
  return Status::Ok();
}

Result<xml::NetworkDef> NetworkObjects::AdoptRunning(const std::string& live_xml) {
  ASSIGN_OR_RETURN(xml::NetworkDef live, codec_.Parse(live_xml, false));
  RETURN_IF_ERROR(AdoptRunning(live));
  return live;
}

Status NetworkObjects::AdoptRunning(const xml::NetworkDef& live) {
  RETURN_IF_ERROR(CheckAdoptable(live));
  auto it = objects_.find(live.uuid);
  if (it == objects_.end()) {
    // A transient network: only the record knew it.
    auto obj = std::make_unique<NetworkObject>();
    obj->def = live;
    obj->active = true;
    objects_[live.uuid] = std::move(obj);
    return Status::Ok();
  }
  NetworkObject& obj = *it->second;
  // The stored definition stays the config; the recorded one is what runs.
  if (obj.persistent) obj.new_def = std::move(obj.def);
  obj.def = live;
  obj.active = true;
  return Status::Ok();
}

}  // namespace virtnat::driver
