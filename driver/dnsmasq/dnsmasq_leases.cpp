#include "driver/dnsmasq/dnsmasq_leases.h"

#include <charconv>
#include <optional>

namespace virtnat::driver {
namespace {

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t start = line.find_first_not_of(" \t\r", pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t\r", start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    pos = end;
  }
  return fields;
}

bool ParseUint(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string OrEmpty(std::string_view field) { return field == "*" ? "" : std::string(field); }

// "00:01:0a" -> {0x00, 0x01, 0x0a}; dnsmasq writes each byte as two digits.
bool HexBytes(std::string_view text, std::vector<uint8_t>* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); i += 3) {
    if (i + 2 > text.size() || (i + 2 < text.size() && text[i + 2] != ':')) return false;
    uint8_t byte = 0;
    auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc() || ptr != text.data() + i + 2) return false;
    out->push_back(byte);
  }
  return true;
}

}  // namespace

std::string MacFromDuid(std::string_view duid) {
  std::vector<uint8_t> bytes;
  if (!HexBytes(duid, &bytes) || bytes.size() < 4) return "";
  const unsigned type = bytes[0] << 8 | bytes[1];
  const unsigned hwtype = bytes[2] << 8 | bytes[3];
  // DUID-LLT: type, hardware type, 4 bytes of time, address. DUID-LL: type,
  // hardware type, address (RFC 8415 §11.2, §11.4). Hardware type 1: Ethernet.
  size_t offset = type == 1 ? 8 : type == 3 ? 4 : 0;
  if (offset == 0 || hwtype != 1 || bytes.size() != offset + 6) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string mac;
  for (size_t i = offset; i < bytes.size(); ++i) {
    if (!mac.empty()) mac += ':';
    mac += kHex[bytes[i] >> 4];
    mac += kHex[bytes[i] & 0x0f];
  }
  return mac;
}

std::vector<DnsmasqLease> ParseDnsmasqLeases(std::string_view text) {
  std::vector<DnsmasqLease> leases;
  std::string server_duid;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::vector<std::string_view> f = Fields(text.substr(pos, end - pos));
    pos = end + 1;
    if (f.size() == 2 && f[0] == "duid") {
      server_duid = std::string(f[1]);
      continue;
    }
    DnsmasqLease lease;
    if (f.size() != 5 || !ParseUint(f[0], &lease.expiry)) continue;
    std::optional<IpAddress> ip = IpAddress::Parse(f[2]);
    if (!ip) continue;
    lease.ip = *ip;
    lease.hostname = OrEmpty(f[3]);
    lease.client_id = OrEmpty(f[4]);
    if (ip->is_v6()) {
      std::string_view iaid = f[1];
      if (!iaid.empty() && iaid[0] == 'T') iaid.remove_prefix(1);  // temporary address
      uint64_t unused = 0;
      if (!ParseUint(iaid, &unused)) continue;
      lease.iaid = std::string(iaid);
      lease.mac = MacFromDuid(lease.client_id);
      lease.server_duid = server_duid;
    } else {
      lease.mac = std::string(f[1]);
    }
    leases.push_back(std::move(lease));
  }
  return leases;
}

}  // namespace virtnat::driver
