#pragma once
// A port's <bandwidth> against its network (pure): the portgroup's bandwidth
// a port inherits, and libvirt's checks of a port's inbound floor
// (networkCheckBandwidth) with libvirt's error texts.
//
// A port's average, peak and burst are applied by the hypervisor on its tap
// (libvirt's qemu driver does the same with the port XML the network
// returns); only a floor is the network's to realize, as a class of its own
// under the bridge's 1:1 (qos_plan.h's FloorClass, built by the realizer's
// PlugFloor when the port is created).

#include <optional>
#include <set>
#include <string>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

// The bandwidth a new port gets (libvirt's networkAllocatePort): its own if
// it has any, else that of its portgroup (the one `group` names, or the
// network's default portgroup when `group` is empty).
std::optional<xml::Bandwidth> EffectivePortBandwidth(const xml::NetworkDef& net,
                                                     const std::string& group,
                                                     const std::optional<xml::Bandwidth>& own);

// Whether port `mac` may have `wanted` on `net` (replacing `old` for a
// port that is plugged already; nullopt for a new one), `floor_sum` being
// the floors of the ports plugged now. Errors, as libvirt:
//  - OPERATION_UNSUPPORTED "Invalid use of 'floor' on interface with MAC
//    address M - 'floor' is only supported for interface type 'network'
//    with forward type 'nat', 'route', 'open' or none";
//  - OPERATION_UNSUPPORTED "Invalid use of 'floor' on interface with MAC
//    address M - network 'N' has no inbound QoS set";
//  - OPERATION_INVALID "Cannot plug 'M' interface into 'BRIDGE' because new
//    combined inbound floor=F would overcommit peak=P on network 'N'" (or
//    average=A when the network has no peak).
Status CheckPortBandwidth(const xml::NetworkDef& net, const std::string& mac,
                          const std::optional<xml::Bandwidth>& wanted,
                          const std::optional<xml::Bandwidth>& old,
                          unsigned long long floor_sum = 0);

// The port's inbound floor in kbytes/s; 0 without one.
unsigned long long InboundFloor(const std::optional<xml::Bandwidth>& bw);

// libvirt's networkNextClassID: the lowest class id from 3 (1:1 and 1:2
// are the network's) that no port in `taken` holds.
unsigned NextClassId(const std::set<unsigned>& taken);

}  // namespace virtnat::driver
