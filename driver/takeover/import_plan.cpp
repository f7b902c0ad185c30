#include "driver/takeover/import_plan.h"

#include "xml/network_def.h"

namespace virtnat::driver {

std::vector<ImportVerdict> PlanImport(const LibvirtImport& from, DefinitionCodec& codec,
                                      const NetworkPlanFacts& facts,
                                      const std::function<bool(const std::string&)>& defined,
                                      std::map<std::string, std::string> uuids) {
  std::vector<ImportVerdict> out;
  for (const ImportedNetwork& net : from.networks) {
    ImportVerdict v{net.name, net.path, ImportVerdict::Action::kRefuse, net.autostart, ""};
    if (defined(net.name)) {
      v.action = ImportVerdict::Action::kSkip;
      v.detail = "virtnatd already defines it; left as it is";
      out.push_back(std::move(v));
      continue;
    }
    Result<xml::NetworkDef> def = codec.Parse(net.xml, false);
    if (!def.ok()) {
      v.detail = def.error().message;
      out.push_back(std::move(v));
      continue;
    }
    const std::string uuid = xml::FormatUuid(def->uuid);
    if (auto owner = uuids.find(uuid); owner != uuids.end()) {
      v.detail = "its uuid " + uuid + " is the one of network '" + owner->second + "'";
      out.push_back(std::move(v));
      continue;
    }
    // The plan is what a start would realize: a mode or setting virtnatd
    // cannot realize is said now, not at the first start.
    Result<NetworkPlan> plan = PlanNetwork(*def, facts);
    if (!plan.ok()) {
      v.detail = plan.error().message;
    } else {
      v.action = ImportVerdict::Action::kDefine;
      uuids.emplace(uuid, net.name);
      // A network's own bridge, or the host bridge it only uses, or the
      // devices of its macvtap pool.
      std::string bridge = !plan->bridge.name.empty() ? plan->bridge.name : def->bridge.name;
      v.detail = std::string("forward ") + xml::ForwardModeName(def->forward.mode);
      if (!bridge.empty()) v.detail += ", bridge " + bridge;
      for (size_t i = 0; bridge.empty() && i < def->forward.interfaces.size(); ++i) {
        v.detail += (i == 0 ? ", devices " : " ") + def->forward.interfaces[i].dev;
      }
      if (plan->dnsmasq.needed) v.detail += ", dnsmasq";
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::string FormatImportReport(const std::vector<ImportVerdict>& verdicts,
                               const std::vector<std::string>& problems, bool dry_run) {
  std::string out;
  for (const ImportVerdict& v : verdicts) {
    out += v.name + ": ";
    switch (v.action) {
      case ImportVerdict::Action::kDefine:
        out += std::string(dry_run ? "will define" : "defined") +
               (v.autostart ? " with autostart" : "") + " (" + v.detail + ")";
        break;
      case ImportVerdict::Action::kSkip:
        out += "skipped: " + v.detail;
        break;
      case ImportVerdict::Action::kRefuse:
        out += "cannot import " + v.path + ": " + v.detail;
        break;
    }
    out += "\n";
  }
  for (const std::string& problem : problems) out += "ignored: " + problem + "\n";
  return out;
}

}  // namespace virtnat::driver
