#pragma once
// How the object layer turns XML into definitions and back. The real codec
// (xml_codec.h) wraps the xml/ layer; tests may inject a small fake.

#include <string>
#include <string_view>

#include "common/status.h"
#include "xml/network_def.h"
#include "xml/network_defaults.h"

namespace virtnat::driver {

class DefinitionCodec {
 public:
  virtual ~DefinitionCodec() = default;
  // Parses and validates a <network> document; `validate_schema` is the
  // VIR_NETWORK_DEFINE_VALIDATE / CREATE_VALIDATE flag.
  virtual Result<xml::NetworkDef> Parse(std::string_view text, bool validate_schema) = 0;
  // Define-time defaults: UUID, MAC, bridge name. The codec supplies a
  // random source when ctx.random_bytes is empty.
  virtual Status ApplyDefaults(xml::NetworkDef& def, const xml::DefaultsContext& ctx) = 0;
  // xml::kFormatInactive in flags leaves out live-only content.
  virtual std::string Format(const xml::NetworkDef& def, unsigned flags) = 0;
  // virNetworkUpdate on one definition; all-or-nothing.
  virtual Status Update(xml::NetworkDef& def, unsigned command, unsigned section, int parent_index,
                        std::string_view fragment) = 0;
};

}  // namespace virtnat::driver
