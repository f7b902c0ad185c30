#include "driver/firewall/nft_ruleset.h"

#include <linux/netfilter.h>

namespace virtnat::driver {

const char* ProtoName(uint8_t proto) { return proto == kProtoUdp ? "udp" : "tcp"; }

std::string NetworkChainName(const std::string& bridge, const char* suffix) {
  return bridge + "_" + suffix;
}

std::string NftFamilyName(uint8_t family) {
  switch (family) {
    case NFPROTO_IPV4:
      return "ip";
    case NFPROTO_IPV6:
      return "ip6";
    case NFPROTO_INET:
      return "inet";
    case NFPROTO_ARP:
      return "arp";
    case NFPROTO_BRIDGE:
      return "bridge";
    case NFPROTO_NETDEV:
      return "netdev";
    default:
      return std::to_string(family);
  }
}

}  // namespace virtnat::driver
