// The remote program's network procedures (libvirt-rpc.md §11, §12): decode
// the arguments, call the driver, encode the result.

#include <string>

#include "rpc/procedures.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"

namespace virtnat::rpc {
namespace {

using driver::NetworkRef;

// Encodes a network returned by the driver.
Status ReplyNetwork(const Result<NetworkRef>& net, XdrEncoder& ret) {
  if (!net.ok()) return net.status();
  EncodeNetwork(ret, *net);
  return Status::Ok();
}

Status ReplyBool(const Result<bool>& value, XdrEncoder& ret) {
  if (!value.ok()) return value.status();
  ret.Bool(*value);
  return Status::Ok();
}

Status ReplyString(const Result<std::string>& value, XdrEncoder& ret) {
  if (!value.ok()) return value.status();
  ret.String(*value);
  return Status::Ok();
}

// Old-style list calls: `maxnames` bounds the reply (libvirtd checks it).
Status ReplyNames(XdrDecoder& args, XdrEncoder& ret, const Result<std::vector<NetworkRef>>& list) {
  int32_t maxnames = args.Int();
  if (!args.ok()) return DecodeFailure();
  if (maxnames > static_cast<int32_t>(kNetworkListMax)) {
    return RpcError("maxnames > REMOTE_NETWORK_LIST_MAX");
  }
  if (maxnames < 0) return RpcError("maxnames must be non-negative");
  if (!list.ok()) return list.status();
  size_t n = std::min(list->size(), static_cast<size_t>(maxnames));
  ret.Uint(static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) ret.String((*list)[i].name);
  return Status::Ok();
}

Status ListNetworks(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  return ReplyNames(args, ret, ctx.driver.ListActive());
}

Status ListDefinedNetworks(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  return ReplyNames(args, ret, ctx.driver.ListDefined());
}

Status ReplyCount(const Result<std::vector<NetworkRef>>& list, XdrEncoder& ret) {
  if (!list.ok()) return list.status();
  ret.Int(static_cast<int32_t>(list->size()));
  return Status::Ok();
}

Status NumOfNetworks(CallContext& ctx, XdrDecoder&, XdrEncoder& ret) {
  return ReplyCount(ctx.driver.ListActive(), ret);
}

Status NumOfDefinedNetworks(CallContext& ctx, XdrDecoder&, XdrEncoder& ret) {
  return ReplyCount(ctx.driver.ListDefined(), ret);
}

Status ListAllNetworks(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  int32_t need_results = args.Int();
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ASSIGN_OR_RETURN(std::vector<NetworkRef> nets, ctx.driver.ListAllNetworks(flags));
  if (nets.size() > kNetworkListMax) {
    return InternalError("Too many networks '" + std::to_string(nets.size()) + "' for limit '" +
                         std::to_string(kNetworkListMax) + "'");
  }
  if (need_results) {
    ret.Uint(static_cast<uint32_t>(nets.size()));
    for (const NetworkRef& net : nets) EncodeNetwork(ret, net);
  } else {
    ret.Uint(0);
  }
  ret.Uint(static_cast<uint32_t>(nets.size()));
  return Status::Ok();
}

Status LookupByName(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  std::string name = args.String(kStringMax);
  if (!args.ok()) return DecodeFailure();
  return ReplyNetwork(ctx.driver.LookupByName(name), ret);
}

Status LookupByUuid(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  driver::Uuid uuid{};
  args.FixedOpaque(uuid);
  if (!args.ok()) return DecodeFailure();
  return ReplyNetwork(ctx.driver.LookupByUuid(uuid), ret);
}

Status DefineAndReply(CallContext& ctx, const std::string& xml, uint32_t flags, XdrEncoder& ret) {
  Result<NetworkRef> net = ctx.driver.DefineXml(xml, flags);
  if (net.ok()) ctx.subject = NetworkSubject(*net);
  return ReplyNetwork(net, ret);
}

Status DefineXml(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  std::string xml = args.String(kStringMax);
  if (!args.ok()) return DecodeFailure();
  return DefineAndReply(ctx, xml, 0, ret);
}

Status DefineXmlFlags(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  std::string xml = args.String(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  return DefineAndReply(ctx, xml, flags, ret);
}

// Starts answer when the network is up (or not): other clients are served
// meanwhile.
void StartFromXml(CallContext& ctx, const std::string& xml, uint32_t flags) {
  ctx.driver.CreateXmlAsync(xml, flags, [reply = ctx.Defer()](Result<NetworkRef> net) {
    if (net.ok()) reply->subject = NetworkSubject(*net);
    Bytes payload;
    XdrEncoder ret(payload);
    Status status = ReplyNetwork(net, ret);
    reply->Complete(status, payload);
  });
}

Status CreateXml(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  std::string xml = args.String(kStringMax);
  if (!args.ok()) return DecodeFailure();
  StartFromXml(ctx, xml, 0);
  return Status::Ok();
}

Status CreateXmlFlags(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  std::string xml = args.String(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  StartFromXml(ctx, xml, flags);
  return Status::Ok();
}

Status Create(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  NetworkRef net = DecodeNetwork(args);
  if (!args.ok()) return DecodeFailure();
  ctx.subject = NetworkSubject(net);
  ctx.driver.CreateAsync(net, [reply = ctx.Defer()](Status status) { reply->Complete(status); });
  return Status::Ok();
}

// Procedures whose only argument is the network.
template <Status (driver::NetworkDriver::*kMethod)(const NetworkRef&)>
Status OnNetwork(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  NetworkRef net = DecodeNetwork(args);
  if (!args.ok()) return DecodeFailure();
  ctx.subject = NetworkSubject(net);
  return (ctx.driver.*kMethod)(net);
}

template <Result<bool> (driver::NetworkDriver::*kMethod)(const NetworkRef&)>
Status GetBool(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  NetworkRef net = DecodeNetwork(args);
  if (!args.ok()) return DecodeFailure();
  return ReplyBool((ctx.driver.*kMethod)(net), ret);
}

Status GetXmlDesc(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  NetworkRef net = DecodeNetwork(args);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  return ReplyString(ctx.driver.GetXmlDesc(net, flags), ret);
}

Status GetBridgeName(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  NetworkRef net = DecodeNetwork(args);
  if (!args.ok()) return DecodeFailure();
  return ReplyString(ctx.driver.GetBridgeName(net), ret);
}

Status SetAutostart(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  NetworkRef net = DecodeNetwork(args);
  int32_t autostart = args.Int();
  if (!args.ok()) return DecodeFailure();
  ctx.subject = NetworkSubject(net) + (autostart != 0 ? " on" : " off");
  return ctx.driver.SetAutostart(net, autostart != 0);
}

Status Update(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  NetworkRef net = DecodeNetwork(args);
  uint32_t command = args.Uint();
  uint32_t section = args.Uint();
  int32_t parent_index = args.Int();
  std::string xml = args.String(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ctx.subject = NetworkSubject(net) + " (command " + std::to_string(command) + ", section " +
                std::to_string(section) + ", flags " + std::to_string(flags) + ")";
  // A live change may restart dnsmasq: answered when it is done.
  ctx.driver.UpdateAsync(net, command, section, parent_index, xml, flags,
                         [reply = ctx.Defer()](Status status) { reply->Complete(status); });
  return Status::Ok();
}

Status GetDhcpLeases(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  NetworkRef net = DecodeNetwork(args);
  std::optional<std::string> mac = args.OptString(kStringMax);
  int32_t need_results = args.Int();
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ASSIGN_OR_RETURN(std::vector<driver::NetworkDhcpLease> leases,
                   ctx.driver.GetDhcpLeases(net, mac, flags));
  if (leases.size() > kDhcpLeasesMax) {
    return InternalError("Number of leases is " + std::to_string(leases.size()) +
                         ", which exceeds max limit: " + std::to_string(kDhcpLeasesMax));
  }
  if (need_results) {
    ret.Uint(static_cast<uint32_t>(leases.size()));
    for (const driver::NetworkDhcpLease& lease : leases) EncodeLease(ret, lease);
  } else {
    ret.Uint(0);
  }
  ret.Uint(static_cast<uint32_t>(leases.size()));
  return Status::Ok();
}

// remote_network_set_metadata_args: network, int type, string* metadata,
// string* key, string* uri, unsigned flags; no return value.
Status SetMetadata(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  NetworkRef net = DecodeNetwork(args);
  int32_t type = args.Int();
  std::optional<std::string> metadata = args.OptString(kStringMax);
  std::optional<std::string> key = args.OptString(kStringMax);
  std::optional<std::string> uri = args.OptString(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ctx.subject = NetworkSubject(net) + " (metadata type " + std::to_string(type) + ", flags " +
                std::to_string(flags) + ")";
  return ctx.driver.SetMetadata(net, type, metadata, key, uri, flags);
}

// remote_network_get_metadata_args: network, int type, string* uri,
// unsigned flags; returns remote_nonnull_string metadata.
Status GetMetadata(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  NetworkRef net = DecodeNetwork(args);
  int32_t type = args.Int();
  std::optional<std::string> uri = args.OptString(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  return ReplyString(ctx.driver.GetMetadata(net, type, uri, flags), ret);
}

using driver::NetworkDriver;

constexpr Procedure kProcedures[] = {
    {proc::kConnectListNetworks, ListNetworks, OpenRule::kConnection, nullptr},
    {proc::kConnectListDefinedNetworks, ListDefinedNetworks, OpenRule::kConnection, nullptr},
    {proc::kConnectNumOfNetworks, NumOfNetworks, OpenRule::kConnection, nullptr},
    {proc::kConnectNumOfDefinedNetworks, NumOfDefinedNetworks, OpenRule::kConnection, nullptr},
    {proc::kConnectListAllNetworks, ListAllNetworks, OpenRule::kConnection, nullptr},
    {proc::kNetworkLookupByName, LookupByName, OpenRule::kConnection, nullptr},
    {proc::kNetworkLookupByUuid, LookupByUuid, OpenRule::kConnection, nullptr},
    {proc::kNetworkDefineXml, DefineXml, OpenRule::kConnection, "virNetworkDefineXML"},
    {proc::kNetworkDefineXmlFlags, DefineXmlFlags, OpenRule::kConnection,
     "virNetworkDefineXMLFlags"},
    {proc::kNetworkCreateXml, CreateXml, OpenRule::kConnection, "virNetworkCreateXML"},
    {proc::kNetworkCreateXmlFlags, CreateXmlFlags, OpenRule::kConnection,
     "virNetworkCreateXMLFlags"},
    {proc::kNetworkUndefine, OnNetwork<&NetworkDriver::Undefine>, OpenRule::kConnection,
     "virNetworkUndefine"},
    {proc::kNetworkCreate, Create, OpenRule::kConnection, "virNetworkCreate"},
    {proc::kNetworkDestroy, OnNetwork<&NetworkDriver::Destroy>, OpenRule::kConnection,
     "virNetworkDestroy"},
    {proc::kNetworkGetXmlDesc, GetXmlDesc, OpenRule::kConnection, nullptr},
    {proc::kNetworkGetBridgeName, GetBridgeName, OpenRule::kConnection, nullptr},
    {proc::kNetworkGetAutostart, GetBool<&NetworkDriver::GetAutostart>, OpenRule::kConnection,
     nullptr},
    {proc::kNetworkSetAutostart, SetAutostart, OpenRule::kConnection, "virNetworkSetAutostart"},
    {proc::kNetworkIsActive, GetBool<&NetworkDriver::IsActive>, OpenRule::kConnection, nullptr},
    {proc::kNetworkIsPersistent, GetBool<&NetworkDriver::IsPersistent>, OpenRule::kConnection,
     nullptr},
    {proc::kNetworkUpdate, Update, OpenRule::kConnection, "virNetworkUpdate"},
    {proc::kNetworkGetDhcpLeases, GetDhcpLeases, OpenRule::kConnection, nullptr},
    {proc::kNetworkSetMetadata, SetMetadata, OpenRule::kConnection, "virNetworkSetMetadata"},
    {proc::kNetworkGetMetadata, GetMetadata, OpenRule::kConnection, nullptr},
};

}  // namespace

std::span<const Procedure> NetworkProcedures() { return kProcedures; }

}  // namespace virtnat::rpc
