#include "rpc/server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>

#include "driver/os/process_identity.h"
#include "rpc/message.h"

namespace virtnat::rpc {
namespace {

// "pid 4242 (virsh), uid 0" for the log of the changes a client asks for.
std::string DescribePeer(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return "";
  std::string text = "pid " + std::to_string(cred.pid);
  Result<std::vector<std::string>> cmdline = driver::ReadProcessCmdline(cred.pid);
  if (cmdline.ok() && !cmdline->empty()) {
    const std::string& argv0 = cmdline->front();
    text += " (" + argv0.substr(argv0.rfind('/') + 1) + ")";
  }
  return text + ", uid " + std::to_string(cred.uid);
}

// Bytes read per wakeup: the frames completed by one read are handled at
// once, so the work per wakeup is bounded and a client streaming calls
// cannot starve the others.
constexpr size_t kReadChunk = 65536;

Status SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return SystemErrorFromErrno(errno, "cannot make socket non-blocking");
  }
  return Status::Ok();
}

}  // namespace

struct Server::Listener {
  Server* server;
  UniqueFd fd;
  bool readonly;
  GSourcePtr source;
};

struct Server::Client {
  Server* server;
  UniqueFd fd;
  ClientState state;
  FrameReader reader;
  std::deque<Bytes> out;
  size_t out_offset = 0;  // bytes of out.front() already written
  size_t queued = 0;      // bytes in `out` not yet written
  GSourcePtr source;
  GIOCondition watched = GIOCondition(0);
  bool dead = false;
  bool close_after_flush = false;
  gint64 last_rx = 0;  // monotonic microseconds
  unsigned pings = 0;  // unanswered keepalive PINGs
  // A call whose reply comes later. Until it does the client is not read,
  // so its replies stay in the order of its calls.
  std::shared_ptr<PendingReply> pending;
};

Server::Server(driver::NetworkDriver& driver, GMainContext* context, ServerLimits limits,
               PeerPolicy policy)
    : driver_(driver),
      context_(context),
      limits_(limits),
      policy_(std::move(policy)),
      dispatcher_(driver),
      heap_trim_(context) {
  subscription_ = driver_.SubscribeLifecycle(
      [this](const driver::NetworkRef& net, driver::LifecycleEvent event) {
        OnLifecycleEvent(net, event);
      });
  metadata_subscription_ = driver_.SubscribeMetadataChange(
      [this](const driver::NetworkRef& net, int type, const std::optional<std::string>& uri) {
        OnMetadataChange(net, type, uri);
      });
  keepalive_timer_.reset(g_timeout_source_new_seconds(1));
  g_source_set_callback(
      keepalive_timer_.get(),
      [](gpointer data) -> gboolean {
        static_cast<Server*>(data)->OnKeepaliveTick();
        return G_SOURCE_CONTINUE;
      },
      this, nullptr);
  g_source_attach(keepalive_timer_.get(), context_);
}

Server::~Server() {
  driver_.UnsubscribeLifecycle(subscription_);
  driver_.UnsubscribeMetadataChange(metadata_subscription_);
  keepalive_timer_.reset();
  for (auto& l : listeners_) l->source.reset();
  for (auto& c : clients_) {
    if (c->pending) c->pending->Abandon();
    c->source.reset();
  }
}

size_t Server::client_count() const {
  size_t n = 0;
  for (const auto& c : clients_) n += c->dead ? 0 : 1;
  return n;
}

Status Server::AddListener(UniqueFd fd, bool readonly) {
  RETURN_IF_ERROR(SetNonBlocking(fd.get()));
  auto listener = std::make_unique<Listener>();
  listener->server = this;
  listener->readonly = readonly;
  listener->source.reset(g_unix_fd_source_new(fd.get(), G_IO_IN));
  listener->fd = std::move(fd);
  g_source_set_callback(listener->source.get(),
                        G_SOURCE_FUNC(+[](gint, GIOCondition, gpointer data) -> gboolean {
                          auto* l = static_cast<Listener*>(data);
                          l->server->Accept(*l);
                          return G_SOURCE_CONTINUE;
                        }),
                        listener.get(), nullptr);
  g_source_attach(listener->source.get(), context_);
  listeners_.push_back(std::move(listener));
  return Status::Ok();
}

void Server::Accept(Listener& listener) {
  // Drain the backlog (bounded), so bursts of connections are not refused
  // by a full listen queue.
  for (int i = 0; i < 64; ++i) {
    int fd = accept4(listener.fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    AcceptOne(listener, UniqueFd(fd));
  }
}

void Server::AcceptOne(Listener& listener, UniqueFd client_fd) {
  int fd = client_fd.get();
  if (client_count() >= limits_.max_clients) {
    g_warning("refusing client: %zu clients connected", client_count());
    return;
  }
  std::string denied;
  if (policy_) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
        !policy_(cred, listener.readonly)) {
      g_message("refusing client pid %d uid %u on the %s socket", cred.pid, cred.uid,
                listener.readonly ? "read-only" : "read-write");
      denied = "peer uid " + std::to_string(cred.uid) + " may not use the " +
               (listener.readonly ? "read-only" : "read-write") + " socket";
    }
  }
  if (!AddClient(std::move(client_fd), listener.readonly).ok()) return;
  clients_.back()->state.denied = std::move(denied);
  clients_.back()->state.peer = DescribePeer(fd);
}

Status Server::AddClient(UniqueFd fd, bool readonly) {
  RETURN_IF_ERROR(SetNonBlocking(fd.get()));
  auto client = std::make_unique<Client>();
  client->server = this;
  client->fd = std::move(fd);
  client->state.readonly_socket = readonly;
  client->reader = FrameReader(limits_.max_frame);
  client->last_rx = g_get_monotonic_time();
  Client& ref = *client;
  clients_.push_back(std::move(client));
  UpdateWatch(ref);
  return Status::Ok();
}

void Server::UpdateWatch(Client& client) {
  if (client.dead) return;
  int cond = 0;
  // Stop reading from a client that does not read its replies: its own
  // calls wait, nobody else is affected.
  if (!client.close_after_flush && !client.pending && client.queued < limits_.max_queued_bytes) {
    cond |= G_IO_IN;
  }
  if (!client.out.empty()) cond |= G_IO_OUT;
  if (client.source && client.watched == cond) return;
  client.source.reset();
  client.watched = GIOCondition(cond);
  client.source.reset(g_unix_fd_source_new(client.fd.get(), client.watched));
  g_source_set_callback(
      client.source.get(),
      G_SOURCE_FUNC(+[](gint, GIOCondition condition, gpointer data) -> gboolean {
        auto* c = static_cast<Client*>(data);
        Server* server = c->server;
        server->OnClientIo(*c, condition);
        // Reap dead clients after the callback is done with them.
        server->clients_.remove_if([](const std::unique_ptr<Client>& x) { return x->dead; });
        return G_SOURCE_CONTINUE;
      }),
      &client, nullptr);
  g_source_attach(client.source.get(), context_);
}

void Server::Drop(Client& client) {
  if (client.dead) return;
  client.dead = true;
  client.source.reset();
  client.fd.reset();
  client.state.callbacks.clear();
  // Its call still finishes; nobody waits for the reply.
  if (client.pending) client.pending->Abandon();
  client.pending.reset();
}

void Server::OnClientIo(Client& client, GIOCondition condition) {
  if (condition & (G_IO_OUT)) WriteTo(client);
  if (!client.dead && (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))) ReadFrom(client);
  // Calls that arrived while an earlier one was pending.
  if (!client.dead) HandleFrames(client);
  if (!client.dead && client.close_after_flush && client.out.empty()) Drop(client);
  if (!client.dead) UpdateWatch(client);
}

void Server::ReadFrom(Client& client) {
  uint8_t buf[kReadChunk];
  ssize_t n = recv(client.fd.get(), buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    Drop(client);  // EOF or error: registrations go with the client
    return;
  }
  client.last_rx = g_get_monotonic_time();
  client.pings = 0;
  if (!client.reader.Append({buf, static_cast<size_t>(n)}).ok()) {
    g_message("dropping client: %s", client.reader.status().message().c_str());
    Drop(client);
  }
}

void Server::HandleFrames(Client& client) {
  while (!client.close_after_flush && !client.pending) {
    std::optional<Bytes> frame = client.reader.Next();
    if (!frame) break;
    std::vector<Bytes> replies;
    heap_trim_.Touch();
    bool keep = dispatcher_.HandleFrame(client.state, *frame, replies, &client.pending);
    for (Bytes& r : replies) Queue(client, std::move(r));
    if (client.dead) return;
    if (!keep) client.close_after_flush = true;
    if (client.pending) {
      // The sink is dropped with the pending reply when the client goes
      // (Drop), so it never outlives `client`.
      client.pending->SetSink(
          [this, c = &client](Bytes reply) { OnReplyReady(*c, std::move(reply)); });
    }
  }
  if (!client.reader.status().ok()) client.close_after_flush = true;
}

void Server::OnReplyReady(Client& client, Bytes reply) {
  client.pending.reset();
  heap_trim_.Touch();
  // The time it waited for us does not count as the client's silence.
  client.last_rx = g_get_monotonic_time();
  Queue(client, std::move(reply));
  // Writing the reply wakes the client's I/O callback, which then handles
  // the calls that waited behind it.
  UpdateWatch(client);
}

void Server::Queue(Client& client, Bytes frame) {
  if (client.dead) return;
  client.queued += frame.size();
  client.out.push_back(std::move(frame));
  if (client.queued > 2 * limits_.max_queued_bytes) {
    g_message("dropping client that does not read its replies (%zu bytes queued)", client.queued);
    Drop(client);
  }
}

void Server::WriteTo(Client& client) {
  while (!client.out.empty()) {
    const Bytes& front = client.out.front();
    ssize_t n = send(client.fd.get(), front.data() + client.out_offset,
                     front.size() - client.out_offset, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      Drop(client);
      return;
    }
    client.out_offset += static_cast<size_t>(n);
    client.queued -= static_cast<size_t>(n);
    if (client.out_offset < front.size()) return;
    client.out.pop_front();
    client.out_offset = 0;
  }
}

void Server::OnKeepaliveTick() {
  gint64 now = g_get_monotonic_time();
  gint64 interval = gint64{limits_.keepalive_interval_s} * G_USEC_PER_SEC;
  for (auto& c : clients_) {
    Client& client = *c;
    // Only clients that asked PROGRAM_KEEPALIVE understand PING.
    // A client waiting for a pending reply is not read, so it cannot answer.
    if (client.dead || !client.state.keepalive || client.pending || interval <= 0) continue;
    gint64 idle = now - client.last_rx;
    if (idle < interval * (client.pings + 1)) continue;
    if (client.pings >= limits_.keepalive_count) {
      g_message("dropping client: no keepalive response");
      Drop(client);
      continue;
    }
    ++client.pings;
    Queue(client, Dispatcher::KeepalivePing());
    UpdateWatch(client);
  }
  clients_.remove_if([](const std::unique_ptr<Client>& x) { return x->dead; });
  CheckIdle(now);
}

void Server::SetIdleExit(unsigned seconds, std::function<void()> on_idle) {
  idle_limit_us_ = gint64{seconds} * G_USEC_PER_SEC;
  busy_at_us_ = g_get_monotonic_time();
  on_idle_ = std::move(on_idle);
}

void Server::CheckIdle(gint64 now) {
  if (idle_limit_us_ <= 0 || !on_idle_) return;
  Result<std::vector<driver::NetworkRef>> active = driver_.ListActive();
  if (!clients_.empty() || !active.ok() || !active->empty()) {
    busy_at_us_ = now;
  } else if (now - busy_at_us_ >= idle_limit_us_) {
    g_info("exiting after %lld seconds without clients or active networks",
           static_cast<long long>(idle_limit_us_ / G_USEC_PER_SEC));
    idle_limit_us_ = 0;
    on_idle_();
  }
}

template <typename Append>
void Server::FanOut(Append append) {
  for (auto& c : clients_) {
    if (c->dead || c->state.callbacks.empty()) continue;
    std::vector<Bytes> frames;
    append(c->state, frames);
    for (Bytes& f : frames) Queue(*c, std::move(f));
    UpdateWatch(*c);
  }
  // Dead clients are reaped by the I/O callback or the keepalive tick; the
  // event may be raised from inside a client's own callback.
}

void Server::OnLifecycleEvent(const driver::NetworkRef& net, driver::LifecycleEvent event) {
  FanOut([&](const ClientState& client, std::vector<Bytes>& frames) {
    Dispatcher::AppendLifecycleEvents(client, net, event, frames);
  });
}

void Server::OnMetadataChange(const driver::NetworkRef& net, int type,
                              const std::optional<std::string>& uri) {
  FanOut([&](const ClientState& client, std::vector<Bytes>& frames) {
    Dispatcher::AppendMetadataChangeEvents(client, net, type, uri, frames);
  });
}

}  // namespace virtnat::rpc
