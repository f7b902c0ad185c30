#pragma once
// Escaping for attribute values and text in the XML that virtnat prints.

#include <string>
#include <string_view>

namespace virtnat::xml {

// Escapes & < > ' " as libvirt's virBufferEscapeString does, writes tab,
// newline and carriage return as character references (so attribute values
// survive a re-parse), and drops other control characters (they cannot appear
// in XML 1.0).
std::string EscapeXml(std::string_view text);

}  // namespace virtnat::xml
