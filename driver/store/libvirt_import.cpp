#include "driver/store/libvirt_import.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "driver/store/definition_dir.h"

namespace virtnat::driver {

Result<LibvirtImport> ReadLibvirtNetworks(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) < 0) {
    return SystemError("cannot read directory '" + dir + "': " + std::strerror(errno),
                       VIR_FROM_NETWORK);
  }
  if (!S_ISDIR(st.st_mode)) {
    return SystemError("cannot read directory '" + dir + "': " + std::strerror(ENOTDIR),
                       VIR_FROM_NETWORK);
  }
  ASSIGN_OR_RETURN(DefinitionScan scan, ScanDefinitionDir(dir));
  LibvirtImport out;
  out.problems = std::move(scan.problems);
  for (const std::string& link : scan.orphan_links) {
    out.problems.push_back(link + ": autostart link without a definition; ignored");
  }
  for (ScannedDefinition& def : scan.definitions) {
    out.networks.push_back(ImportedNetwork{std::move(def.name), std::move(def.path),
                                           std::move(def.xml), def.autostart});
  }
  return out;
}

}  // namespace virtnat::driver
