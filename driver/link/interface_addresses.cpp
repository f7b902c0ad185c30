#include "driver/link/interface_addresses.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/ip_address.h"

namespace virtnat::driver {
namespace {

struct IfaddrsFree {
  void operator()(ifaddrs* list) const { freeifaddrs(list); }
};

unsigned PrefixOf(const sockaddr* mask) {
  const unsigned char* bytes = nullptr;
  size_t len = 0;
  if (mask->sa_family == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    len = 4;
  } else {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    len = 16;
  }
  unsigned prefix = 0;
  for (size_t i = 0; i < len; ++i) prefix += static_cast<unsigned>(__builtin_popcount(bytes[i]));
  return prefix;
}

}  // namespace

Result<std::vector<InterfaceAddress>> ReadInterfaceAddresses(const std::string& ifname) {
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) {
    return SystemErrorFromErrno(errno, "cannot read the addresses of '" + ifname + "'");
  }
  std::unique_ptr<ifaddrs, IfaddrsFree> list(raw);
  std::vector<InterfaceAddress> out;
  for (const ifaddrs* a = list.get(); a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_netmask == nullptr || ifname != a->ifa_name) continue;
    int family = a->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    InterfaceAddress address;
    if (family == AF_INET) {
      address.address = IpAddress::FromV4(
          ntohl(reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr));
    } else {
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr,
                  bytes.size());
      address.address = IpAddress::FromV6(bytes);
    }
    address.prefix = PrefixOf(a->ifa_netmask);
    out.push_back(address);
  }
  return out;
}

}  // namespace virtnat::driver
