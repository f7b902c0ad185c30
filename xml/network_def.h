#pragma once
// NetworkDef: a libvirt <network> definition as a plain value type.
//
// The model stores what libvirt stores: values the formatter prints back and
// flags for "given or not" where libvirt's output depends on it. It knows
// nothing of the kernel. Parsing is in network_parse.h, printing in
// network_format.h, define-time defaults in network_defaults.h, semantic
// checks in network_validate.h, virNetworkUpdate in network_update.h.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"

namespace virtnat::xml {

// yes/no attributes that libvirt prints only when given.
enum class TriState { kAbsent, kYes, kNo };

enum class ForwardMode {
  kNone,  // no <forward>: isolated network
  kNat,
  kRoute,
  kOpen,
  kBridge,
  kPrivate,
  kVepa,
  kPassthrough,
  kHostdev,
};

// True for the modes virtnat realizes (nat, route, open, isolated): the
// modes with a libvirt-managed bridge, <mac>, <ip>, <dns> and stp/delay.
bool HasManagedBridge(ForwardMode mode);

using Uuid = std::array<uint8_t, 16>;
using MacAddress = std::array<uint8_t, 6>;

struct PortRange {
  unsigned start = 0;
  unsigned end = 0;
  bool operator==(const PortRange&) const = default;
};

struct AddressRange {
  IpAddress start;
  IpAddress end;
  bool operator==(const AddressRange&) const = default;
};

struct ForwardInterface {
  std::string dev;
  unsigned connections = 0;  // live only, pool modes
  bool operator==(const ForwardInterface&) const = default;
};

// <address type='pci' .../> in a hostdev/passthrough pool.
struct PciAddress {
  unsigned domain = 0;
  unsigned bus = 0;
  unsigned slot = 0;
  unsigned function = 0;
  bool operator==(const PciAddress&) const = default;
};

struct ForwardDef {
  ForwardMode mode = ForwardMode::kNone;
  std::string dev;                       // <forward dev>; kept equal to interfaces[0].dev
  TriState managed = TriState::kAbsent;  // hostdev only
  std::string driver_name;               // <driver name> (hostdev; 9.0)
  std::string driver_model;              // <driver model> (hostdev; newer)
  // <nat>: only with mode nat.
  TriState nat_ipv6 = TriState::kAbsent;
  std::optional<AddressRange> nat_address;
  std::optional<PortRange> nat_port;  // 0/0 on input is stored as absent
  std::vector<std::string> pf_devs;   // <pf dev>
  std::vector<ForwardInterface> interfaces;
  std::vector<PciAddress> pci_addresses;
  bool operator==(const ForwardDef&) const = default;
};

enum class MacTableManager { kDefault, kKernel, kLibvirt };

struct BridgeDef {
  std::string name;  // empty: chosen at define (network_defaults.h)
  std::string zone;
  bool stp = true;
  unsigned long delay = 0;
  MacTableManager mac_table_manager = MacTableManager::kDefault;
  bool operator==(const BridgeDef&) const = default;
};

struct DomainDef {
  std::string name;  // empty: no <domain>
  TriState local_only = TriState::kAbsent;
  bool operator==(const DomainDef&) const = default;
};

struct DnsForwarder {
  std::string domain;
  std::optional<IpAddress> addr;
  bool operator==(const DnsForwarder&) const = default;
};

struct DnsTxt {
  std::string name;
  std::string value;
  bool operator==(const DnsTxt&) const = default;
};

struct DnsSrv {
  std::string service;
  std::string protocol;
  std::string domain;
  std::string target;
  unsigned port = 0;      // 0: not printed
  unsigned priority = 0;  // 0: not printed
  unsigned weight = 0;    // 0: not printed
  bool operator==(const DnsSrv&) const = default;
};

struct DnsHost {
  IpAddress ip;
  std::vector<std::string> hostnames;
  bool operator==(const DnsHost&) const = default;
};

struct DnsDef {
  TriState enable = TriState::kAbsent;
  TriState forward_plain_names = TriState::kAbsent;
  std::vector<DnsForwarder> forwarders;
  std::vector<DnsTxt> txts;
  std::vector<DnsSrv> srvs;
  std::vector<DnsHost> hosts;
  // A <dns> with no attributes and no children is dropped, as libvirt does.
  bool empty() const {
    return enable == TriState::kAbsent && forward_plain_names == TriState::kAbsent &&
           forwarders.empty() && txts.empty() && srvs.empty() && hosts.empty();
  }
  bool operator==(const DnsDef&) const = default;
};

enum class LeaseUnit { kSeconds, kMinutes, kHours };

struct Lease {
  unsigned long long expiry = 0;  // 0: infinite (printed without unit)
  LeaseUnit unit = LeaseUnit::kMinutes;
  unsigned long long seconds() const;
  bool operator==(const Lease&) const = default;
};

struct DhcpRange {
  IpAddress start;
  IpAddress end;
  std::optional<Lease> lease;
  bool operator==(const DhcpRange&) const = default;
};

struct DhcpHost {
  std::string mac;  // as typed (libvirt keeps the case)
  std::string id;   // DHCPv6 DUID / client id
  std::string name;
  IpAddress ip;  // required
  std::optional<Lease> lease;
  bool operator==(const DhcpHost&) const = default;
};

struct Bootp {
  std::string file;
  std::optional<IpAddress> server;
  bool operator==(const Bootp&) const = default;
};

struct IpDef {
  bool family_given = false;  // family='ipv4'/'ipv6' printed only if given
  IpAddress address;
  std::optional<IpAddress> netmask;  // printed if given
  unsigned prefix = 0;               // printed if > 0
  TriState local_ptr = TriState::kAbsent;
  std::string tftp_root;
  std::vector<DhcpRange> ranges;
  std::vector<DhcpHost> hosts;
  std::optional<Bootp> bootp;

  IpFamily family() const { return address.family(); }
  // The prefix in effect: given prefix, netmask, else the class default
  // (IPv4 A/B/C: 8/16/24, other IPv4: 0 / error) or 64 for IPv6.
  unsigned EffectivePrefix() const;
  bool has_dhcp() const { return !ranges.empty() || !hosts.empty(); }
  bool operator==(const IpDef&) const = default;
};

struct RouteDef {
  bool family_given = false;
  IpAddress address;
  std::optional<IpAddress> netmask;
  unsigned prefix = 0;
  bool prefix_given = false;  // libvirt prints prefix='0' if given as 0
  IpAddress gateway;
  unsigned metric = 0;  // 0: not given
  unsigned EffectivePrefix() const;
  bool operator==(const RouteDef&) const = default;
};

struct BandwidthRate {
  unsigned long long average = 0;  // kbytes/s; 0: not printed
  unsigned long long peak = 0;
  unsigned long long floor = 0;
  unsigned long long burst = 0;  // kbytes
  bool operator==(const BandwidthRate&) const = default;
};

struct Bandwidth {
  std::optional<BandwidthRate> inbound;
  std::optional<BandwidthRate> outbound;
  bool operator==(const Bandwidth&) const = default;
};

struct VlanTag {
  unsigned id = 0;
  std::string native_mode;  // "tagged"/"untagged", empty if not given
  bool operator==(const VlanTag&) const = default;
};

struct Vlan {
  TriState trunk = TriState::kAbsent;
  std::vector<VlanTag> tags;
  bool operator==(const Vlan&) const = default;
};

// <virtualport type='...'><parameters .../></virtualport>. Parameters are
// kept as given; libvirt prints them in this fixed order.
struct VirtualPort {
  std::string type;  // may be empty inside a portgroup
  std::string manager_id;
  std::string type_id;
  std::string type_id_version;
  std::string instance_id;
  std::string profile_id;
  std::string interface_id;
  bool operator==(const VirtualPort&) const = default;
};

struct PortGroup {
  std::string name;
  bool is_default = false;
  TriState trust_guest_rx_filters = TriState::kAbsent;
  std::optional<Vlan> vlan;
  std::optional<VirtualPort> virtualport;
  std::optional<Bandwidth> bandwidth;
  bool operator==(const PortGroup&) const = default;
};

// Extension (namespace urn:virtnat:network:1): forward host ports to a guest.
enum class PortProtocol { kTcp, kUdp };

struct PortForwardRange {
  unsigned start = 0;  // host port
  unsigned end = 0;    // host port, >= start (defaults to start)
  unsigned to = 0;     // first guest port (defaults to start)
  bool operator==(const PortForwardRange&) const = default;
};

struct PortForward {
  PortProtocol proto = PortProtocol::kTcp;
  IpAddress guest;
  std::optional<IpAddress> address;  // listen address on the host
  std::string dev;                   // listen interface on the host
  std::vector<PortForwardRange> ranges;
  bool operator==(const PortForward&) const = default;
};

inline constexpr const char* kVirtnatNamespace = "urn:virtnat:network:1";
inline constexpr const char* kDnsmasqNamespace = "http://libvirt.org/schemas/network/dnsmasq/1.0";

struct NetworkDef {
  std::string name;
  Uuid uuid{};
  bool uuid_given = false;  // false until parsed or generated
  std::string title;        // libvirt 9.7+ (9.0 drops them); empty: absent
  std::string description;
  // The exact text the formatter prints for <metadata>, re-serialised by
  // libxml2 and indented as libvirt prints it, wrapper and final newline
  // included: "  <metadata>\n    <a:x xmlns:a=\"urn:a\">v</a:x>\n  </metadata>\n"
  // or "  <metadata/>\n". nullopt: no <metadata>.
  std::optional<std::string> metadata;
  unsigned connections = 0;  // live only
  bool ipv6 = false;         // <network ipv6='yes'>
  TriState trust_guest_rx_filters = TriState::kAbsent;
  ForwardDef forward;
  BridgeDef bridge;
  bool has_bridge_element = false;  // other modes print <bridge> only if given
  unsigned mtu = 0;
  std::optional<MacAddress> mac;
  DomainDef domain;
  DnsDef dns;
  std::optional<Vlan> vlan;
  std::optional<Bandwidth> bandwidth;
  TriState port_isolated = TriState::kAbsent;
  std::vector<IpDef> ips;
  std::vector<RouteDef> routes;
  std::optional<VirtualPort> virtualport;
  std::vector<PortGroup> portgroups;
  std::vector<PortForward> port_forwards;  // extension
  std::vector<std::string> dnsmasq_options;

  bool operator==(const NetworkDef&) const = default;
};

// Enum <-> string tables (network_enums.cpp). Parse functions return nullopt
// for unknown text.
const char* ForwardModeName(ForwardMode mode);  // "nat", ...; "none" for kNone
std::optional<ForwardMode> ParseForwardMode(std::string_view text);
const char* MacTableManagerName(MacTableManager m);  // "kernel"/"libvirt"; "" default
std::optional<MacTableManager> ParseMacTableManager(std::string_view text);
const char* LeaseUnitName(LeaseUnit unit);
std::optional<LeaseUnit> ParseLeaseUnit(std::string_view text);
const char* PortProtocolName(PortProtocol proto);
std::optional<PortProtocol> ParsePortProtocol(std::string_view text);
const char* TriStateName(TriState t);  // "yes"/"no"; "" when absent
std::optional<TriState> ParseYesNo(std::string_view text);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lowercase.
std::string FormatUuid(const Uuid& uuid);
// 32 hex digits, dashes anywhere between byte pairs, surrounding whitespace.
std::optional<Uuid> ParseUuid(std::string_view text);
std::string FormatMac(const MacAddress& mac);  // lowercase, colons
std::optional<MacAddress> ParseMac(std::string_view text);

}  // namespace virtnat::xml
