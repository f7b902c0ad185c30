#include "driver/leases.h"

#include <cerrno>
#include <charconv>
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

std::vector<std::string> Split(std::string_view line) {
  std::vector<std::string> fields;
  std::istringstream in{std::string(line)};
  for (std::string field; in >> field;) fields.push_back(std::move(field));
  return fields;
}

bool ParseInt(const std::string& text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string Optional(const std::string& field) { return field == "*" ? "" : field; }

}  // namespace

std::string MacFromDuid(std::string_view duid) {
  // type (2 bytes) hardware type (2) [time (4) for LLT] link-layer address
  std::vector<std::string_view> bytes;
  size_t start = 0;
  while (start <= duid.size()) {
    size_t colon = duid.find(':', start);
    if (colon == std::string_view::npos) colon = duid.size();
    bytes.push_back(duid.substr(start, colon - start));
    start = colon + 1;
  }
  if (bytes.size() < 4 || bytes[0] != "00" || bytes[2] != "00" || bytes[3] != "01") return "";
  size_t offset;
  if (bytes[1] == "01") {
    offset = 8;
  } else if (bytes[1] == "03") {
    offset = 4;
  } else {
    return "";
  }
  if (bytes.size() != offset + 6) return "";
  std::string mac;
  for (size_t i = offset; i < bytes.size(); ++i) {
    if (bytes[i].size() != 2) return "";
    if (!mac.empty()) mac += ':';
    mac += Lower(bytes[i]);
  }
  return mac;
}

std::vector<DhcpLease> ParseDnsmasqLeases(std::string_view text, const LeasePrefixes& prefixes) {
  std::vector<DhcpLease> leases;
  std::string server_duid;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::vector<std::string> f = Split(text.substr(start, end - start));
    start = end + 1;
    if (f.size() == 2 && f[0] == "duid") {
      server_duid = f[1];
      continue;
    }
    if (f.size() < 5) continue;
    DhcpLease lease;
    std::optional<IpAddress> ip = IpAddress::Parse(f[2]);
    if (!ParseInt(f[0], &lease.expiry) || !ip) continue;
    lease.ip = *ip;
    lease.hostname = Optional(f[3]);
    lease.client_id = Optional(f[4]);
    if (ip->is_v4()) {
      lease.mac = Lower(f[1]);
      lease.prefix = prefixes.v4;
    } else {
      lease.iaid = f[1];
      lease.server_duid = server_duid;
      lease.mac = MacFromDuid(lease.client_id);
      lease.prefix = prefixes.v6;
    }
    if (lease.mac.empty() || lease.mac == "*") continue;
    leases.push_back(std::move(lease));
  }
  return leases;
}

Result<std::vector<DhcpLease>> ReadDnsmasqLeases(const std::string& path,
                                                 const LeasePrefixes& prefixes) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::vector<DhcpLease>{};
    return SystemErrorFromErrno(errno, "cannot read lease file '" + path + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseDnsmasqLeases(text.str(), prefixes);
}

std::vector<DhcpLease> SelectLeases(const std::vector<DhcpLease>& leases,
                                    const std::optional<std::string>& mac, int64_t now) {
  std::vector<DhcpLease> out;
  std::string wanted = mac ? Lower(*mac) : "";
  for (const DhcpLease& lease : leases) {
    if (mac && lease.mac != wanted) continue;
    if (lease.expiry > 0 && lease.expiry < now) continue;
    out.push_back(lease);
  }
  return out;
}

}  // namespace virtnat::driver
