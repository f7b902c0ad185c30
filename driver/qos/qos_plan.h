#pragma once
// A network's <bandwidth> as the traffic-control tree the host needs, as a
// value (pure: no kernel headers). The applier (qos_netlink.h) builds it
// with libnl-route; DescribeQos renders it in tc's words for tests and logs.
//
// Shape, after libvirt's virNetDevBandwidthSet, with this kernel's parts:
//  - <inbound> (traffic to the guests, the bridge's egress): htb root 1:
//    (default class 1:2), class 1:1 rate=average ceil=peak (or average)
//    burst=burst, under it class 1:2 with the same values for all traffic
//    without a guaranteed floor, leaf qdisc 2: under 1:2. A port with an
//    inbound floor gets a class of its own under 1:1 (FloorClass below, as
//    libvirt's virNetDevBandwidthPlug), and 1:2's rate becomes what is left
//    of the average (OpenClassRate).
//  - <outbound> (traffic from the guests, the bridge's ingress): libvirt
//    polices it with a u32 filter and a `police` action on the ingress
//    qdisc. Kernels without act_police (this project's test machines) cannot
//    do that, so virtnat redirects the bridge's ingress (ingress qdisc, u32
//    match-all filter, mirred egress redirect) to an ifb device and shapes
//    that device's egress with the same htb tree as <inbound>. Shaping
//    instead of dropping: TCP sees queueing delay rather than losses, the
//    long-run rate is the same.
//  - The leaf: libvirt uses sfq (perturb 10); kernels without sch_sfq (and
//    without fq/fq_codel) get pfifo with an explicit limit (the htb default
//    leaf would take the device's txqueuelen, 32 packets on an ifb).
//  - libvirt also adds `filter ... handle 1 fw flowid 1` on the root; the
//    root's default class already sends everything to 1:1, so it is left out
//    (cls_fw is not needed).
//
// Units: libvirt hands tc "NNNkbps" (average, peak) and "NNNkb" (burst);
// tc reads kbps as 1000 bytes/s and kb as 1024 bytes, so the wire rate of
// average='N' is N*1000 bytes/s and the burst N*1024 bytes. virtnat sets
// the same numbers through netlink.

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

// One htb tree on `device`'s egress: root 1:, class 1:1, leaf pfifo 2:;
// hierarchical: root 1: (default 1:2), class 1:1, class 1:2 under it, leaf
// pfifo 2: under 1:2.
struct HtbShaper {
  std::string device;
  bool hierarchical = false;
  uint64_t rate = 0;        // bytes/s
  uint64_t ceil = 0;        // bytes/s, >= rate
  uint32_t burst = 0;       // bytes; 0: the kernel default for the rate
  uint32_t quantum = 0;     // bytes, per round between competing classes
  uint32_t leaf_limit = 0;  // packets in the leaf pfifo
  bool operator==(const HtbShaper&) const = default;
};

struct QosPlan {
  std::string bridge;
  std::optional<HtbShaper> inbound;   // on the bridge
  std::optional<HtbShaper> outbound;  // on `ifb`, fed from the bridge's ingress
  std::string ifb;                    // the ifb device outbound needs; empty without <outbound>
  bool empty() const { return !inbound && !outbound; }
  bool operator==(const QosPlan&) const = default;
};

// The ifb device of `bridge`: BRIDGE-ifb, or, when that is longer than an
// interface name may be, the first 8 and the last 3 characters of the
// bridge name and -ifb (libvirt's rule for its old BRIDGE-nic device).
std::string IfbName(const std::string& bridge);

// REQUIRES: `bandwidth` validated by the XML layer (average given).
// Fails like libvirt on a network-level floor, and on a burst larger than
// the kernel can hold (4 GiB).
Result<QosPlan> PlanQos(const std::string& network, const std::string& bridge,
                        const std::optional<xml::Bandwidth>& bandwidth);

// The tree as tc would list it, one object a line, in the order it is
// applied. Empty for an empty plan.
std::string DescribeQos(const QosPlan& plan);

// A port's guaranteed inbound floor on the bridge, as libvirt builds it:
//   class 1:ID under 1:1, rate=floor ceil=the network's peak (or average);
//   leaf qdisc ID: under it (pfifo here, sfq in libvirt: see above);
//   u32 filter on the root, protocol ip, prio 2, handle 800::(800+ID) (the
//   decimal number read as hex, as tc reads libvirt's "800::%u"), matching
//   the port's MAC as the frame's destination, flowid 1:ID.
// ID is the port's class id (3 and up, the lowest free one, kept in the
// port's <bandwidth classID>). The filter matches IPv4 frames only, as
// libvirt's does.
struct FloorClass {
  std::string bridge;
  unsigned id = 0;
  xml::MacAddress mac{};
  uint64_t rate = 0;           // bytes/s: the floor
  uint64_t ceil = 0;           // bytes/s: the network's peak, or average
  uint32_t quantum = 0;        // bytes
  uint32_t leaf_limit = 0;     // packets in the leaf pfifo
  uint32_t filter_handle = 0;  // the u32 handle, 800::(800+ID)
  bool operator==(const FloorClass&) const = default;
};

// The class of a port with inbound floor `floor` (kbytes/s, > 0) and class
// id `id` on network `network` whose bridge is `bridge`. Errors: the
// network has no <inbound> (libvirt's CONFIG_UNSUPPORTED "Bridge 'B' has no
// QoS set, therefore unable to set 'floor' on 'MAC'"), an id below 3
// (INTERNAL_ERROR "Invalid class ID N"), an id whose filter handle does
// not fit u32's 12-bit node number (above 199, where libvirt's tc command
// fails too).
Result<FloorClass> PlanFloorClass(const std::string& bridge,
                                  const std::optional<xml::Bandwidth>& network_bandwidth,
                                  const xml::MacAddress& mac, unsigned long long floor,
                                  unsigned id);

// Class 1:2 (the traffic without a floor) once the floors of the plugged
// ports sum to `floor_sum` kbytes/s: libvirt's virNetDevBandwidthUpdateRate
// with average - floor_sum, ceil peak (or average). A floor sum at or above
// the average (allowed up to the peak) leaves 1:2 the smallest rate htb
// takes, 1 kbyte/s, still borrowing up to its ceil. REQUIRES:
// `inbound.hierarchical`.
HtbShaper OpenClassRate(const HtbShaper& inbound, unsigned long long floor_sum);

// In tc's words, as DescribeQos: adding a floor class, removing it, and
// changing 1:2's rate.
std::string DescribeFloorAdd(const FloorClass& c);
std::string DescribeFloorRemove(const FloorClass& c);
std::string DescribeOpenClassChange(const HtbShaper& open);

}  // namespace virtnat::driver
