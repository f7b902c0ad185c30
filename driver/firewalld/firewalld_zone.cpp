#include "driver/firewalld/firewalld_zone.h"

#include <glib.h>

#include <algorithm>

namespace virtnat::driver {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether firewalld has `name` among `list`'s answer; an error counts as no
// (libvirt's virFirewallDZoneExists / PolicyExists).
bool Has(const Result<std::vector<std::string>>& list, const std::string& name) {
  return list.ok() && Contains(*list, name);
}

}  // namespace

ZonePlan PlanZone(const xml::NetworkDef& def) {
  ZonePlan plan;
  plan.network = def.name;
  if (!xml::HasManagedBridge(def.forward.mode)) return plan;
  plan.bridge = def.bridge.name;
  plan.requested = def.bridge.zone;
  plan.use_default = def.bridge.zone.empty() && def.forward.mode != xml::ForwardMode::kOpen;
  plan.routed = def.forward.mode == xml::ForwardMode::kRoute;
  return plan;
}

Result<std::optional<std::string>> ChooseZone(const ZonePlan& plan, Firewalld& firewalld) {
  if (plan.empty()) return std::optional<std::string>();
  if (!plan.requested.empty()) {
    if (!firewalld.Running()) {
      return InternalError("zone " + plan.requested + " requested for network " + plan.network +
                               " but firewalld is not active",
                           VIR_FROM_NONE);
    }
    return std::optional<std::string>(plan.requested);
  }
  if (!firewalld.Running()) return std::optional<std::string>();
  if (plan.routed && Has(firewalld.Policies(), "libvirt-routed-out") &&
      Has(firewalld.Zones(), "libvirt-routed")) {
    return std::optional<std::string>("libvirt-routed");
  }
  if (Has(firewalld.Zones(), "libvirt")) return std::optional<std::string>("libvirt");
  return InternalError(
      "firewalld can't find the 'libvirt' zone that should have been installed with libvirt",
      VIR_FROM_NONE);
}

Status JoinZone(const ZonePlan& plan, Firewalld& firewalld) {
  ASSIGN_OR_RETURN(std::optional<std::string> zone, ChooseZone(plan, firewalld));
  if (!zone) {
    if (!plan.empty()) {
      g_debug("network '%s': firewalld is not running; bridge '%s' gets no zone",
              plan.network.c_str(), plan.bridge.c_str());
    }
    return Status::Ok();
  }
  RETURN_IF_ERROR(firewalld.ChangeZoneOfInterface(*zone, plan.bridge));
  g_info("network '%s': bridge '%s' is in firewalld zone '%s'", plan.network.c_str(),
         plan.bridge.c_str(), zone->c_str());
  return Status::Ok();
}

void LeaveZone(const ZonePlan& plan, Firewalld& firewalld) {
  if (plan.empty() || !firewalld.Running()) return;
  if (Status left = firewalld.RemoveInterface(plan.bridge); !left.ok()) {
    g_debug("network '%s': taking bridge '%s' out of its firewalld zone: %s", plan.network.c_str(),
            plan.bridge.c_str(), left.message().c_str());
  }
}

}  // namespace virtnat::driver
