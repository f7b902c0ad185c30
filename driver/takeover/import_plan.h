#pragma once
// `virtnatd import-libvirt`: what becomes of each network libvirt defines
// (store/libvirt_import.h reads them), decided before anything is defined,
// so that a dry run and the import say the same.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "driver/objects/definition_codec.h"
#include "driver/realize/network_plan.h"
#include "driver/store/libvirt_import.h"

namespace virtnat::driver {

struct ImportVerdict {
  enum class Action { kDefine, kSkip, kRefuse };
  std::string name;
  std::string path;
  Action action = Action::kRefuse;
  bool autostart = false;
  // kDefine: what virtnatd will realize ("forward nat, bridge virbr0");
  // kSkip: why; kRefuse: the parser's or planner's error.
  std::string detail;
};

// `defined` says whether virtnatd already defines a name; `uuids` maps the
// uuids virtnatd's networks hold (FormatUuid) to their names. A uuid taken
// by another network, here or earlier in the same import, is refused.
std::vector<ImportVerdict> PlanImport(const LibvirtImport& from, DefinitionCodec& codec,
                                      const NetworkPlanFacts& facts,
                                      const std::function<bool(const std::string&)>& defined,
                                      std::map<std::string, std::string> uuids);

// One line per network ("NAME: will define ..." or "NAME: defined ...",
// "NAME: skipped ...", "NAME: cannot import: ..."), then the reader's
// problems.
std::string FormatImportReport(const std::vector<ImportVerdict>& verdicts,
                               const std::vector<std::string>& problems, bool dry_run);

}  // namespace virtnat::driver
