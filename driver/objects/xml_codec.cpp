#include "driver/objects/xml_codec.h"

#include "xml/network_format.h"
#include "xml/network_parse.h"
#include "xml/network_update.h"
#include "xml/network_validate.h"
#include "xml/schema.h"

namespace virtnat::driver {

Result<xml::NetworkDef> XmlCodec::Parse(std::string_view text, bool validate_schema) {
  if (validate_schema) RETURN_IF_ERROR(xml::ValidateNetworkSchema(text));
  ASSIGN_OR_RETURN(xml::NetworkDef def, xml::ParseNetworkXml(text));
  RETURN_IF_ERROR(xml::ValidateNetworkDef(def));
  return def;
}

Status XmlCodec::ApplyDefaults(xml::NetworkDef& def, const xml::DefaultsContext& ctx) {
  xml::DefaultsContext with_random = ctx;
  if (!with_random.random_bytes) with_random.random_bytes = xml::SystemRandomBytes;
  return xml::ApplyDefineDefaults(def, with_random);
}

std::string XmlCodec::Format(const xml::NetworkDef& def, unsigned flags) {
  return xml::FormatNetworkXml(def, flags);
}

Status XmlCodec::Update(xml::NetworkDef& def, unsigned command, unsigned section, int parent_index,
                        std::string_view fragment) {
  return xml::UpdateNetworkDef(def, command, section, parent_index, fragment);
}

}  // namespace virtnat::driver
