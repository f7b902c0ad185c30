#pragma once
// Checks libvirt's driver makes after parsing, at define and create
// (network-xml.md §4.4), apart from object conflicts, which need the
// driver's list of networks.

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml {

// Multiple DHCP blocks per family, <vlan> on a network type without vlan
// support, duplicate or multiple default portgroups, elements a mode does not
// support, the newline check on the name, and the port forward extension's
// rules (guest inside a subnet, sane ranges, no listen clash).
Status ValidateNetworkDef(const NetworkDef& def);

}  // namespace virtnat::xml
