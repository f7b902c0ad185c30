#include "driver/dnsmasq/lease_status.h"

#include <cstdio>

namespace virtnat::driver {
namespace {

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::string RenderLeaseStatus(const std::vector<DnsmasqLease>& leases) {
  std::string out = "[";
  bool first = true;
  for (const DnsmasqLease& lease : leases) {
    if (lease.mac.empty() || !lease.ip.valid()) continue;
    std::vector<std::string> fields;
    if (!lease.iaid.empty()) fields.push_back("\"iaid\": " + Quoted(lease.iaid));
    fields.push_back("\"ip-address\": " + Quoted(lease.ip.ToString()));
    fields.push_back("\"mac-address\": " + Quoted(lease.mac));
    if (!lease.hostname.empty()) fields.push_back("\"hostname\": " + Quoted(lease.hostname));
    if (!lease.client_id.empty()) fields.push_back("\"client-id\": " + Quoted(lease.client_id));
    if (lease.expiry != 0) fields.push_back("\"expiry-time\": " + std::to_string(lease.expiry));
    out += first ? "\n  {" : ",\n  {";
    first = false;
    for (size_t i = 0; i < fields.size(); ++i) {
      out += (i == 0 ? "\n    " : ",\n    ") + fields[i];
    }
    out += "\n  }";
  }
  return out + (first ? "]\n" : "\n]\n");
}

}  // namespace virtnat::driver
