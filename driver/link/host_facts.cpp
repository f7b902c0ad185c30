#include "driver/link/host_facts.h"

namespace virtnat::driver {
namespace {

Status FirstCollision(const std::vector<HostRoute>& routes, const IpAddress& address,
                      unsigned prefix, const std::string& message_head,
                      const std::string& message_tail) {
  if (!address.is_v4()) return Status::Ok();  // libvirt checks IPv4 only
  IpAddress network = address.NetworkAddress(prefix);
  for (const HostRoute& route : routes) {
    if (route.destination == network && route.prefix == prefix) {
      return InternalError(message_head + route.interface + message_tail);
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckSubnetNotRouted(const std::vector<HostRoute>& routes, const IpAddress& address,
                            unsigned prefix) {
  return FirstCollision(routes, address, prefix, "Network is already in use by interface ", "");
}

Status CheckRouteNotRouted(const std::vector<HostRoute>& routes, const IpAddress& address,
                           unsigned prefix, const std::string& address_text) {
  return FirstCollision(routes, address, prefix,
                        "Route address '" + address_text + "' conflicts with IP address for '",
                        "'");
}

}  // namespace virtnat::driver
