#pragma once
// Define-time defaults (network-xml.md §3.5): UUID, MAC, bridge name.

#include <functional>
#include <string>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml {

struct DefaultsContext {
  // True if `bridge` is the bridge of another network object (current or
  // pending definition) or an existing host interface.
  std::function<bool(const std::string& bridge)> bridge_taken;
  // Fills `out` with random bytes (tests inject a fixed source).
  std::function<void(uint8_t* out, size_t len)> random_bytes;
};

// Generates a UUID if none was given, a 52:54:00 MAC for nat/route/open/
// isolated networks without one, and a virbrN (or template %d) bridge name
// when the name is absent, empty or a template. Errors: "Bridge generation
// exceeded max id 256".
Status ApplyDefineDefaults(NetworkDef& def, const DefaultsContext& ctx);

// Fills `out` from the kernel's random source.
void SystemRandomBytes(uint8_t* out, size_t len);

}  // namespace virtnat::xml
