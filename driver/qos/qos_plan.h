#pragma once
// A network's <bandwidth> as the traffic-control tree the host needs, as a
// value (pure: no kernel headers). The applier (qos_netlink.h) builds it
// with libnl-route; DescribeQos renders it in tc's words for tests and logs.
//
// Shape, after libvirt's virNetDevBandwidthSet, with this kernel's parts:
//  - <inbound> (traffic to the guests, the bridge's egress): htb root 1:
//    (default class 1:2), class 1:1 rate=average ceil=peak (or average)
//    burst=burst, under it class 1:2 with the same values for all traffic
//    without a guaranteed floor, leaf qdisc 2: under 1:2. (libvirt's
//    hierarchical tree for networks: ports' floor classes would be 1:3 and
//    up, and 1:2's rate what is left of the average.)
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

}  // namespace virtnat::driver
