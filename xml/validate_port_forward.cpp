// Rules of the port forward extension (urn:virtnat:network:1).
#include <algorithm>

#include "xml/network_parse_internal.h"
#include "xml/network_validate_internal.h"

namespace virtnat::xml::internal {
namespace {

constexpr unsigned kMaxPort = 65535;

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

bool GuestInSubnet(const NetworkDef& def, const IpAddress& guest) {
  for (const IpDef& ip : def.ips) {
    if (ip.family() != guest.family()) continue;
    int prefix = LibvirtPrefix(ip);
    if (prefix < 0 || static_cast<unsigned>(prefix) > FamilyBits(ip.family())) continue;
    if (ip.address.SameSubnet(guest, static_cast<unsigned>(prefix))) return true;
  }
  return false;
}

std::string Listen(const PortForward& pf) {
  std::string out = pf.address ? pf.address->ToString() : "all addresses";
  if (!pf.dev.empty()) out += " of " + pf.dev;
  return out;
}

bool ListenOverlaps(const PortForward& a, const PortForward& b) {
  if (a.proto != b.proto) return false;
  if (a.address && b.address && !(*a.address == *b.address)) return false;
  if (!a.dev.empty() && !b.dev.empty() && a.dev != b.dev) return false;
  return true;
}

}  // namespace

Status ValidatePortForward(const NetworkDef& def, const PortForward& pf) {
  std::string guest = pf.guest.ToString();
  // Refused at define time, not only when the firewall is planned at start:
  // an isolated network has no path in, so the forward could never work.
  const ForwardMode mode = def.forward.mode;
  if (mode != ForwardMode::kNat && mode != ForwardMode::kRoute && mode != ForwardMode::kOpen) {
    return ConfigUnsupported("portForward to guest " + Q(guest) + " needs network " + Q(def.name) +
                             " to have <forward mode='nat'>, 'route' or 'open'; an isolated "
                             "network has no way in");
  }
  if (!GuestInSubnet(def, pf.guest)) {
    return ConfigUnsupported("portForward guest address " + Q(guest) +
                             " is not inside any <ip> subnet of network " + Q(def.name));
  }
  if (pf.address && pf.address->family() != pf.guest.family()) {
    return ConfigUnsupported("portForward listen address " + Q(pf.address->ToString()) +
                             " and guest address " + Q(guest) + " of network " + Q(def.name) +
                             " are of different families");
  }
  for (const PortForwardRange& r : pf.ranges) {
    if (r.start < 1 || r.start > kMaxPort) {
      return ConfigUnsupported("invalid portForward range start " + Q(std::to_string(r.start)) +
                               " in network " + Q(def.name) + ": ports are 1-65535");
    }
    if (r.end < r.start || r.end > kMaxPort) {
      return ConfigUnsupported("invalid portForward range end " + Q(std::to_string(r.end)) +
                               " in network " + Q(def.name) + ": it must lie between start (" +
                               std::to_string(r.start) + ") and 65535");
    }
    unsigned last_guest_port = r.to + (r.end - r.start);
    if (r.to < 1 || r.to > kMaxPort || last_guest_port > kMaxPort) {
      return ConfigUnsupported("invalid portForward range to " + Q(std::to_string(r.to)) +
                               " in network " + Q(def.name) + ": guest ports " +
                               std::to_string(r.to) + "-" + std::to_string(last_guest_port) +
                               " leave 1-65535");
    }
  }
  return Status::Ok();
}

Status ValidatePortForwards(const NetworkDef& def) {
  for (const PortForward& pf : def.port_forwards) RETURN_IF_ERROR(ValidatePortForward(def, pf));
  // Every pair of ranges, within one forward and across forwards.
  struct Claim {
    const PortForward* pf;
    const PortForwardRange* range;
  };
  std::vector<Claim> claims;
  for (const PortForward& pf : def.port_forwards) {
    for (const PortForwardRange& r : pf.ranges) claims.push_back({&pf, &r});
  }
  for (size_t i = 0; i < claims.size(); ++i) {
    for (size_t j = i + 1; j < claims.size(); ++j) {
      const Claim& a = claims[i];
      const Claim& b = claims[j];
      if (!ListenOverlaps(*a.pf, *b.pf)) continue;
      unsigned lo = std::max(a.range->start, b.range->start);
      unsigned hi = std::min(a.range->end, b.range->end);
      if (lo > hi) continue;
      return ConfigUnsupported(std::string("portForward ") + PortProtocolName(a.pf->proto) +
                               " port " + std::to_string(lo) + " on " + Listen(*b.pf) +
                               " is claimed twice in network " + Q(def.name));
    }
  }
  return Status::Ok();
}

bool SamePortForwardKey(const PortForward& a, const PortForward& b) {
  if (a.proto != b.proto) return false;
  if (a.address.has_value() != b.address.has_value()) return false;
  if (a.address && !(*a.address == *b.address)) return false;
  unsigned a_start = a.ranges.empty() ? 0 : a.ranges[0].start;
  unsigned b_start = b.ranges.empty() ? 0 : b.ranges[0].start;
  return a_start == b_start;
}

}  // namespace virtnat::xml::internal
