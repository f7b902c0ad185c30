#pragma once
// The remote program's procedure table. Each handler decodes its arguments,
// calls the driver and encodes its return value; the dispatcher does the
// checks common to all (connection open, read-only, decode failure) and the
// framing.

#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "driver/network_driver.h"
#include "rpc/client_state.h"
#include "rpc/pending_reply.h"
#include "rpc/xdr.h"

namespace virtnat::rpc {

struct HostSource;

// Daemon-wide state shared by all connections.
struct ServerState {
  int next_callback_id = 1;          // libvirtd numbers event callbacks daemon-wide
  const HostSource* host = nullptr;  // what the host calls report; never null in a call
};

struct CallContext {
  driver::NetworkDriver& driver;
  ClientState& client;
  ServerState& server;
  const Header& call;
  std::shared_ptr<PendingReply> deferred;  // set by Defer()
  // What a state-changing call acts on, set by its handler for the log
  // ("network 'lab'"); the dispatcher logs the change with the client.
  std::string subject;

  // For a handler whose driver call completes later: it returns OK without
  // touching `ret`, and the reply is what this is completed with.
  std::shared_ptr<PendingReply> Defer() {
    deferred = std::make_shared<PendingReply>(call);
    deferred->subject = subject;
    return deferred;
  }
};

// Returns the procedure's error, or OK with the return value in `ret`.
// A handler returns DecodeFailure() when `args` did not decode.
using Handler = Status (*)(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret);

enum class OpenRule {
  kAlways,          // allowed before CONNECT_OPEN (auth, open, close)
  kHypervisorConn,  // before open: "hypervisor connection not open"
  kConnection,      // before open: "connection not open"
};

struct Procedure {
  int32_t number;
  Handler handler;
  OpenRule open_rule;
  // The public API name for "read only access prevents <API>"; nullptr when
  // the procedure is allowed on a read-only connection.
  const char* write_api;
};

std::span<const Procedure> ConnectProcedures();
std::span<const Procedure> HostProcedures();
std::span<const Procedure> NetworkProcedures();
std::span<const Procedure> PortProcedures();
std::span<const Procedure> EventProcedures();

// nullptr for an unknown procedure number.
const Procedure* FindProcedure(int32_t number);

inline std::string NetworkSubject(const driver::NetworkRef& net) {
  return "network '" + net.name + "'";
}

// "port 6a1c...-... of network 'lab'".
std::string PortSubject(const driver::PortRef& port);

// VIR_ERR_RPC in domain RPC, message without prefix, as libvirtd sends them.
Error RpcError(std::string text);
Error DecodeFailure();

}  // namespace virtnat::rpc
