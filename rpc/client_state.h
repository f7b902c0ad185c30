#pragma once
// What the server remembers about one client connection. Pure data: the
// dispatcher reads and updates it, the socket layer owns it.

#include <map>
#include <optional>
#include <string>

#include "driver/network_driver.h"

namespace virtnat::rpc {

struct EventRegistration {
  int event_id = 0;
  std::optional<driver::Uuid> network;  // nullopt: every network
};

struct ClientState {
  bool readonly_socket = false;                // came in on the read-only socket
  bool open = false;                           // CONNECT_OPEN succeeded
  bool readonly = false;                       // read-only socket or VIR_CONNECT_RO
  bool keepalive = false;                      // asked PROGRAM_KEEPALIVE: we may send PINGs
  bool closing = false;                        // CONNECT_CLOSE answered: close after flushing
  std::map<int, EventRegistration> callbacks;  // by server-chosen callbackID
  // Non-empty when the peer may not use this socket (credentials): every
  // call but AUTH_LIST and CONNECT_CLOSE is refused with this reason, so the
  // client reports it instead of a reset connection.
  std::string denied;
  // Who is connected, for the log of the state changes it asks for:
  // "pid 4242 (virsh), uid 0".
  std::string peer;
};

}  // namespace virtnat::rpc
