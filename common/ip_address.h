#pragma once
// IPv4/IPv6 address value type and the subnet arithmetic the XML layer and
// the planner need. Parsing follows libvirt (getaddrinfo with
// AI_NUMERICHOST): IPv4 accepts inet_aton's forms (shorthand "10.66.5" and
// octal "010"), IPv6 is printed in the compressed lowercase form.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace virtnat {

enum class IpFamily { kNone, kV4, kV6 };

class IpAddress {
 public:
  IpAddress() = default;

  // Any numeric IPv4 (inet_aton syntax) or IPv6 address; nullopt otherwise.
  static std::optional<IpAddress> Parse(std::string_view text);
  static std::optional<IpAddress> ParseV4(std::string_view text);
  static std::optional<IpAddress> ParseV6(std::string_view text);
  static IpAddress FromV4(uint32_t host_order);
  static IpAddress FromV6(const std::array<uint8_t, 16>& bytes);
  // The netmask with `prefix` leading one bits. REQUIRES: prefix fits the family.
  static IpAddress Netmask(IpFamily family, unsigned prefix);

  IpFamily family() const { return family_; }
  bool valid() const { return family_ != IpFamily::kNone; }
  bool is_v4() const { return family_ == IpFamily::kV4; }
  bool is_v6() const { return family_ == IpFamily::kV6; }
  // REQUIRES: is_v4().
  uint32_t v4() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  // Dotted quad or compressed lowercase IPv6; empty when !valid().
  std::string ToString() const;

  // The number of leading one bits if this is a contiguous netmask.
  std::optional<unsigned> PrefixOfNetmask() const;
  // Host bits cleared / set for a /prefix subnet.
  IpAddress NetworkAddress(unsigned prefix) const;
  IpAddress BroadcastAddress(unsigned prefix) const;
  // True if both lie in the same /prefix subnet (and have the same family).
  bool SameSubnet(const IpAddress& other, unsigned prefix) const;
  // this + 1 / this - 1 (wraps); used for range arithmetic.
  IpAddress Next() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  IpFamily family_ = IpFamily::kNone;
  std::array<uint8_t, 16> bytes_{};  // IPv4 uses the first 4 bytes
};

// Bits in an address of this family (32 or 128); 0 for kNone.
unsigned FamilyBits(IpFamily family);

}  // namespace virtnat
