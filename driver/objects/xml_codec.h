#pragma once
// DefinitionCodec over the xml/ layer: parse, validate, defaults, format,
// update exactly as libvirt does them.

#include "driver/objects/definition_codec.h"

namespace virtnat::driver {

class XmlCodec : public DefinitionCodec {
 public:
  Result<xml::NetworkDef> Parse(std::string_view text, bool validate_schema) override;
  Status ApplyDefaults(xml::NetworkDef& def, const xml::DefaultsContext& ctx) override;
  std::string Format(const xml::NetworkDef& def, unsigned flags) override;
  Status Update(xml::NetworkDef& def, unsigned command, unsigned section, int parent_index,
                std::string_view fragment) override;
};

}  // namespace virtnat::driver
