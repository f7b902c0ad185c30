#pragma once
// Persistence of definitions and autostart marks, injected into the object
// layer. MemoryStore keeps nothing; a file store (one XML file per network,
// written atomically, autostart links) plugs in behind the same interface.

#include <string>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

struct StoredDefinition {
  std::string xml;  // INACTIVE formatting of the persistent definition
  bool autostart = false;
};

class DefinitionStore {
 public:
  virtual ~DefinitionStore() = default;
  // The definitions that could be read. A broken file is not an error: it
  // is skipped and described by LoadProblems().
  virtual Result<std::vector<StoredDefinition>> LoadAll() = 0;
  // One line per file the last LoadAll() skipped or repaired, naming it.
  virtual std::vector<std::string> LoadProblems() const { return {}; }
  virtual Status Save(const std::string& name, const std::string& xml) = 0;
  // Removes the definition and its autostart mark.
  virtual Status Remove(const std::string& name) = 0;
  virtual Status SetAutostart(const std::string& name, bool autostart) = 0;
};

class MemoryStore : public DefinitionStore {
 public:
  Result<std::vector<StoredDefinition>> LoadAll() override {
    return std::vector<StoredDefinition>{};
  }
  Status Save(const std::string&, const std::string&) override { return Status::Ok(); }
  Status Remove(const std::string&) override { return Status::Ok(); }
  Status SetAutostart(const std::string&, bool) override { return Status::Ok(); }
};

}  // namespace virtnat::driver
