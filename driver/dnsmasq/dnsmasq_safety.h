#pragma once
// Checks that keep user-supplied text from changing the structure of the
// files dnsmasq reads (its configuration file, the dhcp-hostsfile and the
// addn-hosts file).
//
// dnsmasq reads its configuration and dhcp-hostsfile one line at a time with
// fgets() into a buffer of MAXDNAME (1025) bytes, so a line longer than that
// is cut and its tail is parsed as a further option. A newline (or any other
// control character) inside a value would likewise start a new line. The
// planner refuses such values instead of escaping them: dnsmasq has no escape
// for a newline outside quotes, and quoting would change the bytes libvirt
// writes for every ordinary definition.

#include <string_view>

#include "common/status.h"

namespace virtnat::driver {

// Longest line (without its '\n') that dnsmasq reads as one line.
inline constexpr size_t kMaxDnsmasqLine = 1023;

enum class DnsmasqValueKind {
  // Free text that ends its line (txt values, dnsmasq:option values, the
  // network name in the header comment): no control characters.
  kText,
  // A path that may be followed by more fields: kText and no ','.
  kPath,
  // A name inside a comma- or whitespace-separated list (host names, MACs,
  // DUIDs, SRV fields, txt names, the bridge): kText and none of
  // whitespace , # " (a ',' would add a field, whitespace or '#' would add a
  // name or start a comment, '"' would start dnsmasq's quoting).
  kToken,
  // A DNS domain inside /DOMAIN/ (server=, local=) or domain=: kToken and no '/'.
  kDomain,
};

// OK if `value` may be written as `kind`; otherwise a
// VIR_ERR_CONFIG_UNSUPPORTED error naming `what` and the offending character.
Status CheckDnsmasqValue(std::string_view what, std::string_view value, DnsmasqValueKind kind);

// OK if every line of `text` (split at '\n') is at most kMaxDnsmasqLine bytes
// and free of control characters; `file` names the file in the error.
Status CheckDnsmasqLines(std::string_view file, std::string_view text);

}  // namespace virtnat::driver
