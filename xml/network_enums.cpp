// Enum <-> string tables for the network model, one place each.
#include <cctype>
#include <cstdio>

#include "xml/network_def.h"

namespace virtnat::xml {
namespace {

struct ModeName {
  ForwardMode mode;
  const char* name;
};
constexpr ModeName kModeNames[] = {
    {ForwardMode::kNone, "none"},       {ForwardMode::kNat, "nat"},
    {ForwardMode::kRoute, "route"},     {ForwardMode::kOpen, "open"},
    {ForwardMode::kBridge, "bridge"},   {ForwardMode::kPrivate, "private"},
    {ForwardMode::kVepa, "vepa"},       {ForwardMode::kPassthrough, "passthrough"},
    {ForwardMode::kHostdev, "hostdev"},
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool HasManagedBridge(ForwardMode mode) {
  return mode == ForwardMode::kNone || mode == ForwardMode::kNat || mode == ForwardMode::kRoute ||
         mode == ForwardMode::kOpen;
}

const char* ForwardModeName(ForwardMode mode) {
  for (const auto& m : kModeNames) {
    if (m.mode == mode) return m.name;
  }
  return "none";
}

std::optional<ForwardMode> ParseForwardMode(std::string_view text) {
  for (const auto& m : kModeNames) {
    if (text == m.name) return m.mode;
  }
  return std::nullopt;
}

const char* MacTableManagerName(MacTableManager m) {
  switch (m) {
    case MacTableManager::kKernel:
      return "kernel";
    case MacTableManager::kLibvirt:
      return "libvirt";
    case MacTableManager::kDefault:
      return "";
  }
  return "";
}

std::optional<MacTableManager> ParseMacTableManager(std::string_view text) {
  // libvirt rejects "default" on input although it is the enum's first name.
  if (text == "kernel") return MacTableManager::kKernel;
  if (text == "libvirt") return MacTableManager::kLibvirt;
  return std::nullopt;
}

const char* LeaseUnitName(LeaseUnit unit) {
  switch (unit) {
    case LeaseUnit::kSeconds:
      return "seconds";
    case LeaseUnit::kMinutes:
      return "minutes";
    case LeaseUnit::kHours:
      return "hours";
  }
  return "minutes";
}

std::optional<LeaseUnit> ParseLeaseUnit(std::string_view text) {
  if (text == "seconds") return LeaseUnit::kSeconds;
  if (text == "minutes") return LeaseUnit::kMinutes;
  if (text == "hours") return LeaseUnit::kHours;
  return std::nullopt;
}

const char* PortProtocolName(PortProtocol proto) {
  return proto == PortProtocol::kUdp ? "udp" : "tcp";
}

std::optional<PortProtocol> ParsePortProtocol(std::string_view text) {
  if (text == "tcp") return PortProtocol::kTcp;
  if (text == "udp") return PortProtocol::kUdp;
  return std::nullopt;
}

const char* TriStateName(TriState t) {
  switch (t) {
    case TriState::kYes:
      return "yes";
    case TriState::kNo:
      return "no";
    case TriState::kAbsent:
      return "";
  }
  return "";
}

std::optional<TriState> ParseYesNo(std::string_view text) {
  if (text == "yes") return TriState::kYes;
  if (text == "no") return TriState::kNo;
  return std::nullopt;
}

unsigned long long Lease::seconds() const {
  switch (unit) {
    case LeaseUnit::kSeconds:
      return expiry;
    case LeaseUnit::kMinutes:
      return expiry * 60;
    case LeaseUnit::kHours:
      return expiry * 3600;
  }
  return expiry;
}

unsigned IpDef::EffectivePrefix() const {
  if (prefix > 0) return prefix;
  if (netmask) return netmask->PrefixOfNetmask().value_or(0);
  if (address.is_v6()) return 64;
  if (address.is_v4()) {
    uint32_t a = address.v4();
    if ((a >> 31) == 0) return 8;       // class A
    if ((a >> 30) == 0b10) return 16;   // class B
    if ((a >> 29) == 0b110) return 24;  // class C
  }
  return 0;
}

unsigned RouteDef::EffectivePrefix() const {
  if (prefix_given) return prefix;
  if (netmask) return netmask->PrefixOfNetmask().value_or(0);
  IpDef as_ip;
  as_ip.address = address;
  return as_ip.EffectivePrefix();
}

std::string FormatUuid(const Uuid& uuid) {
  char buf[37];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
                uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
                uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
  return buf;
}

std::optional<Uuid> ParseUuid(std::string_view text) {
  // libvirt's virUUIDParse: leading spaces, then 16 hex pairs where dashes may
  // appear between pairs, then only trailing spaces.
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  Uuid uuid{};
  for (size_t n = 0; n < uuid.size();) {
    if (i >= text.size()) return std::nullopt;
    if (text[i] == '-') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    uuid[n++] = static_cast<uint8_t>(hi * 16 + lo);
    i += 2;
  }
  while (i < text.size()) {
    if (!std::isspace(static_cast<unsigned char>(text[i]))) return std::nullopt;
    ++i;
  }
  return uuid;
}

std::string FormatMac(const MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return buf;
}

std::optional<MacAddress> ParseMac(std::string_view text) {
  // libvirt's virMacAddrParse: six hex groups of one or two digits separated
  // by ':' or '-', nothing else.
  MacAddress mac{};
  size_t i = 0;
  for (size_t n = 0; n < mac.size(); ++n) {
    if (n > 0) {
      if (i >= text.size() || (text[i] != ':' && text[i] != '-')) return std::nullopt;
      ++i;
    }
    int value = 0;
    size_t digits = 0;
    while (i < text.size() && digits < 2 && HexValue(text[i]) >= 0) {
      value = value * 16 + HexValue(text[i]);
      ++i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    mac[n] = static_cast<uint8_t>(value);
  }
  if (i != text.size()) return std::nullopt;
  return mac;
}

}  // namespace virtnat::xml
