// Defining networks read from libvirt's configuration (libvirt_import.h).

#include "driver/objects/network_objects.h"

namespace virtnat::driver {

ImportReport NetworkObjects::ImportNetworks(const LibvirtImport& from) {
  ImportReport report;
  report.problems = from.problems;
  for (const ImportedNetwork& net : from.networks) {
    // Re-running an import (e.g. from the config file at every start) must
    // not replace what was defined or changed since.
    if (LookupByName(net.name).ok()) {
      report.skipped.push_back(net.name);
      continue;
    }
    Result<NetworkRef> ref = DefineXml(net.xml, 0);
    if (!ref.ok()) {
      report.problems.push_back(net.path + ": " + ref.error().message);
      continue;
    }
    if (net.autostart) {
      if (Status st = SetAutostart(*ref, true); !st.ok()) {
        report.problems.push_back(net.path +
                                  ": defined, but not marked autostart: " + st.message());
      }
    }
    report.imported.push_back(net.name);
  }
  return report;
}

}  // namespace virtnat::driver
