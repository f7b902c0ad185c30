#pragma once
// Socket I/O for the RPC protocol on a GLib main context: listening sockets,
// per-client non-blocking reads and writes, keepalive, event fan-out. All
// protocol decisions are the Dispatcher's; this layer only moves frames.
//
// Protection against hostile or broken clients: a bounded frame size (a bad
// length word closes the connection), a bounded number of clients, a cap on
// bytes queued for a client (past it the client is no longer read; past
// twice it the client is dropped), and bounded work per wakeup so one busy
// client cannot starve the others.
//
// Calls that complete later (network starts) do not hold up the loop: the
// client that made one is not read until its reply is queued, so its
// replies keep the order of its calls, while every other client is served.

#include <glib.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>

#include "common/glib_handle.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "driver/network_driver.h"
#include "driver/os/heap_trim.h"
#include "rpc/dispatcher.h"
#include "rpc/protocol.h"

namespace virtnat::rpc {

struct ServerLimits {
  size_t max_clients = 512;
  // Largest call accepted. libvirt allows 32 MiB frames, but no network
  // call carries more than one string of at most REMOTE_STRING_MAX (4 MiB),
  // so 8 MiB bounds the memory a client can make us buffer without
  // refusing any call libvirt would accept.
  uint32_t max_frame = 8 * 1024 * 1024;
  size_t max_queued_bytes = 8 * 1024 * 1024;
  unsigned keepalive_interval_s = 5;  // libvirtd's keepalive_interval
  unsigned keepalive_count = 5;       // libvirtd's keepalive_count
};

// Decides whether a peer may use a socket (SO_PEERCRED of the peer).
using PeerPolicy = std::function<bool(const ucred& peer, bool readonly)>;

class Server {
 public:
  // `driver` must outlive the server; `context` is the loop it runs on
  // (nullptr: the default context).
  Server(driver::NetworkDriver& driver, GMainContext* context, ServerLimits limits = {},
         PeerPolicy policy = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // A listening socket; its clients are read-only if `readonly`.
  Status AddListener(UniqueFd fd, bool readonly);
  // A connected socket (tests use one end of a socketpair).
  Status AddClient(UniqueFd fd, bool readonly);

  size_t client_count() const;

  // libvirt's --timeout: `on_idle` runs once no client has been connected
  // and no network active for `seconds` (checked every second).
  void SetIdleExit(unsigned seconds, std::function<void()> on_idle);

 private:
  struct Client;
  struct Listener;

  void Accept(Listener& listener);
  void AcceptOne(Listener& listener, UniqueFd fd);
  void OnClientIo(Client& client, GIOCondition condition);
  void ReadFrom(Client& client);
  void HandleFrames(Client& client);
  void OnReplyReady(Client& client, Bytes reply);
  void WriteTo(Client& client);
  void Queue(Client& client, Bytes frame);
  void UpdateWatch(Client& client);
  void Drop(Client& client);
  void OnKeepaliveTick();
  void CheckIdle(gint64 now);
  void OnLifecycleEvent(const driver::NetworkRef& net, driver::LifecycleEvent event);
  void OnMetadataChange(const driver::NetworkRef& net, int type,
                        const std::optional<std::string>& uri);
  // Queues `frames` built by `append` for each client with registrations.
  template <typename Append>
  void FanOut(Append append);

  driver::NetworkDriver& driver_;
  GMainContext* context_;
  ServerLimits limits_;
  PeerPolicy policy_;
  Dispatcher dispatcher_;
  std::list<std::unique_ptr<Listener>> listeners_;
  std::list<std::unique_ptr<Client>> clients_;
  GSourcePtr keepalive_timer_;
  // Every call and every late reply re-arms it: the heap a burst of calls
  // freed goes back to the kernel once the clients are quiet.
  driver::HeapTrimmer heap_trim_;
  int subscription_ = 0;
  int metadata_subscription_ = 0;
  gint64 idle_limit_us_ = 0;  // 0: never exit when idle
  gint64 busy_at_us_ = 0;
  std::function<void()> on_idle_;
};

}  // namespace virtnat::rpc
