#include "driver/qos/qos_plan.h"

#include <algorithm>
#include <cstdio>
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
// libvirt's classes 1:1 and 1:2 come first; floors take 3 and up.
constexpr unsigned kFirstFloorId = 3;
// u32 handles: hash table 800:, node numbers 12 bits.
constexpr uint32_t kU32Table = 0x800;
constexpr uint32_t kU32MaxNode = 0xfff;

uint32_t Quantum(uint64_t rate) {
  return static_cast<uint32_t>(std::clamp<uint64_t>(rate / kR2q, kMinQuantum, kMaxQuantum));
}

std::string Hex(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", v);
  return buf;
}

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
  s.quantum = Quantum(s.rate);
  s.leaf_limit = kLeafLimit;
  return s;
}

std::string HtbClass(const HtbShaper& s, const std::string& parent, const std::string& id,
                     const char* verb = "add") {
  std::string out = std::string("class ") + verb + " dev " + s.device + " parent " + parent +
                    " classid " + id + " htb rate " + std::to_string(s.rate) + "Bps ceil " +
                    std::to_string(s.ceil) + "Bps";
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

Result<FloorClass> PlanFloorClass(const std::string& bridge,
                                  const std::optional<xml::Bandwidth>& network_bandwidth,
                                  const xml::MacAddress& mac, unsigned long long floor,
                                  unsigned id) {
  if (id < kFirstFloorId)
    return InternalError("Invalid class ID " + std::to_string(id), VIR_FROM_NONE);
  if (!network_bandwidth || !network_bandwidth->inbound) {
    return ConfigUnsupported("Bridge '" + bridge +
                                 "' has no QoS set, therefore unable to set 'floor' on '" +
                                 xml::FormatMac(mac) + "'",
                             VIR_FROM_NONE);
  }
  // libvirt writes the handle as "800::%u" of 800 + id, which tc reads as
  // hex: id 3 is node 0x803, id 10 node 0x810.
  const uint32_t node = static_cast<uint32_t>(std::stoul(std::to_string(800 + id), nullptr, 16));
  if (node > kU32MaxNode) {
    return OperationFailed("no room for another guaranteed 'floor' on bridge '" + bridge +
                           "': class ID " + std::to_string(id) +
                           " has no u32 filter handle (libvirt's scheme ends at 199); unplug "
                           "a port with a floor first");
  }
  const xml::BandwidthRate& in = *network_bandwidth->inbound;
  FloorClass c;
  c.bridge = bridge;
  c.id = id;
  c.mac = mac;
  c.rate = floor * kRateUnit;
  c.ceil = (in.peak != 0 ? in.peak : in.average) * kRateUnit;
  c.quantum = Quantum(c.rate);
  c.leaf_limit = kLeafLimit;
  c.filter_handle = (kU32Table << 20) | node;
  return c;
}

HtbShaper OpenClassRate(const HtbShaper& inbound, unsigned long long floor_sum) {
  HtbShaper open = inbound;
  const uint64_t average = inbound.rate / kRateUnit;
  open.rate = (floor_sum < average ? average - floor_sum : 1) * kRateUnit;
  open.quantum = Quantum(open.rate);
  return open;
}

std::string DescribeFloorAdd(const FloorClass& c) {
  const std::string id = Hex(c.id);
  const auto& m = c.mac;
  char mac_low[16], mac_high[8];
  std::snprintf(mac_low, sizeof mac_low, "0x%02x%02x%02x%02x", m[2], m[3], m[4], m[5]);
  std::snprintf(mac_high, sizeof mac_high, "0x%02x%02x", m[0], m[1]);
  return "class add dev " + c.bridge + " parent 1:1 classid 1:" + id + " htb rate " +
         std::to_string(c.rate) + "Bps ceil " + std::to_string(c.ceil) + "Bps quantum " +
         std::to_string(c.quantum) + "\n" + "qdisc add dev " + c.bridge + " parent 1:" + id +
         " handle " + id + ": pfifo limit " + std::to_string(c.leaf_limit) + "\n" +
         "filter add dev " + c.bridge +
         " parent 1: protocol ip prio 2 handle 800::" + Hex(c.filter_handle & kU32MaxNode) +
         " u32 match u16 0x0800 0xffff at -2 match u32 " + mac_low + " 0xffffffff at -12 " +
         "match u16 " + mac_high + " 0xffff at -14 flowid 1:" + id + "\n";
}

std::string DescribeFloorRemove(const FloorClass& c) {
  const std::string id = Hex(c.id);
  return "qdisc del dev " + c.bridge + " handle " + id + ":\n" + "filter del dev " + c.bridge +
         " parent 1: prio 2 handle 800::" + Hex(c.filter_handle & kU32MaxNode) + " u32\n" +
         "class del dev " + c.bridge + " classid 1:" + id + "\n";
}

std::string DescribeOpenClassChange(const HtbShaper& open) {
  return HtbClass(open, "1:1", "1:2", "change");
}

}  // namespace virtnat::driver
