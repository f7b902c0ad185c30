#include "driver/dnsmasq/dnsmasq_safety.h"

#include <cstdio>
#include <string>

namespace virtnat::driver {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

std::string Describe(unsigned char c) {
  switch (c) {
    case '\n':
      return "a newline";
    case '\r':
      return "a carriage return";
    case '\t':
      return "a tab";
    case '\0':
      return "a NUL byte";
    case ' ':
      return "a space";
    default:
      break;
  }
  char buf[16];
  if (IsControl(c)) {
    std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
  } else {
    std::snprintf(buf, sizeof buf, "'%c'", c);
  }
  return buf;
}

bool Forbidden(unsigned char c, DnsmasqValueKind kind) {
  if (IsControl(c)) return true;
  switch (kind) {
    case DnsmasqValueKind::kText:
      return false;
    case DnsmasqValueKind::kPath:
      return c == ',';
    case DnsmasqValueKind::kToken:
      return c == ' ' || c == ',' || c == '#' || c == '"';
    case DnsmasqValueKind::kDomain:
      return c == ' ' || c == ',' || c == '#' || c == '"' || c == '/';
  }
  return true;
}

// Quotes a value for an error message without echoing control characters.
std::string Printable(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (IsControl(c)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
    if (out.size() > 80) {
      out += "...";
      break;
    }
  }
  return out;
}

}  // namespace

Status CheckDnsmasqValue(std::string_view what, std::string_view value, DnsmasqValueKind kind) {
  for (unsigned char c : value) {
    if (Forbidden(c, kind)) {
      return ConfigUnsupported(std::string(what) + " '" + Printable(value) + "' contains " +
                               Describe(c) + ", which dnsmasq cannot take in this place");
    }
  }
  return Status::Ok();
}

Status CheckDnsmasqLines(std::string_view file, std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.size() > kMaxDnsmasqLine) {
      return ConfigUnsupported("a line of the dnsmasq " + std::string(file) + " would be " +
                               std::to_string(line.size()) + " bytes long; dnsmasq reads at most " +
                               std::to_string(kMaxDnsmasqLine) + ": '" + Printable(line) + "'");
    }
    for (unsigned char c : line) {
      // A tab separates names in addn-hosts; nothing else may appear.
      if (IsControl(c) && c != '\t') {
        return InternalError("the dnsmasq " + std::string(file) + " would contain " + Describe(c) +
                             " in line '" + Printable(line) + "'");
      }
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
