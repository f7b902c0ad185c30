#pragma once
// The network driver interface the RPC layer calls; it mirrors libvirt's
// virNetworkDriver. Every method returns the libvirt error (code, domain,
// message) a client should see, so the RPC layer forwards it unchanged.
//
// Networks are identified by NetworkRef = (name, uuid). As in libvirtd, the
// UUID is the identity; the name is only used in error messages ("no network
// with matching uuid 'U' (NAME)"). Flag arguments carry libvirt's raw flag
// values (<libvirt/libvirt-network.h>); implementations reject unknown bits
// with VIR_ERR_INVALID_ARG as libvirt does.
//
// Threading: single-threaded; calls and event callbacks run on the daemon's
// main loop.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

using Uuid = xml::Uuid;

struct NetworkRef {
  std::string name;
  Uuid uuid{};
  bool operator==(const NetworkRef&) const = default;
};

struct PortRef {
  NetworkRef network;
  Uuid uuid{};
  bool operator==(const PortRef&) const = default;
};

// One virNetworkDHCPLease (named apart from driver/leases.h's DhcpLease, the
// dnsmasq lease record: two definitions of one name would break the ODR).
struct NetworkDhcpLease {
  std::string iface;                // bridge name
  int64_t expiry_time = 0;          // seconds since the epoch, 0 = never
  int type = 0;                     // VIR_IP_ADDR_TYPE_IPV4 / _IPV6
  std::optional<std::string> mac;   // IPv4 leases
  std::optional<std::string> iaid;  // IPv6 leases
  std::string ip_address;
  unsigned prefix = 0;
  std::optional<std::string> hostname;  // null when unknown
  std::optional<std::string> client_id;
  bool operator==(const NetworkDhcpLease&) const = default;
};

// A virTypedParameter (VIR_TYPED_PARAM_* in `type`).
struct TypedParam {
  std::string field;
  int type = 0;
  int64_t i = 0;   // INT, LLONG, BOOLEAN
  uint64_t u = 0;  // UINT, ULLONG
  double d = 0;    // DOUBLE
  std::string s;   // STRING
  bool operator==(const TypedParam&) const = default;
};

// VIR_NETWORK_EVENT_* values.
enum class LifecycleEvent : int { kDefined = 0, kUndefined = 1, kStarted = 2, kStopped = 3 };

using LifecycleCallback = std::function<void(const NetworkRef& net, LifecycleEvent event)>;

// virNetworkMetadataType (libvirt 9.7+; Debian 12's 9.0 headers lack it).
enum class MetadataType : int { kDescription = 0, kTitle = 1, kElement = 2 };
// VIR_ERR_NO_NETWORK_METADATA (9.7+): the requested metadata is absent.
inline constexpr int kErrNoNetworkMetadata = 111;

// A VIR_NETWORK_EVENT_ID_METADATA_CHANGE event: the raw metadata type and,
// for an element, its namespace URI.
using MetadataChangeCallback =
    std::function<void(const NetworkRef& net, int type, const std::optional<std::string>& uri)>;

class NetworkDriver {
 public:
  virtual ~NetworkDriver() = default;

  // VIR_CONNECT_LIST_NETWORKS_* filter flags; 0 lists every network.
  virtual Result<std::vector<NetworkRef>> ListAllNetworks(unsigned flags) = 0;
  // Old-style lists: active networks / inactive (defined) networks, sorted
  // by name as libvirt does not promise any order.
  Result<std::vector<NetworkRef>> ListActive();
  Result<std::vector<NetworkRef>> ListDefined();

  virtual Result<NetworkRef> LookupByName(const std::string& name) = 0;
  virtual Result<NetworkRef> LookupByUuid(const Uuid& uuid) = 0;

  // VIR_NETWORK_DEFINE_VALIDATE / VIR_NETWORK_CREATE_VALIDATE in flags.
  virtual Result<NetworkRef> DefineXml(const std::string& xml, unsigned flags) = 0;
  virtual Result<NetworkRef> CreateXml(const std::string& xml, unsigned flags) = 0;
  virtual Status Undefine(const NetworkRef& net) = 0;
  // Starts a defined network (virNetworkCreate).
  virtual Status Create(const NetworkRef& net) = 0;

  // Starts without holding up the loop (the RPC layer uses these). `done`
  // gets the outcome exactly once: during the call (these defaults, and
  // drivers whose start has nothing to wait for) or later on the loop. By
  // then the network is fully up, its STARTED event delivered, or not up at
  // all. Meanwhile the network is "being started": it reads as inactive, and
  // calls that would change it (start, destroy, undefine, define, update)
  // fail with VIR_ERR_OPERATION_INVALID; other calls are served as usual.
  using StartDone = std::function<void(Status)>;
  using CreateDone = std::function<void(Result<NetworkRef>)>;
  virtual void CreateAsync(const NetworkRef& net, StartDone done) { done(Create(net)); }
  virtual void CreateXmlAsync(const std::string& xml, unsigned flags, CreateDone done) {
    done(CreateXml(xml, flags));
  }
  virtual Status Destroy(const NetworkRef& net) = 0;

  // VIR_NETWORK_XML_INACTIVE in flags.
  virtual Result<std::string> GetXmlDesc(const NetworkRef& net, unsigned flags) = 0;
  virtual Result<std::string> GetBridgeName(const NetworkRef& net) = 0;
  virtual Result<bool> GetAutostart(const NetworkRef& net) = 0;
  virtual Status SetAutostart(const NetworkRef& net, bool autostart) = 0;
  virtual Result<bool> IsActive(const NetworkRef& net) = 0;
  virtual Result<bool> IsPersistent(const NetworkRef& net) = 0;
  // Raw virNetworkUpdateCommand / Section values and VIR_NETWORK_UPDATE_* flags.
  virtual Status Update(const NetworkRef& net, unsigned command, unsigned section, int parent_index,
                        const std::string& xml, unsigned flags) = 0;
  // As Update, completing like CreateAsync: a live change that restarts
  // dnsmasq does not hold up the loop; meanwhile the network is "being
  // updated" and refuses changes as a network being started does.
  virtual void UpdateAsync(const NetworkRef& net, unsigned command, unsigned section,
                           int parent_index, const std::string& xml, unsigned flags,
                           StartDone done) {
    done(Update(net, command, section, parent_index, xml, flags));
  }
  // `mac` nullopt: every lease; otherwise only that MAC (case-insensitive).
  virtual Result<std::vector<NetworkDhcpLease>> GetDhcpLeases(const NetworkRef& net,
                                                              const std::optional<std::string>& mac,
                                                              unsigned flags) = 0;

  // Network ports (virNetworkPort*); VIR_NETWORK_PORT_CREATE_* flags.
  virtual Result<PortRef> PortCreateXml(const NetworkRef& net, const std::string& xml,
                                        unsigned flags) = 0;
  // As PortCreateXml, completing like CreateAsync (the network's
  // port-created hook may take its time).
  using PortDone = std::function<void(Result<PortRef>)>;
  virtual void PortCreateXmlAsync(const NetworkRef& net, const std::string& xml, unsigned flags,
                                  PortDone done) {
    done(PortCreateXml(net, xml, flags));
  }
  virtual Result<PortRef> PortLookupByUuid(const NetworkRef& net, const Uuid& uuid) = 0;
  virtual Result<std::string> PortGetXmlDesc(const PortRef& port, unsigned flags) = 0;
  virtual Status PortDelete(const PortRef& port, unsigned flags) = 0;
  virtual Result<std::vector<PortRef>> ListAllPorts(const NetworkRef& net, unsigned flags) = 0;
  virtual Result<std::vector<TypedParam>> PortGetParameters(const PortRef& port,
                                                            unsigned flags) = 0;
  virtual Status PortSetParameters(const PortRef& port, const std::vector<TypedParam>& params,
                                   unsigned flags) = 0;

  // Lifecycle events of every network, delivered synchronously after the
  // change. Returns an id for UnsubscribeLifecycle.
  virtual int SubscribeLifecycle(LifecycleCallback callback) = 0;
  virtual void UnsubscribeLifecycle(int id) = 0;

  // virNetworkSetMetadata / virNetworkGetMetadata (libvirt 9.7+), with the
  // checks of libvirt's public API and network driver: `type` a raw
  // MetadataType, `flags` VIR_NETWORK_UPDATE_AFFECT_*. A null `metadata`
  // removes; a changed network gets a metadata-change event.
  virtual Status SetMetadata(const NetworkRef& net, int type,
                             const std::optional<std::string>& metadata,
                             const std::optional<std::string>& key,
                             const std::optional<std::string>& uri, unsigned flags) = 0;
  virtual Result<std::string> GetMetadata(const NetworkRef& net, int type,
                                          const std::optional<std::string>& uri,
                                          unsigned flags) = 0;
  // Metadata-change events of every network, delivered after the change.
  virtual int SubscribeMetadataChange(MetadataChangeCallback callback) = 0;
  virtual void UnsubscribeMetadataChange(int id) = 0;
};

}  // namespace virtnat::driver
