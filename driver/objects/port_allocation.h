#pragma once
// What a network puts into a new port besides its plug (libvirt 9.0's
// networkAllocatePort: the merged settings, the completed virtualport) and
// the RECLAIM flag rules of networkPortCreateXML. Pure: the network is a
// definition, the port a value. The plug itself, per forward mode, and the
// checks of a port that comes back with one (networkNotifyPort) are
// driver/ports/port_plug.h's AllocatePlug and ConfirmPlug.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "common/status.h"
#include "driver/objects/network_port.h"
#include "xml/network_def.h"

namespace virtnat::driver {

using RandomBytes = std::function<void(uint8_t* out, size_t len)>;

// networkPortCreateXML: INVALID_ARG "Port reclaim requested but plug type
// is none" / "Port reclaim not requested but plug type is not none".
Status CheckReclaimFlag(const PortDef& port, bool reclaim);

// The settings a port takes from its network, as libvirt merges them: the
// bandwidth of its portgroup (the one it names, else the network's default
// one) when it has none; the portgroup's vlan, else the network's, when it
// has no tags; trustGuestRxFilters likewise; the network's <port
// isolated> when the port says nothing; the virtualport merged from the
// port, the network and the portgroup (XML_ERROR "attempt to merge
// virtualports with mismatched types (A and B)" and the like).
Status MergePortSettings(const xml::NetworkDef& net, PortDef& port);

// libvirt's virNetDevVPortProfileCheckComplete with generateMissing: the
// parameters a virtualport type needs (XML_ERROR "missing P in
// <virtualport type='T'>"); a missing 802.1Qbg instanceid or openvswitch
// interfaceid is generated from `random`.
Status CompleteVirtualPort(PortDef& port, const RandomBytes& random);

}  // namespace virtnat::driver
