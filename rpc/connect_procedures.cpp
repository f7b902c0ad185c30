// Connection-level procedures: what clients send in the handshake and the
// connection getters, answered as libvirtd answers them on a
// network:///system connection (libvirt-rpc.md §7, §11). What the host is
// (capabilities, node info, hostname, the empty domain lists) is in
// host_procedures.cpp.

#include <libvirt/libvirt.h>

#include <string>

#include "rpc/procedures.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"

namespace virtnat::rpc {
namespace {

// libvirt's version as virConnectGetLibVersion reports it (9.0.0), the level
// of protocol this daemon implements.
constexpr uint64_t kLibVersion = 9000000;
constexpr char kUri[] = "network:///system";

Error NotSupported(const char* api) { return MakeError(VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN, api); }

Status AuthList(CallContext&, XdrDecoder&, XdrEncoder& ret) {
  ret.Uint(1);
  ret.Int(0);  // REMOTE_AUTH_NONE: socket permissions are the gate
  return Status::Ok();
}

// "network:///system" possibly with query parameters the client passed on.
Status CheckUri(const std::optional<std::string>& name) {
  if (!name || name->empty()) return Status::Ok();
  std::string uri = name->substr(0, name->find('?'));
  constexpr std::string_view kScheme = "network://";
  if (uri.compare(0, kScheme.size(), kScheme) != 0) {
    return MakeError(VIR_ERR_NO_CONNECT, VIR_FROM_NONE,
                     "no connection driver available for " + *name);
  }
  std::string rest = uri.substr(kScheme.size());
  std::string path = rest.substr(std::min(rest.find('/'), rest.size()));
  if (path != "/system" && path != "/session") {
    return InternalError("unexpected network URI path '" + path + "', try network:///system",
                         VIR_FROM_NONE);
  }
  return Status::Ok();
}

Status ConnectOpen(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  std::optional<std::string> name = args.OptString(kStringMax);
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  if (ctx.client.open) return InternalError("connection already open", VIR_FROM_RPC);
  RETURN_IF_ERROR(CheckUri(name));
  ctx.client.open = true;
  // Only VIR_CONNECT_RO matters; libvirtd ignores the transport's other bits.
  ctx.client.readonly = ctx.client.readonly_socket || (flags & VIR_CONNECT_RO);
  return Status::Ok();
}

Status ConnectClose(CallContext& ctx, XdrDecoder&, XdrEncoder&) {
  ctx.client.closing = true;
  return Status::Ok();
}

Status GetType(CallContext&, XdrDecoder&, XdrEncoder& ret) {
  ret.String("network");
  return Status::Ok();
}

Status GetVersion(CallContext&, XdrDecoder&, XdrEncoder&) {
  return NotSupported("virConnectGetVersion");
}

Status SupportsFeature(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  int32_t f = args.Int();
  if (!args.ok()) return DecodeFailure();
  if (!ctx.client.open && f != feature::kProgramKeepalive) {
    return InternalError("hypervisor connection not open", VIR_FROM_RPC);
  }
  bool supported = false;
  switch (f) {
    case feature::kProgramKeepalive:
      ctx.client.keepalive = true;
      supported = true;
      break;
    case feature::kFdPassing:
    case feature::kTypedParamString:
    case feature::kRemoteEventCallback:
    case feature::kRemoteCloseCallback:
    case feature::kNetworkUpdateHasCorrectOrder:
      supported = true;
      break;
    default:
      break;
  }
  ret.Bool(supported);
  return Status::Ok();
}

Status GetUri(CallContext&, XdrDecoder&, XdrEncoder& ret) {
  ret.String(kUri);
  return Status::Ok();
}

Status IsSecure(CallContext&, XdrDecoder&, XdrEncoder& ret) {
  // A UNIX socket is local and therefore secure (libvirtd answers 1).
  ret.Int(1);
  return Status::Ok();
}

Status GetLibVersion(CallContext&, XdrDecoder&, XdrEncoder& ret) {
  ret.Uhyper(kLibVersion);
  return Status::Ok();
}

// The close callback only matters when the hypervisor connection behind the
// daemon dies; a network daemon has none, so these are accepted no-ops.
Status CloseCallback(CallContext&, XdrDecoder&, XdrEncoder&) { return Status::Ok(); }

Status SetIdentity(CallContext&, XdrDecoder& args, XdrEncoder&) {
  uint32_t n = args.ArrayCount(kIdentityParamsMax);
  for (uint32_t i = 0; i < n && args.ok(); ++i) DecodeTypedParam(args);
  args.Uint();  // flags
  if (!args.ok()) return DecodeFailure();
  return Status::Ok();
}

constexpr Procedure kProcedures[] = {
    {proc::kAuthList, AuthList, OpenRule::kAlways, nullptr},
    {proc::kConnectOpen, ConnectOpen, OpenRule::kAlways, nullptr},
    {proc::kConnectClose, ConnectClose, OpenRule::kAlways, nullptr},
    {proc::kConnectSupportsFeature, SupportsFeature, OpenRule::kAlways, nullptr},
    {proc::kConnectGetType, GetType, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectGetVersion, GetVersion, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectGetUri, GetUri, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectIsSecure, IsSecure, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectGetLibVersion, GetLibVersion, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectRegisterCloseCallback, CloseCallback, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectUnregisterCloseCallback, CloseCallback, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectSetIdentity, SetIdentity, OpenRule::kHypervisorConn, nullptr},
};

}  // namespace

std::span<const Procedure> ConnectProcedures() { return kProcedures; }

}  // namespace virtnat::rpc
