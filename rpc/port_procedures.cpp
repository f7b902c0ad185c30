// Network port procedures (virNetworkPort*), used by hypervisor daemons to
// plug guest interfaces into a network (libvirt-rpc.md §12, §16).

#include <string>

#include "rpc/procedures.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "xml/network_def.h"

namespace virtnat::rpc {

std::string PortSubject(const driver::PortRef& port) {
  return "port " + xml::FormatUuid(port.uuid) + " of " + NetworkSubject(port.network);
}

namespace {

Status ReplyPort(const Result<driver::PortRef>& port, XdrEncoder& ret) {
  if (!port.ok()) return port.status();
  EncodePort(ret, *port);
  return Status::Ok();
}

Status ListAllPorts(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  driver::NetworkRef net = DecodeNetwork(args);
  int32_t need_results = args.Int();
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ASSIGN_OR_RETURN(std::vector<driver::PortRef> ports, ctx.driver.ListAllPorts(net, flags));
  if (ports.size() > kPortListMax) {
    return InternalError("Too many network ports '" + std::to_string(ports.size()) +
                         "' for limit '" + std::to_string(kPortListMax) + "'");
  }
  if (need_results) {
    ret.Uint(static_cast<uint32_t>(ports.size()));
    for (const driver::PortRef& port : ports) EncodePort(ret, port);
  } else {
    ret.Uint(0);
  }
  ret.Uint(static_cast<uint32_t>(ports.size()));
  return Status::Ok();
}

Status LookupByUuid(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  driver::NetworkRef net = DecodeNetwork(args);
  driver::Uuid uuid{};
  args.FixedOpaque(uuid);
  if (!args.ok()) return DecodeFailure();
  return ReplyPort(ctx.driver.PortLookupByUuid(net, uuid), ret);
}

Status CreateXml(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  driver::NetworkRef net = DecodeNetwork(args);
  std::string xml = args.String(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ctx.subject = NetworkSubject(net);
  // Answered once the network's port-created hook has run.
  ctx.driver.PortCreateXmlAsync(net, xml, flags,
                                [reply = ctx.Defer()](Result<driver::PortRef> port) {
                                  if (port.ok()) {
                                    reply->subject = PortSubject(*port);
                                  }
                                  Bytes payload;
                                  XdrEncoder out(payload);
                                  Status status = ReplyPort(port, out);
                                  reply->Complete(status, payload);
                                });
  return Status::Ok();
}

Status GetParameters(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  driver::PortRef port = DecodePort(args);
  args.Int();  // nparams: clients leave it uninitialised (captured), so it is ignored
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ASSIGN_OR_RETURN(std::vector<driver::TypedParam> params,
                   ctx.driver.PortGetParameters(port, flags));
  if (params.size() > kPortParametersMax) {
    return InternalError("returned number of parameters exceeds limit");
  }
  ret.Uint(static_cast<uint32_t>(params.size()));
  for (const driver::TypedParam& p : params) EncodeTypedParam(ret, p);
  ret.Int(0);  // libvirtd always answers nparams 0; clients use the array length
  return Status::Ok();
}

Status SetParameters(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  driver::PortRef port = DecodePort(args);
  uint32_t n = args.ArrayCount(kPortParametersMax);
  std::vector<driver::TypedParam> params;
  for (uint32_t i = 0; i < n && args.ok(); ++i) params.push_back(DecodeTypedParam(args));
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  return ctx.driver.PortSetParameters(port, params, flags);
}

Status GetXmlDesc(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  driver::PortRef port = DecodePort(args);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ASSIGN_OR_RETURN(std::string xml, ctx.driver.PortGetXmlDesc(port, flags));
  ret.String(xml);
  return Status::Ok();
}

Status Delete(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  driver::PortRef port = DecodePort(args);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  ctx.subject = PortSubject(port);
  return ctx.driver.PortDelete(port, flags);
}

constexpr Procedure kProcedures[] = {
    {proc::kNetworkListAllPorts, ListAllPorts, OpenRule::kConnection, nullptr},
    {proc::kNetworkPortLookupByUuid, LookupByUuid, OpenRule::kConnection, nullptr},
    {proc::kNetworkPortCreateXml, CreateXml, OpenRule::kConnection, "virNetworkPortCreateXML"},
    {proc::kNetworkPortGetParameters, GetParameters, OpenRule::kConnection, nullptr},
    {proc::kNetworkPortSetParameters, SetParameters, OpenRule::kConnection,
     "virNetworkPortSetParameters"},
    {proc::kNetworkPortGetXmlDesc, GetXmlDesc, OpenRule::kConnection, nullptr},
    {proc::kNetworkPortDelete, Delete, OpenRule::kConnection, "virNetworkPortDelete"},
};

}  // namespace

std::span<const Procedure> PortProcedures() { return kProcedures; }

}  // namespace virtnat::rpc
