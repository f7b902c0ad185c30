#include "rpc/dispatcher.h"

#include <glib.h>

#include <string>

#include "rpc/call_log.h"
#include "rpc/message.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "rpc/unsupported_procedures.h"

namespace virtnat::rpc {
namespace {

// Every state change a client asks for, at info level, with who asked:
// "virNetworkCreate network 'lab': done (client pid 4242 (virsh), uid 0)".
void LogChange(const char* api, const std::string& subject, const std::string& peer,
               const Status& outcome) {
  std::string what = subject.empty() ? api : std::string(api) + " " + subject;
  std::string who = peer.empty() ? "" : " (client " + peer + ")";
  if (outcome.ok()) {
    g_info("%s: done%s", what.c_str(), who.c_str());
  } else {
    g_info("%s: failed%s: %s", what.c_str(), who.c_str(), outcome.message().c_str());
  }
}

Bytes ErrorReply(const Header& header, const Error& error) { return ReplyFrame(header, error, {}); }

// The checks a call passes before it runs, whether it is served or not.
struct Route {
  OpenRule open_rule;
  const char* write_api;  // nullptr: allowed read-only
  int write_domain;
};

Route RouteOf(const Procedure& p) { return {p.open_rule, p.write_api, VIR_FROM_NETWORK}; }

// libvirtd gets the connection of a domain or host call with "hypervisor
// connection not open" before CONNECT_OPEN, and that of a secondary driver
// (storage, interface, ...) with "connection not open"; SASL and polkit
// steps come before the open.
Route RouteOf(const UnsupportedProcedure& p) {
  OpenRule rule = OpenRule::kHypervisorConn;
  if (p.api == nullptr) {
    rule = OpenRule::kAlways;
  } else if (p.domain == VIR_FROM_INTERFACE || p.domain == VIR_FROM_NETWORK ||
             p.domain == VIR_FROM_NODEDEV || p.domain == VIR_FROM_NWFILTER ||
             p.domain == VIR_FROM_SECRET || p.domain == VIR_FROM_STORAGE) {
    rule = OpenRule::kConnection;
  }
  return {rule, p.write ? p.api : nullptr, p.domain};
}

Bytes KeepaliveMessage(int32_t proc) {
  Header h;
  h.prog = kKeepaliveProgram;
  h.proc = proc;
  h.type = MessageType::kMessage;
  return EncodeFrame(h, {});
}

}  // namespace

Error RpcError(std::string text) { return Error{VIR_ERR_RPC, VIR_FROM_RPC, std::move(text)}; }

Error DecodeFailure() { return RpcError("Unable to decode message payload"); }

const Procedure* FindProcedure(int32_t number) {
  for (auto table : {ConnectProcedures(), HostProcedures(), NetworkProcedures(), PortProcedures(),
                     EventProcedures()}) {
    for (const Procedure& p : table) {
      if (p.number == number) return &p;
    }
  }
  return nullptr;
}

Bytes Dispatcher::KeepalivePing() { return KeepaliveMessage(keepalive::kPing); }

bool Dispatcher::HandleFrame(ClientState& client, std::span<const uint8_t> frame,
                             std::vector<Bytes>& out, std::shared_ptr<PendingReply>* pending) {
  Result<DecodedFrame> decoded = DecodeFrame(frame);
  if (!decoded.ok()) return false;
  const Header& h = decoded->header;

  if (h.prog == kKeepaliveProgram && h.vers == kProtocolVersion) {
    // Answered even before CONNECT_OPEN, as libvirtd does; PONGs and
    // anything else only prove the peer is alive.
    if (h.type == MessageType::kMessage && h.proc == keepalive::kPing) {
      out.push_back(KeepaliveMessage(keepalive::kPong));
    }
    return true;
  }
  if (h.type == MessageType::kStream) return true;  // no streams exist: dropped
  if (h.prog != kRemoteProgram || h.vers != kProtocolVersion) {
    out.push_back(ErrorReply(h, RpcError("Cannot find program " + std::to_string(h.prog) +
                                         " version " + std::to_string(h.vers))));
    return true;
  }
  if (h.type != MessageType::kCall) {
    out.push_back(ErrorReply(
        h, RpcError("Unexpected message type " + std::to_string(static_cast<int>(h.type)))));
    return true;
  }
  if (h.status != MessageStatus::kOk) {
    out.push_back(ErrorReply(
        h, RpcError("Unexpected message status " + std::to_string(static_cast<int>(h.status)))));
    return true;
  }

  const Procedure* procedure = FindProcedure(h.proc);
  const UnsupportedProcedure* unsupported =
      procedure == nullptr ? FindUnsupportedProcedure(h.proc) : nullptr;
  if (procedure == nullptr && unsupported == nullptr) {
    // The exact shape clients turn into VIR_ERR_NO_SUPPORT (libvirt-rpc.md §6).
    out.push_back(ErrorReply(h, RpcError("unknown procedure: " + std::to_string(h.proc))));
    return true;
  }
  const Route route = procedure != nullptr ? RouteOf(*procedure) : RouteOf(*unsupported);
  if (!client.denied.empty() && h.proc != proc::kAuthList && h.proc != proc::kConnectClose) {
    out.push_back(ErrorReply(
        h, Error{VIR_ERR_ACCESS_DENIED, VIR_FROM_RPC, "access denied: " + client.denied}));
    return true;
  }
  if (!client.open && route.open_rule != OpenRule::kAlways) {
    const char* what = route.open_rule == OpenRule::kHypervisorConn
                           ? "hypervisor connection not open"
                           : "connection not open";
    out.push_back(ErrorReply(h, InternalError(what, VIR_FROM_RPC)));
    return true;
  }
  if (client.readonly && route.write_api != nullptr) {
    out.push_back(
        ErrorReply(h, MakeError(VIR_ERR_OPERATION_DENIED, route.write_domain,
                                std::string("read only access prevents ") + route.write_api)));
    return true;
  }
  if (unsupported != nullptr) {
    if (CallLogging()) {
      g_debug("%s: not served", CallLine(client.peer, h.proc, decoded->payload, "").c_str());
    }
    out.push_back(ErrorReply(h, UnsupportedError(*unsupported)));
    return true;
  }

  CallContext ctx{driver_, client, server_, h, nullptr, {}};
  XdrDecoder args(decoded->payload);
  Bytes payload;
  XdrEncoder ret(payload);
  Status status = procedure->handler(ctx, args, ret);
  if (CallLogging()) {
    g_debug("%s", CallLine(client.peer, h.proc, decoded->payload, ctx.subject).c_str());
  }
  if (procedure->write_api != nullptr) {
    auto report = [api = procedure->write_api, peer = client.peer](const Status& outcome,
                                                                   const std::string& subject) {
      LogChange(api, subject, peer, outcome);
    };
    if (status.ok() && ctx.deferred) {
      ctx.deferred->SetObserver(std::move(report));
    } else {
      report(status, ctx.subject);
    }
  }
  if (!status.ok()) {
    out.push_back(ErrorReply(h, status.error()));
    return true;
  }
  if (ctx.deferred) {
    if (std::optional<Bytes> frame = ctx.deferred->TakeFrame()) {
      out.push_back(std::move(*frame));
    } else if (pending != nullptr) {
      *pending = std::move(ctx.deferred);
    } else {
      ctx.deferred->Abandon();
    }
    return !client.closing;
  }
  out.push_back(ReplyFrame(h, Status::Ok(), payload));
  return !client.closing;
}

namespace {

// One event MESSAGE (serial 1, as libvirtd sends every event) per
// registration of `client` for `event_id` that matches `net`; `body` encodes
// what follows the callbackID and the network.
template <typename Body>
void AppendEvents(const ClientState& client, int event_id, int32_t proc,
                  const driver::NetworkRef& net, std::vector<Bytes>& out, Body body) {
  for (const auto& [id, reg] : client.callbacks) {
    if (reg.event_id != event_id || (reg.network && *reg.network != net.uuid)) continue;
    Header h;
    h.proc = proc;
    h.type = MessageType::kMessage;
    h.serial = 1;
    Bytes payload;
    XdrEncoder enc(payload);
    enc.Int(id);
    EncodeNetwork(enc, net);
    body(enc);
    out.push_back(EncodeFrame(h, payload));
  }
}

}  // namespace

void Dispatcher::AppendLifecycleEvents(const ClientState& client, const driver::NetworkRef& net,
                                       driver::LifecycleEvent event, std::vector<Bytes>& out) {
  AppendEvents(client, 0, proc::kNetworkEventLifecycle, net, out, [event](XdrEncoder& enc) {
    enc.Int(static_cast<int>(event));
    enc.Int(0);  // detail: always 0 for network events
  });
}

void Dispatcher::AppendMetadataChangeEvents(const ClientState& client,
                                            const driver::NetworkRef& net, int type,
                                            const std::optional<std::string>& uri,
                                            std::vector<Bytes>& out) {
  AppendEvents(client, 1, proc::kNetworkEventCallbackMetadataChange, net, out,
               [type, &uri](XdrEncoder& enc) {
                 enc.Int(type);
                 enc.OptString(uri);  // nsuri
               });
}

}  // namespace virtnat::rpc
