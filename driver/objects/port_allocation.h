#pragma once
// What a network puts into a new port (libvirt 9.0's networkAllocatePort),
// what it checks when a hypervisor hands back a port it had before
// (networkNotifyPort, VIR_NETWORK_PORT_CREATE_RECLAIM), and the flag rules
// of networkPortCreateXML. Pure: the network is a definition, the port a
// value.
//
// The plug is per forward mode: AllocatePlug and ReclaimPlug take the live definition mutably so
// that a mode with a device pool can count its devices' connections there; the network's own count
// is the number of its ports (NetworkObject::ports).

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

// The plug of a new port. Modes with a managed bridge (nat, route, open,
// none): type 'network', the network's bridge and macTableManager; a
// virtualport is CONFIG_UNSUPPORTED "<virtualport type='T'> not supported
// for network 'N' which uses IP forwarding". Other modes:
// OPERATION_UNSUPPORTED naming the mode (they cannot run yet).
Status AllocatePlug(xml::NetworkDef& net, PortDef& port);

// libvirt's virNetDevVPortProfileCheckComplete with generateMissing: the
// parameters a virtualport type needs (XML_ERROR "missing P in
// <virtualport type='T'>"); a missing 802.1Qbg instanceid or openvswitch
// interfaceid is generated from `random`.
Status CompleteVirtualPort(PortDef& port, const RandomBytes& random);

// networkNotifyPort: a reclaimed port's plug must fit the network
// (INTERNAL_ERROR "Unexpectedly got a network port without a network
// bridge", and for pool plugs the device lookups of the mode).
Status ReclaimPlug(xml::NetworkDef& net, const PortDef& port);

}  // namespace virtnat::driver
