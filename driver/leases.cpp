#include "driver/leases.h"

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

std::vector<DhcpLease> ParseNetworkLeases(std::string_view text, const LeasePrefixes& prefixes) {
  std::vector<DhcpLease> out;
  for (DnsmasqLease& lease : ParseDnsmasqLeases(text)) {
    if (lease.mac.empty()) continue;
    DhcpLease entry;
    static_cast<DnsmasqLease&>(entry) = std::move(lease);
    entry.prefix = entry.ip.is_v4() ? prefixes.v4 : prefixes.v6;
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<DhcpLease>> ReadNetworkLeases(const std::string& path,
                                                 const LeasePrefixes& prefixes) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::vector<DhcpLease>{};
    return SystemErrorFromErrno(errno, "cannot read lease file '" + path + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseNetworkLeases(text.str(), prefixes);
}

std::vector<DhcpLease> SelectLeases(const std::vector<DhcpLease>& leases,
                                    const std::optional<std::string>& mac, int64_t now) {
  std::vector<DhcpLease> out;
  std::string wanted = mac ? Lower(*mac) : "";
  for (const DhcpLease& lease : leases) {
    if (mac && Lower(lease.mac) != wanted) continue;
    if (lease.expiry > 0 && static_cast<int64_t>(lease.expiry) < now) continue;
    out.push_back(lease);
  }
  return out;
}

}  // namespace virtnat::driver
