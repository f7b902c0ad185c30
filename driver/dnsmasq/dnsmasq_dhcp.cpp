#include "driver/dnsmasq/dnsmasq_dhcp.h"

#include "driver/dnsmasq/dnsmasq_safety.h"

namespace virtnat::driver {
namespace {

std::string RangeText(const xml::DhcpRange& range) {
  return range.start.ToString() + " - " + range.end.ToString();
}

}  // namespace

Result<DhcpBlocks> FindDhcpBlocks(const xml::NetworkDef& def) {
  DhcpBlocks blocks;
  for (const xml::IpDef& ip : def.ips) {
    if (!ip.has_dhcp()) continue;
    if (ip.address.is_v4()) {
      if (blocks.v4) {
        return ConfigUnsupported("For IPv4, multiple DHCP definitions cannot be specified.");
      }
      blocks.v4 = &ip;
    } else if (ip.address.is_v6()) {
      if (blocks.v6) {
        return ConfigUnsupported("For IPv6, multiple DHCP definitions cannot be specified.");
      }
      blocks.v6 = &ip;
    }
  }
  return blocks;
}

std::string DnsmasqLeaseTime(const xml::Lease& lease) {
  if (lease.expiry == 0) return "infinite";
  return std::to_string(lease.expiry) + xml::LeaseUnitName(lease.unit)[0];
}

Result<unsigned> DhcpRangeSize(const xml::DhcpRange& range, const IpAddress& network,
                               unsigned prefix) {
  const IpAddress& start = range.start;
  const IpAddress& end = range.end;
  if (start.family() != end.family() || start.family() != network.family() || !start.valid()) {
    return InternalError("mismatch of address family in range " + RangeText(range));
  }
  if (!start.SameSubnet(network, prefix) || !end.SameSubnet(network, prefix)) {
    return InternalError("range " + RangeText(range) + " is not entirely within network " +
                         network.ToString() + "/" + std::to_string(prefix));
  }
  if (start.is_v4()) {
    if (start == network.NetworkAddress(prefix)) {
      return InternalError("start of range " + RangeText(range) + " in network " +
                           network.ToString() + "/" + std::to_string(prefix) +
                           " is the network address");
    }
    if (end == network.BroadcastAddress(prefix)) {
      return InternalError("end of range " + RangeText(range) + " in network " +
                           network.ToString() + "/" + std::to_string(prefix) +
                           " is the broadcast address");
    }
  }
  // libvirt counts only the last 16 bits and refuses anything wider.
  size_t len = start.is_v4() ? 4 : 16;
  for (size_t i = 0; i + 2 < len; ++i) {
    if (start.bytes()[i] != end.bytes()[i]) {
      return InternalError("range " + RangeText(range) + " is too large (> 65535)");
    }
  }
  auto low16 = [len](const IpAddress& a) {
    return static_cast<int>(a.bytes()[len - 2]) * 256 + a.bytes()[len - 1];
  };
  int diff = low16(end) - low16(start);
  if (diff < 0) {
    // libvirt's two texts, trailing space included.
    return InternalError("range " + RangeText(range) +
                         (start.is_v4() ? " is reversed " : " start larger than end"));
  }
  return static_cast<unsigned>(diff) + 1;
}

Status AppendDhcpLines(const xml::IpDef& ip, const std::string& bridge,
                       std::vector<std::string>* lines, unsigned* lease_count) {
  unsigned prefix = ip.EffectivePrefix();
  if (prefix == 0 || prefix > FamilyBits(ip.family())) {
    return InternalError("bridge '" + bridge + "' has an invalid prefix");
  }
  const bool v6 = ip.address.is_v6();
  // dnsmasq wants a dotted netmask for IPv4 and a prefix length for IPv6.
  const std::string mask =
      v6 ? std::to_string(prefix) : IpAddress::Netmask(IpFamily::kV4, prefix).ToString();
  for (const xml::DhcpRange& range : ip.ranges) {
    std::string line =
        "dhcp-range=" + range.start.ToString() + "," + range.end.ToString() + "," + mask;
    if (range.lease) line += "," + DnsmasqLeaseTime(*range.lease);
    lines->push_back(std::move(line));
    ASSIGN_OR_RETURN(unsigned size, DhcpRangeSize(range, ip.address, prefix));
    *lease_count += size;
  }
  // Hosts without a range: a "static" range makes dnsmasq serve dhcp-host
  // entries only.
  if (ip.ranges.empty() && !ip.hosts.empty()) {
    std::string line = "dhcp-range=" + ip.address.ToString() + ",static";
    if (v6) line += "," + std::to_string(prefix);
    lines->push_back(std::move(line));
  }
  if (v6) return Status::Ok();

  if (ip.has_dhcp()) {
    lines->push_back("dhcp-no-override");
    lines->push_back("dhcp-authoritative");
  }
  if (ip.bootp && !ip.bootp->file.empty()) {
    RETURN_IF_ERROR(CheckDnsmasqValue("bootp file", ip.bootp->file, DnsmasqValueKind::kPath));
    std::string line = "dhcp-boot=" + ip.bootp->file;
    if (ip.bootp->server && ip.bootp->server->valid()) line += ",," + ip.bootp->server->ToString();
    lines->push_back(std::move(line));
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
