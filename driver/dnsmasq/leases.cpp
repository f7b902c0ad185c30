#include "driver/dnsmasq/leases.h"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace virtnat::driver {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::vector<NetworkLease> ParseNetworkLeases(std::string_view text, const LeasePrefixes& prefixes) {
  std::vector<NetworkLease> out;
  for (DnsmasqLease& lease : ParseDnsmasqLeases(text)) {
    if (lease.mac.empty()) continue;
    NetworkLease entry;
    static_cast<DnsmasqLease&>(entry) = std::move(lease);
    entry.prefix = entry.ip.is_v4() ? prefixes.v4 : prefixes.v6;
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<NetworkLease>> ReadNetworkLeases(const std::string& path,
                                                    const LeasePrefixes& prefixes) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::vector<NetworkLease>{};
    return SystemErrorFromErrno(errno, "cannot read lease file '" + path + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseNetworkLeases(text.str(), prefixes);
}

std::vector<NetworkLease> SelectLeases(const std::vector<NetworkLease>& leases,
                                       const std::optional<std::string>& mac, int64_t now) {
  std::vector<NetworkLease> out;
  std::string wanted = mac ? Lower(*mac) : "";
  for (const NetworkLease& lease : leases) {
    if (mac && Lower(lease.mac) != wanted) continue;
    if (lease.expiry > 0 && static_cast<int64_t>(lease.expiry) < now) continue;
    out.push_back(lease);
  }
  return out;
}

}  // namespace virtnat::driver
