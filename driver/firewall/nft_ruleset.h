#pragma once
// The nftables objects virtnat owns, as plain values. One value describes the
// project's table (`inet virtnat`: its maps and base chains, identical for
// every network) and the chains, rules and map elements of one network. It
// is rendered as nft text (nft_text.h) and as a libnftnl batch (nft_batch.h);
// both renderings read only these types.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.h"

namespace virtnat::driver {

inline constexpr const char* kNftTable = "virtnat";  // family inet

// Names of the base maps, for tests and the applier.
inline constexpr const char* kMapHostIn = "host_in";
inline constexpr const char* kMapHostOut = "host_out";
inline constexpr const char* kMapFwdIn = "fwd_in";
inline constexpr const char* kMapFwdOut = "fwd_out";
inline constexpr const char* kMapDnat = "portfwd";
inline constexpr const char* kMapHairpin = "hairpin";
inline constexpr const char* kMapNat4 = "nat4";
inline constexpr const char* kMapNat6 = "nat6";

// "BR_SUFFIX": the network's chains. Base chain names have no '_', so these
// can never clash with them or with another bridge's chains.
std::string NetworkChainName(const std::string& bridge, const char* suffix);

// IP protocol numbers used in rules and map keys.
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
const char* ProtoName(uint8_t proto);  // "tcp" / "udp"
// "ip", "ip6", "inet", "arp", "bridge", "netdev" for an NFPROTO_* family;
// the number for anything else.
std::string NftFamilyName(uint8_t family);

struct PortSpan {
  unsigned first = 0;
  unsigned last = 0;  // == first for one port
  bool operator==(const PortSpan&) const = default;
};

// --- Matches -----------------------------------------------------------

// iifname "NAME" / oifname "NAME"
struct IfNameMatch {
  bool input = true;
  std::string name;
  bool operator==(const IfNameMatch&) const = default;
};

// meta nfproto ipv4|ipv6
struct NfProtoMatch {
  IpFamily family = IpFamily::kV4;
  bool operator==(const NfProtoMatch&) const = default;
};

// meta l4proto tcp|udp
struct L4ProtoMatch {
  uint8_t proto = kProtoTcp;
  bool operator==(const L4ProtoMatch&) const = default;
};

// ip saddr NET/P, ip6 daddr != NET/P, ip daddr ADDR (prefix = full length)
struct AddrMatch {
  bool source = true;
  bool negate = false;
  IpAddress address;  // host bits cleared unless prefix is the full length
  unsigned prefix = 32;
  bool operator==(const AddrMatch&) const = default;
};

// tcp dport 80 / udp dport 5000-5010
struct PortMatch {
  uint8_t proto = kProtoTcp;
  PortSpan ports;
  bool operator==(const PortMatch&) const = default;
};

// ct state established,related
struct CtEstablishedMatch {
  bool operator==(const CtEstablishedMatch&) const = default;
};

// ct status dnat
struct CtDnatMatch {
  bool operator==(const CtDnatMatch&) const = default;
};

// fib daddr type local
struct FibLocalMatch {
  bool operator==(const FibLocalMatch&) const = default;
};

// The key of a verdict map lookup in a base chain.
enum class MapKey {
  kIifname,       // iifname vmap @M
  kOifname,       // oifname vmap @M
  kSaddr4,        // ip saddr vmap @M
  kSaddr6,        // ip6 saddr vmap @M
  kL4protoDport,  // meta l4proto . th dport vmap @M
};

// KEY vmap @MAP (the verdict comes from the map)
struct VmapStmt {
  MapKey key = MapKey::kIifname;
  std::string map;
  bool operator==(const VmapStmt&) const = default;
};

// --- Terminal statements ------------------------------------------------

enum class VerdictKind { kAccept, kReturn, kJump };

// accept / return / jump CHAIN
struct VerdictStmt {
  VerdictKind kind = VerdictKind::kAccept;
  std::string chain;  // kJump only
  bool operator==(const VerdictStmt&) const = default;
};

// reject (kNone: both families, icmpx) / reject with icmp|icmpv6 port-unreachable
struct RejectStmt {
  IpFamily family = IpFamily::kNone;
  bool operator==(const RejectStmt&) const = default;
};

// masquerade [to :FIRST-LAST]
struct MasqueradeStmt {
  std::optional<PortSpan> ports;
  bool operator==(const MasqueradeStmt&) const = default;
};

// snat ip to A[-B][:P-Q] / dnat ip6 to [A]:P
struct NatStmt {
  bool destination = false;  // dnat, else snat
  IpAddress first;
  IpAddress last;  // == first for one address
  std::optional<PortSpan> ports;
  bool operator==(const NatStmt&) const = default;
};

using NftExpr = std::variant<IfNameMatch, NfProtoMatch, L4ProtoMatch, AddrMatch, PortMatch,
                             CtEstablishedMatch, CtDnatMatch, FibLocalMatch, VmapStmt, VerdictStmt,
                             RejectStmt, MasqueradeStmt, NatStmt>;

// A rule: matches left to right, then at most one terminal statement.
struct NftRule {
  std::vector<NftExpr> exprs;
  bool operator==(const NftRule&) const = default;
};

enum class ChainHook { kNone, kPrerouting, kInput, kForward, kOutput, kPostrouting };

struct NftChain {
  std::string name;
  ChainHook hook = ChainHook::kNone;  // kNone: a regular chain
  bool nat = false;                   // base chain of type nat, else filter
  int priority = 0;
  std::vector<NftRule> rules;
  bool operator==(const NftChain&) const = default;
};

// Key types of the maps (all map to verdicts).
enum class MapKeyType {
  kIfname,      // type ifname
  kIpv4Prefix,  // type ipv4_addr, flags interval
  kIpv6Prefix,  // type ipv6_addr, flags interval
  kProtoPorts,  // type inet_proto . inet_service, flags interval
};

struct NftMap {
  std::string name;
  MapKeyType key_type = MapKeyType::kIfname;
  bool operator==(const NftMap&) const = default;
};

struct IfNameKey {
  std::string name;
  bool operator==(const IfNameKey&) const = default;
};
struct PrefixKey {
  IpAddress network;
  unsigned prefix = 0;
  bool operator==(const PrefixKey&) const = default;
};
struct ProtoPortsKey {
  uint8_t proto = kProtoTcp;
  PortSpan ports;
  bool operator==(const ProtoPortsKey&) const = default;
};
using NftKey = std::variant<IfNameKey, PrefixKey, ProtoPortsKey>;

// One map element: KEY : jump CHAIN (or accept).
struct NftElement {
  std::string map;
  NftKey key;
  VerdictStmt verdict;
  bool operator==(const NftElement&) const = default;
};

// The shared part: maps and base chains. Identical for every network.
struct NftBase {
  std::vector<NftMap> maps;
  std::vector<NftChain> chains;
  bool operator==(const NftBase&) const = default;
};

// What one network adds to the table. Starting a network adds the base (if
// absent) plus this; stopping it removes exactly this.
struct NftNetworkRules {
  std::vector<NftChain> chains;      // regular chains, reached only via elements
  std::vector<NftElement> elements;  // in maps of the base
  bool empty() const { return chains.empty() && elements.empty(); }
  bool operator==(const NftNetworkRules&) const = default;
};

// A network's rules, immutable once planned and shared by all that hold
// them: the realizer's plan, the firewall's record of what it applied and
// the drift checks (a copy each was 3-4 KB of heap per running network, and
// two more per network on every drift check; docs/performance.md). Reads as
// a const NftNetworkRules; a default one is empty.
class SharedRules {
 public:
  SharedRules() = default;
  // Implicit: a value becomes the one shared copy.
  SharedRules(NftNetworkRules rules)  // NOLINT(google-explicit-constructor)
      : rules_(std::make_shared<const NftNetworkRules>(std::move(rules))) {}

  const NftNetworkRules& get() const { return rules_ ? *rules_ : Empty(); }
  const NftNetworkRules& operator*() const { return get(); }
  const NftNetworkRules* operator->() const { return &get(); }
  operator const NftNetworkRules&() const { return get(); }  // NOLINT

  friend bool operator==(const SharedRules& a, const SharedRules& b) {
    return a.rules_ == b.rules_ || a.get() == b.get();
  }
  friend bool operator==(const SharedRules& a, const NftNetworkRules& b) {
    return &a.get() == &b || a.get() == b;
  }

 private:
  static const NftNetworkRules& Empty() {
    static const NftNetworkRules empty;
    return empty;
  }
  std::shared_ptr<const NftNetworkRules> rules_;
};

}  // namespace virtnat::driver
