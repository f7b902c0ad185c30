// <route> static routes (libvirt's virNetDevIPRouteParseXML and
// virNetDevIPRouteCreate; prefix and metric as 9.0 reads them).
#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Result<RouteDef> ParseRoute(std::string_view net, const xmlNode* node) {
  std::string n(net);
  RouteDef route;
  auto family = XPathProp(node, "family");
  auto address = XPathProp(node, "address");
  auto netmask = XPathProp(node, "netmask");
  auto gateway = XPathProp(node, "gateway");
  ASSIGN_OR_RETURN(auto prefix, PropUInt(node, "prefix", false));
  ASSIGN_OR_RETURN(auto metric, PropUInt(node, "metric", true));
  route.family_given = family.has_value();
  route.prefix = prefix.value_or(0);
  route.prefix_given = prefix.has_value();
  route.metric = metric.value_or(0);

  if (!address) {
    return XmlError(n + ": Missing required address attribute in route definition");
  }
  if (!gateway) {
    return XmlError(n + ": Missing required gateway attribute in route definition");
  }
  auto addr = IpAddress::Parse(*address);
  if (!addr) {
    return XmlError(n + ": Bad network address " + Q(*address) + " in route definition");
  }
  route.address = *addr;
  auto gw = IpAddress::Parse(*gateway);
  if (!gw) {
    return XmlError(n + ": Bad gateway address " + Q(*gateway) + " in route definition");
  }
  route.gateway = *gw;

  if (!family || *family == "ipv4") {
    if (!route.address.is_v4()) {
      return XmlError(n + (family ? ": IPv4 family" : ": No family") +
                      " specified for non-IPv4 address " + Q(*address) + " in route definition");
    }
    if (!route.gateway.is_v4()) {
      // libvirt names the address here, not the gateway.
      return XmlError(n + (family ? ": IPv4 family" : ": No family") +
                      " specified for non-IPv4 gateway " + Q(*address) + " in route definition");
    }
    if (netmask) {
      auto mask = IpAddress::Parse(*netmask);
      if (!mask) {
        return XmlError(n + ": Bad netmask address " + Q(*netmask) + " in route definition");
      }
      if (!mask->is_v4()) {
        return XmlError(n + ": Invalid netmask " + Q(*netmask) + " for address " + Q(*address) +
                        " (both must be IPv4)");
      }
      if (route.prefix_given) {
        return XmlError(n + ": Route definition cannot have both a prefix and a netmask");
      }
      route.netmask = *mask;
    }
    if (route.prefix > 32) {
      return XmlError(n + ": Invalid prefix " + std::to_string(route.prefix) +
                      " specified in route definition, must be 0 - 32");
    }
  } else if (*family == "ipv6") {
    if (!route.address.is_v6()) {
      return XmlError(n + ": ipv6 family specified for non-IPv6 address " + Q(*address) +
                      " in route definition");
    }
    if (netmask) {
      return XmlError(n + ": Specifying netmask invalid for IPv6 address " + Q(*address) +
                      " in route definition");
    }
    if (!route.gateway.is_v6()) {
      return XmlError(n + ": ipv6 specified for non-IPv6 gateway address " + Q(*gateway) +
                      " in route definition");
    }
    if (route.prefix > 128) {
      return XmlError(n + ": Invalid prefix " + std::to_string(route.prefix) +
                      " specified in route definition, must be 0 - 128");
    }
  } else {
    return XmlError(n + ": Unrecognized family " + Q(*family) + " in route definition");
  }

  // The address must be a network address under the netmask, or else under
  // the prefix (0 when none is given: only a default route passes).
  IpAddress masked;
  if (route.netmask) {
    const auto& a = route.address.bytes();
    const auto& m = route.netmask->bytes();
    uint32_t value = (uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3]) &
                     (uint32_t{m[0]} << 24 | uint32_t{m[1]} << 16 | uint32_t{m[2]} << 8 | m[3]);
    masked = IpAddress::FromV4(value);
  } else {
    masked = route.address.NetworkAddress(route.prefix);
  }
  if (!(masked == route.address)) {
    return XmlError(n + ": Address " + Q(*address) +
                    " in route definition is not a network address");
  }
  return route;
}

}  // namespace virtnat::xml::internal
