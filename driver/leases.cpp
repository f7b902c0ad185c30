#include "driver/leases.h"

#include <libvirt/libvirt.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

namespace virtnat::driver {
namespace {

std::optional<std::string> Present(std::string text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

std::vector<DhcpLease> NetworkLeases(std::string_view lease_file_text, const std::string& bridge,
                                     const LeasePrefixes& prefixes, int64_t now) {
  std::vector<DhcpLease> out;
  for (DnsmasqLease& lease : ParseDnsmasqLeases(lease_file_text)) {
    if (lease.mac.empty()) continue;
    int64_t expiry = static_cast<int64_t>(lease.expiry);
    if (expiry > 0 && expiry < now) continue;
    DhcpLease entry;
    entry.iface = bridge;
    entry.expiry_time = expiry;
    bool v4 = lease.ip.is_v4();
    entry.type = v4 ? VIR_IP_ADDR_TYPE_IPV4 : VIR_IP_ADDR_TYPE_IPV6;
    entry.mac = std::move(lease.mac);
    if (!v4) entry.iaid = Present(std::move(lease.iaid));
    entry.ip_address = lease.ip.ToString();
    entry.prefix = v4 ? prefixes.v4 : prefixes.v6;
    entry.hostname = Present(std::move(lease.hostname));
    entry.client_id = Present(std::move(lease.client_id));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<DhcpLease>> ReadNetworkLeases(const std::string& path, const std::string& bridge,
                                                 const LeasePrefixes& prefixes, int64_t now) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::vector<DhcpLease>{};
    return SystemErrorFromErrno(errno, "cannot read lease file '" + path + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  return NetworkLeases(text.str(), bridge, prefixes, now);
}

}  // namespace virtnat::driver
