#pragma once
// Migration from libvirt: reads the network definitions and autostart marks
// libvirt keeps (e.g. /etc/libvirt/qemu/networks with autostart/NAME.xml
// symlinks). It only reads; the caller parses, validates and defines each
// network and decides what a problem means.

#include <string>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

struct ImportedNetwork {
  std::string name;  // from the file name, equal to the definition's <name>
  std::string path;  // the file it came from
  std::string xml;   // the definition, libvirt's warning comment removed
  bool autostart = false;
};

struct LibvirtImport {
  std::vector<ImportedNetwork> networks;  // sorted by name
  // One line per file skipped or mark ignored ("PATH: reason"): broken or
  // mismatched definitions, autostart links that point elsewhere or to no
  // definition.
  std::vector<std::string> problems;
};

// Fails only if `dir` cannot be read (VIR_ERR_SYSTEM_ERROR); a missing
// directory is an error too, since the user named it.
Result<LibvirtImport> ReadLibvirtNetworks(const std::string& dir);

}  // namespace virtnat::driver
