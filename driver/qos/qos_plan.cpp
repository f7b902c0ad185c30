#include "driver/qos/qos_plan.h"

#include <algorithm>
#include <limits>

namespace virtnat::driver {
namespace {

// tc's "kbps" and "kb" (iproute2's unit tables).
constexpr uint64_t kRateUnit = 1000;
constexpr uint64_t kSizeUnit = 1024;
// htb computes quantum = rate / r2q (10) and warns outside 1000..200000
// bytes; the bounds keep the round fair between classes of very different
// rates and avoid the kernel's warning.
constexpr uint64_t kR2q = 10;
constexpr uint64_t kMinQuantum = 1514;  // one Ethernet frame
constexpr uint64_t kMaxQuantum = 200000;
// The leaf pfifo's length: a bridge's txqueuelen.
constexpr uint32_t kLeafLimit = 1000;
constexpr size_t kIfNameMax = 15;  // IFNAMSIZ - 1

Result<HtbShaper> PlanShaper(const std::string& network, const std::string& device,
                             const xml::BandwidthRate& r, const char* direction,
                             bool hierarchical) {
  if (r.floor != 0) {
    // The XML layer refuses it already; libvirt's text.
    return ConfigUnsupported("floor attribute is not supported for this config", VIR_FROM_NONE);
  }
  if (r.average == 0) {
    return XmlError("missing mandatory average attribute in <" + std::string(direction) +
                    "> of network '" + network + "'");
  }
  const uint64_t max_units = std::numeric_limits<uint64_t>::max() / kRateUnit;
  if (r.average > max_units || r.peak > max_units) {
    return ConfigUnsupported("bandwidth of network '" + network + "' is too large");
  }
  if (r.burst * kSizeUnit > std::numeric_limits<uint32_t>::max()) {
    return ConfigUnsupported("burst='" + std::to_string(r.burst) + "' of network '" + network +
                             "' is larger than the kernel's htb accepts (4194303 KiB)");
  }
  HtbShaper s;
  s.device = device;
  s.hierarchical = hierarchical;
  s.rate = r.average * kRateUnit;
  s.ceil = std::max<uint64_t>(s.rate, r.peak * kRateUnit);
  s.burst = static_cast<uint32_t>(r.burst * kSizeUnit);
  s.quantum = static_cast<uint32_t>(std::clamp<uint64_t>(s.rate / kR2q, kMinQuantum, kMaxQuantum));
  s.leaf_limit = kLeafLimit;
  return s;
}

std::string HtbClass(const HtbShaper& s, const std::string& parent, const std::string& id) {
  std::string out = "class add dev " + s.device + " parent " + parent + " classid " + id +
                    " htb rate " + std::to_string(s.rate) + "Bps ceil " + std::to_string(s.ceil) +
                    "Bps";
  if (s.burst != 0) out += " burst " + std::to_string(s.burst) + "b";
  return out + " quantum " + std::to_string(s.quantum) + "\n";
}

std::string Shaper(const HtbShaper& s) {
  const std::string leaf_parent = s.hierarchical ? "1:2" : "1:1";
  std::string out = "qdisc add dev " + s.device + " root handle 1: htb default " +
                    (s.hierarchical ? "2" : "1") + "\n";
  out += HtbClass(s, "1:", "1:1");
  if (s.hierarchical) out += HtbClass(s, "1:1", "1:2");
  out += "qdisc add dev " + s.device + " parent " + leaf_parent + " handle 2: pfifo limit " +
         std::to_string(s.leaf_limit) + "\n";
  return out;
}

}  // namespace

std::string IfbName(const std::string& bridge) {
  const std::string suffix = "-ifb";
  if (bridge.size() + suffix.size() <= kIfNameMax) return bridge + suffix;
  return bridge.substr(0, 8) + bridge.substr(bridge.size() - 3) + suffix;
}

Result<QosPlan> PlanQos(const std::string& network, const std::string& bridge,
                        const std::optional<xml::Bandwidth>& bandwidth) {
  QosPlan plan;
  plan.bridge = bridge;
  if (!bandwidth) return plan;
  if (bandwidth->inbound) {
    ASSIGN_OR_RETURN(plan.inbound,
                     PlanShaper(network, bridge, *bandwidth->inbound, "inbound", true));
  }
  if (bandwidth->outbound) {
    plan.ifb = IfbName(bridge);
    ASSIGN_OR_RETURN(plan.outbound,
                     PlanShaper(network, plan.ifb, *bandwidth->outbound, "outbound", false));
  }
  return plan;
}

std::string DescribeQos(const QosPlan& plan) {
  std::string out;
  if (plan.inbound) out += Shaper(*plan.inbound);
  if (plan.outbound) {
    out += "link add " + plan.ifb + " type ifb\n";
    out += Shaper(*plan.outbound);
    out += "link set " + plan.ifb + " up\n";
    out += "qdisc add dev " + plan.bridge + " handle ffff: ingress\n";
    out += "filter add dev " + plan.bridge +
           " parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect "
           "dev " +
           plan.ifb + "\n";
  }
  return out;
}

}  // namespace virtnat::driver
