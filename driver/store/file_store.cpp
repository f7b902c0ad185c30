#include "driver/store/file_store.h"

#include <utility>

#include "driver/os/atomic_file.h"
#include "driver/store/definition_dir.h"

namespace virtnat::driver {
namespace {

// libvirt writes network configs readable by root only.
constexpr mode_t kConfigMode = 0600;
constexpr mode_t kDirMode = 0755;

}  // namespace

Status CheckStorableName(const std::string& name) {
  const char* reason = nullptr;
  if (name.empty()) {
    reason = "it is empty";
  } else if (name.find('/') != std::string::npos) {
    reason = "it contains '/'";
  } else if (name[0] == '.') {
    reason = "it starts with '.'";
  } else if (name.find('\0') != std::string::npos) {
    reason = "it contains a NUL character";
  }
  if (reason == nullptr) return Status::Ok();
  return MakeError(VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
                   "network name '" + name + "' cannot be stored as a file: " + reason);
}

FileStore::FileStore(std::string config_dir) : config_dir_(std::move(config_dir)) {
  while (config_dir_.size() > 1 && config_dir_.back() == '/') config_dir_.pop_back();
}

std::string FileStore::ConfigFile(const std::string& name) const {
  return config_dir_ + "/" + name + ".xml";
}

std::string FileStore::AutostartLink(const std::string& name) const {
  return config_dir_ + "/autostart/" + name + ".xml";
}

Result<std::vector<StoredDefinition>> FileStore::LoadAll() {
  problems_.clear();
  ASSIGN_OR_RETURN(DefinitionScan scan, ScanDefinitionDir(config_dir_));
  problems_ = std::move(scan.problems);
  for (const std::string& temp : scan.temp_files) {
    Status removed = RemoveFileDurable(temp);
    if (!removed.ok()) problems_.push_back(removed.message());
  }
  for (const std::string& link : scan.orphan_links) {
    Status removed = RemoveFileDurable(link);
    problems_.push_back(removed.ok() ? link + ": autostart link without a definition; removed"
                                     : removed.message());
  }
  std::vector<StoredDefinition> out;
  for (ScannedDefinition& def : scan.definitions) {
    out.push_back(StoredDefinition{std::move(def.xml), def.autostart});
  }
  return out;
}

Status FileStore::Save(const std::string& name, const std::string& xml) {
  RETURN_IF_ERROR(CheckStorableName(name));
  RETURN_IF_ERROR(EnsureDirectory(config_dir_, kDirMode));
  return WriteFileAtomic(ConfigFile(name), DefinitionFileHeader(name) + xml, kConfigMode);
}

Status FileStore::Remove(const std::string& name) {
  RETURN_IF_ERROR(CheckStorableName(name));
  RETURN_IF_ERROR(RemoveFileDurable(ConfigFile(name)));
  return RemoveFileDurable(AutostartLink(name));
}

Status FileStore::SetAutostart(const std::string& name, bool autostart) {
  RETURN_IF_ERROR(CheckStorableName(name));
  if (!autostart) return RemoveFileDurable(AutostartLink(name));
  RETURN_IF_ERROR(EnsureDirectory(config_dir_ + "/autostart", kDirMode));
  std::string target = config_dir_.starts_with("/") ? ConfigFile(name) : "../" + name + ".xml";
  return ReplaceSymlinkAtomic(AutostartLink(name), target);
}

}  // namespace virtnat::driver
