#include "driver/qos/port_bandwidth.h"

namespace virtnat::driver {
namespace {

// virNetDevBandwidthSupportsFloor: the modes with a bridge libvirt manages.
bool SupportsFloor(xml::ForwardMode mode) {
  return mode == xml::ForwardMode::kNone || mode == xml::ForwardMode::kNat ||
         mode == xml::ForwardMode::kRoute || mode == xml::ForwardMode::kOpen;
}

}  // namespace

unsigned long long InboundFloor(const std::optional<xml::Bandwidth>& bw) {
  return bw && bw->inbound ? bw->inbound->floor : 0;
}

unsigned NextClassId(const std::set<unsigned>& taken) {
  unsigned id = 3;
  while (taken.count(id)) ++id;
  return id;
}

std::optional<xml::Bandwidth> EffectivePortBandwidth(const xml::NetworkDef& net,
                                                     const std::string& group,
                                                     const std::optional<xml::Bandwidth>& own) {
  if (own) return own;
  for (const xml::PortGroup& pg : net.portgroups) {
    if (group.empty() ? pg.is_default : pg.name == group) return pg.bandwidth;
  }
  return std::nullopt;
}

Status CheckPortBandwidth(const xml::NetworkDef& net, const std::string& mac,
                          const std::optional<xml::Bandwidth>& wanted,
                          const std::optional<xml::Bandwidth>& old, unsigned long long floor_sum) {
  const unsigned long long floor = InboundFloor(wanted);
  const std::string invalid = "Invalid use of 'floor' on interface with MAC address " + mac;
  if (floor != 0 && !SupportsFloor(net.forward.mode)) {
    return OperationUnsupported(invalid +
                                " - 'floor' is only supported for interface type 'network' with "
                                "forward type 'nat', 'route', 'open' or none");
  }
  const std::optional<xml::BandwidthRate>& in =
      net.bandwidth ? net.bandwidth->inbound : std::optional<xml::BandwidthRate>{};
  if (floor != 0 && !in) {
    return OperationUnsupported(invalid + " - network '" + net.name + "' has no inbound QoS set");
  }
  if (!in || (floor == 0 && InboundFloor(old) == 0)) return Status::Ok();

  const unsigned long long sum = floor_sum - InboundFloor(old) + floor;
  const bool peak = in->peak != 0;
  const unsigned long long limit = peak ? in->peak : in->average;
  if (sum > limit) {
    return OperationInvalid("Cannot plug '" + mac + "' interface into '" + net.bridge.name +
                            "' because new combined inbound floor=" + std::to_string(sum) +
                            " would overcommit " + (peak ? "peak=" : "average=") +
                            std::to_string(limit) + " on network '" + net.name + "'");
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
