// Network event (de)registration (libvirt-rpc.md §13). The registrations
// live in ClientState; the server fans driver events out with
// Dispatcher::AppendLifecycleEvents (dispatcher.h).

#include <string>

#include "rpc/procedures.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"

namespace virtnat::rpc {
namespace {

// VIR_NETWORK_EVENT_ID_LIFECYCLE, VIR_NETWORK_EVENT_ID_METADATA_CHANGE (9.8+).
constexpr int kEventIdLifecycle = 0;
constexpr int kEventIdMetadataChange = 1;
// More registrations than any client needs (one per event ID and filter).
constexpr size_t kMaxCallbacksPerClient = 1024;

Status Register(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  int32_t event_id = args.Int();
  std::optional<driver::NetworkRef> net = DecodeOptNetwork(args);
  if (!args.ok()) return DecodeFailure();
  if (event_id != kEventIdLifecycle && event_id != kEventIdMetadataChange) {
    return InternalError("unsupported network event ID " + std::to_string(event_id), VIR_FROM_RPC);
  }
  std::optional<driver::Uuid> filter;
  if (net) filter = net->uuid;
  for (const auto& [id, reg] : ctx.client.callbacks) {
    if (reg.event_id == event_id && reg.network == filter) {
      return Error{VIR_ERR_INVALID_ARG, VIR_FROM_NONE,
                   "invalid argument: event callback already tracked"};
    }
  }
  if (ctx.client.callbacks.size() >= kMaxCallbacksPerClient) {
    return Error{VIR_ERR_INVALID_ARG, VIR_FROM_NONE, "invalid argument: too many event callbacks"};
  }
  int id = ctx.server.next_callback_id++;
  ctx.client.callbacks[id] = EventRegistration{event_id, filter};
  ret.Int(id);
  return Status::Ok();
}

Status Deregister(CallContext& ctx, XdrDecoder& args, XdrEncoder&) {
  int32_t id = args.Int();
  if (!args.ok()) return DecodeFailure();
  if (ctx.client.callbacks.erase(id) == 0) {
    return InternalError("network event callback " + std::to_string(id) + " not registered",
                         VIR_FROM_RPC);
  }
  return Status::Ok();
}

constexpr Procedure kProcedures[] = {
    {proc::kConnectNetworkEventRegisterAny, Register, OpenRule::kConnection, nullptr},
    {proc::kConnectNetworkEventDeregisterAny, Deregister, OpenRule::kConnection, nullptr},
};

}  // namespace

std::span<const Procedure> EventProcedures() { return kProcedures; }

}  // namespace virtnat::rpc
