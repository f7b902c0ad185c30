#pragma once
// Persistent definitions on disk, laid out as libvirt keeps them:
// CONFIG_DIR/NAME.xml (libvirt's warning comment, a blank line, the
// INACTIVE XML; mode 0600) and CONFIG_DIR/autostart/NAME.xml, a symlink to
// the definition file. Every change is atomic and durable before the call
// returns (atomic_file.h), so an acknowledged define survives a crash and an
// interrupted one leaves the previous file.

#include <string>
#include <vector>

#include "driver/store/definition_store.h"

namespace virtnat::driver {

class FileStore : public DefinitionStore {
 public:
  // `config_dir` is created on the first Save. With an absolute
  // `config_dir` the autostart links hold the file's absolute path, as
  // libvirt's do; otherwise "../NAME.xml".
  explicit FileStore(std::string config_dir);

  // Reads every CONFIG_DIR/NAME.xml. Broken files are skipped and reported
  // through LoadProblems(); temporary files of interrupted writes and
  // autostart links whose definition file is gone (an interrupted Remove)
  // are deleted. Fails only if the directory cannot be read.
  Result<std::vector<StoredDefinition>> LoadAll() override;
  std::vector<std::string> LoadProblems() const override { return problems_; }

  // Refuses names that are empty, contain '/' or start with '.'
  // (VIR_ERR_INVALID_ARG).
  Status Save(const std::string& name, const std::string& xml) override;
  // Removes the definition file first, then the mark, so a crash in between
  // leaves an orphan link that LoadAll() cleans up, never a definition that
  // lost its autostart flag. Removing a missing definition is success.
  Status Remove(const std::string& name) override;
  Status SetAutostart(const std::string& name, bool autostart) override;

  std::string ConfigFile(const std::string& name) const;
  std::string AutostartLink(const std::string& name) const;

 private:
  std::string config_dir_;
  std::vector<std::string> problems_;
};

// Checks that `name` can name a file in a store directory.
Status CheckStorableName(const std::string& name);

}  // namespace virtnat::driver
