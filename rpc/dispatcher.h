#pragma once
// Pure dispatch: one complete frame from a client in, the frames to send back
// out, against the driver interface. No sockets, no clocks; the socket layer
// (server.h) feeds it and the tests call it directly.

#include <memory>
#include <span>
#include <vector>

#include "driver/network_driver.h"
#include "rpc/client_state.h"
#include "rpc/host_source.h"
#include "rpc/procedures.h"
#include "rpc/xdr.h"

namespace virtnat::rpc {

class Dispatcher {
 public:
  // `driver` and `host` must outlive the dispatcher.
  explicit Dispatcher(driver::NetworkDriver& driver, const HostSource& host = RealHost())
      : driver_(driver) {
    server_.host = &host;
  }

  // Handles one frame (length word included). Appends replies to `out`.
  // Returns false when the connection must be closed once `out` is sent
  // (after CONNECT_CLOSE, or for a frame that cannot be answered).
  // A call that completes later (a network start) leaves its reply in
  // `*pending` instead, unless it completed before this returned; the
  // caller sends that reply before answering the client's later calls.
  // Callers whose driver always completes at once may pass nullptr.
  bool HandleFrame(ClientState& client, std::span<const uint8_t> frame, std::vector<Bytes>& out,
                   std::shared_ptr<PendingReply>* pending = nullptr);

  // Appends one NETWORK_EVENT_LIFECYCLE message per lifecycle registration
  // of `client` that matches `net`.
  static void AppendLifecycleEvents(const ClientState& client, const driver::NetworkRef& net,
                                    driver::LifecycleEvent event, std::vector<Bytes>& out);
  // The same for NETWORK_EVENT_CALLBACK_METADATA_CHANGE (event ID 1).
  static void AppendMetadataChangeEvents(const ClientState& client, const driver::NetworkRef& net,
                                         int type, const std::optional<std::string>& uri,
                                         std::vector<Bytes>& out);

  static Bytes KeepalivePing();

 private:
  driver::NetworkDriver& driver_;
  ServerState server_;
};

}  // namespace virtnat::rpc
