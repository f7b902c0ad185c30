#pragma once
// Printing a NetworkDef exactly as libvirt 9.0 prints it (network-xml.md §3):
// no XML declaration, single-quoted attributes, 2-space indent, fixed element
// and attribute order, ending in "</network>\n".

#include <string>

#include "xml/network_def.h"

namespace virtnat::xml {

// VIR_NETWORK_XML_INACTIVE: leave out live-only content (connections).
inline constexpr unsigned kFormatInactive = 1;

std::string FormatNetworkXml(const NetworkDef& def, unsigned flags = 0);

}  // namespace virtnat::xml
