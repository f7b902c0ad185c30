#pragma once
// Port forward rules shared by ValidateNetworkDef and the updater.

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml::internal {

// One forward on its own: the guest lies in a subnet of one of the network's
// <ip> elements; the listen address, if any, has the guest's family; each
// range has 1 <= start <= end <= 65535 and guest ports to..to+(end-start)
// within 1..65535.
Status ValidatePortForward(const NetworkDef& def, const PortForward& pf);
// Every forward, then no two (ranges of) forwards that claim the same
// protocol and port on an overlapping listen address and device (an absent
// address or dev overlaps every address or dev).
Status ValidatePortForwards(const NetworkDef& def);
// The identity the updater matches forwards by: protocol, listen address and
// the first range's start port.
bool SamePortForwardKey(const PortForward& a, const PortForward& b);

}  // namespace virtnat::xml::internal
