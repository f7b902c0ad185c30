#pragma once
// Reading a directory of network definitions laid out as libvirt keeps them:
// DIR/NAME.xml, each starting with libvirt's warning comment, and autostart
// marks DIR/autostart/NAME.xml that are symlinks to the definition file.
// Shared by the daemon's own store and the libvirt import; it never changes
// the directory.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

// The comment libvirt puts at the top of a network's config and status
// files, a blank line included; the XML follows it directly.
std::string DefinitionFileHeader(std::string_view name);

// `text` without one leading XML comment and the whitespace after it.
std::string_view StripLeadingComment(std::string_view text);

struct ScannedDefinition {
  std::string name;  // from the file name, checked against <name>
  std::string path;
  std::string xml;  // the file without its leading comment
  bool autostart = false;
};

struct DefinitionScan {
  std::vector<ScannedDefinition> definitions;  // sorted by name
  // One line per file that was skipped or mark that was ignored, naming the
  // file and the reason ("PATH: reason").
  std::vector<std::string> problems;
  // Leftovers of interrupted atomic writes (IsAtomicTempName), in DIR and
  // DIR/autostart.
  std::vector<std::string> temp_files;
  // Autostart entries for which DIR/NAME.xml does not exist at all.
  std::vector<std::string> orphan_links;
};

// Scans `dir`. A missing directory scans as empty; only an unreadable
// directory is an error. Broken files (unreadable, empty, not well-formed,
// not a <network>, or a <name> other than the file name) are left out and
// named in `problems`.
Result<DefinitionScan> ScanDefinitionDir(const std::string& dir);

}  // namespace virtnat::driver
