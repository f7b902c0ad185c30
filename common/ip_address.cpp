#include "common/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace virtnat {

unsigned FamilyBits(IpFamily family) {
  switch (family) {
    case IpFamily::kV4:
      return 32;
    case IpFamily::kV6:
      return 128;
    case IpFamily::kNone:
      return 0;
  }
  return 0;
}

std::optional<IpAddress> IpAddress::ParseV4(std::string_view text) {
  // inet_aton needs a NUL-terminated string and must not see embedded NULs.
  if (text.empty() || text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string copy(text);
  in_addr addr{};
  if (inet_aton(copy.c_str(), &addr) == 0) return std::nullopt;
  return FromV4(ntohl(addr.s_addr));
}

std::optional<IpAddress> IpAddress::ParseV6(std::string_view text) {
  if (text.empty() || text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string copy(text);
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1) return std::nullopt;
  return FromV6(bytes);
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (auto v4 = ParseV4(text)) return v4;
  return ParseV6(text);
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress a;
  a.family_ = IpFamily::kV4;
  a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::FromV6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = IpFamily::kV6;
  a.bytes_ = bytes;
  return a;
}

IpAddress IpAddress::Netmask(IpFamily family, unsigned prefix) {
  IpAddress a;
  a.family_ = family;
  unsigned bits = FamilyBits(family);
  if (prefix > bits) prefix = bits;
  for (unsigned i = 0; i < prefix; ++i) a.bytes_[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
  return a;
}

uint32_t IpAddress::v4() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         uint32_t{bytes_[3]};
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family_ == IpFamily::kV4) {
    inet_ntop(AF_INET, bytes_.data(), buf, sizeof buf);
  } else if (family_ == IpFamily::kV6) {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<unsigned> IpAddress::PrefixOfNetmask() const {
  unsigned bits = FamilyBits(family_);
  unsigned prefix = 0;
  while (prefix < bits && (bytes_[prefix / 8] & (0x80u >> (prefix % 8)))) ++prefix;
  for (unsigned i = prefix; i < bits; ++i) {
    if (bytes_[i / 8] & (0x80u >> (i % 8))) return std::nullopt;
  }
  return prefix;
}

IpAddress IpAddress::NetworkAddress(unsigned prefix) const {
  IpAddress mask = Netmask(family_, prefix);
  IpAddress out = *this;
  for (size_t i = 0; i < out.bytes_.size(); ++i) out.bytes_[i] &= mask.bytes_[i];
  return out;
}

IpAddress IpAddress::BroadcastAddress(unsigned prefix) const {
  IpAddress mask = Netmask(family_, prefix);
  IpAddress out = *this;
  unsigned len = FamilyBits(family_) / 8;
  for (unsigned i = 0; i < len; ++i) out.bytes_[i] |= static_cast<uint8_t>(~mask.bytes_[i]);
  return out;
}

bool IpAddress::SameSubnet(const IpAddress& other, unsigned prefix) const {
  return family_ == other.family_ && NetworkAddress(prefix) == other.NetworkAddress(prefix);
}

IpAddress IpAddress::Next() const {
  IpAddress out = *this;
  for (int i = static_cast<int>(FamilyBits(family_) / 8) - 1; i >= 0; --i) {
    if (++out.bytes_[i] != 0) break;
  }
  return out;
}

}  // namespace virtnat
