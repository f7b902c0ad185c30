#pragma once
// Foreign input and output hooks that would block what guests ask of the
// host's dnsmasq, without any I/O: DHCP (udp 67, DHCPv6 udp 547), DNS (udp
// and tcp 53) and TFTP (udp 69) arriving on a network's bridge, and the DHCP
// replies (and DNS answers) the host sends back out of it. Every base chain
// of an ip, ip6 or inet table hooked at input (or output), at any priority,
// must let the packet through: an accept in one table does not override a
// drop in another. This is what a host firewall with `policy drop` does to
// libvirt networks (ufw, firewalld's nftables backend, NixOS's
// networking.nftables) unless it accepts the bridge.
//
// Each chain is walked rule by rule for one representative packet per
// service (EvaluateChain): jumps and gotos are followed, counters and logs
// pass. A rule with a condition the audit cannot read (a set lookup, a
// limit, an address) is taken as possibly matching: if it accepts, the
// packet is taken as accepted (no warning); if it drops, the walk goes on.
// So a warning means the chain drops the packet unless a rule the audit
// cannot read says otherwise.

#include <cstdint>
#include <string>
#include <vector>

#include "driver/drift/nft_inventory.h"

namespace virtnat::driver {

// What a network's dnsmasq serves to its guests, from its plan.
struct GuestServices {
  bool dns4 = false;  // DNS on an IPv4 address of the bridge
  bool dns6 = false;
  bool dhcp4 = false;
  bool dhcp6 = false;
  bool tftp = false;  // IPv4 only, as libvirt's <tftp>
  bool operator==(const GuestServices&) const = default;
};

struct InputAuditNetwork {
  std::string name;
  std::string bridge;
  GuestServices services;
};

// One packet as a chain sees it. ct_state is one NF_CT_STATE_* bit.
struct NftPacket {
  uint8_t nfproto = 0;  // NFPROTO_IPV4 / NFPROTO_IPV6
  std::string iif;      // empty on output
  std::string oif;      // empty on input
  uint8_t l4proto = 0;  // IPPROTO_UDP / IPPROTO_TCP
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t ct_state = 0;
};

struct ChainVerdict {
  enum class Kind : uint8_t { kAccepted, kPolicyDrop, kRuleDrop };
  Kind kind = Kind::kAccepted;
  std::string chain;  // kRuleDrop: the chain holding the rule (the base chain or one it jumps to)
  size_t rule = 0;    // kRuleDrop: 1-based position in `chain`
};

// What `base` (a base chain of `inventory`, with its rules read) does with
// `packet`. Chains jumped to are looked up in the same table.
ChainVerdict EvaluateChain(const NftInventory& inventory, const NftChainInfo& base,
                           const NftPacket& packet);

struct InputDropFinding {
  uint8_t family = 0;
  std::string table;
  std::string chain;
  uint32_t hook = 0;  // NF_INET_LOCAL_IN or NF_INET_LOCAL_OUT
  std::string network;
  // "table inet filter chain input (hook input, priority 0) may drop DHCP
  // (udp 67), DNS (udp 53, tcp 53) that guests of network 'default' send to
  // the host (policy drop); accept them there (nft insert rule inet filter
  // input iifname "virbr0" accept)"
  std::string message;
  bool operator==(const InputDropFinding&) const = default;
};

// True for the base chains this audit reads: input or output hooks of ip,
// ip6 and inet tables other than virtnat's own.
bool IsHostBaseChain(const NftChainInfo& chain);

// For each network, the chains of IsHostBaseChain that drop one of its
// services; one finding per network and chain, naming every service
// dropped there. Ordered by network, then input before output, family,
// table and chain.
std::vector<InputDropFinding> FindInputDrops(const NftInventory& inventory,
                                             const std::vector<InputAuditNetwork>& networks);

}  // namespace virtnat::driver
