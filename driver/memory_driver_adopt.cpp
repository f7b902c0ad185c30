// Networks an earlier daemon left running, taken over at start-up.

#include "driver/memory_driver.h"

namespace virtnat::driver {

Result<xml::NetworkDef> MemoryDriver::AdoptRunning(const std::string& live_xml) {
  ASSIGN_OR_RETURN(xml::NetworkDef live, codec_.Parse(live_xml, false));
  for (const auto& [uuid, obj] : objects_) {
    if (uuid != live.uuid && obj->def.name == live.name) {
      return InternalError("network '" + live.name + "' is already defined with another uuid");
    }
  }
  auto it = objects_.find(live.uuid);
  if (it == objects_.end()) {
    // A transient network: only the record knew it.
    auto obj = std::make_unique<NetworkObject>();
    obj->def = live;
    obj->active = true;
    objects_[live.uuid] = std::move(obj);
    return live;
  }
  NetworkObject& obj = *it->second;
  if (obj.active) return OperationInvalid("network '" + live.name + "' is already active");
  // The stored definition stays the config; the recorded one is what runs.
  if (obj.persistent) obj.new_def = std::move(obj.def);
  obj.def = live;
  obj.active = true;
  return live;
}

}  // namespace virtnat::driver
