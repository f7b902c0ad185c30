#pragma once
// Parsing a libvirt <network> document into a NetworkDef.
//
// The document is read with hardened libxml2 settings (xml_document.h): no
// network, no DTD, no entity expansion, a size limit. Parsing applies the
// content rules libvirt applies at parse time (network-xml.md §4.2, §4.3) and
// returns libvirt's error code and message for the first violation. Unknown
// elements and attributes are dropped; where one element is expected the first
// one wins. Define-time defaults are not applied here (network_defaults.h).

#include <string_view>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml {

// Largest document accepted, in bytes.
inline constexpr size_t kMaxNetworkXmlSize = 1024 * 1024;

Result<NetworkDef> ParseNetworkXml(std::string_view text);

}  // namespace virtnat::xml
