#pragma once
// The reply to a call that completes after its handler returned (a network
// start waiting for dnsmasq). The handler takes it from CallContext::Defer()
// and completes it from the driver's callback; the socket layer gives it a
// sink that queues the frame. Whichever comes second delivers the frame.
//
// Shared by the driver's pending callback and the server: if the client goes
// away first, the server abandons it and the completed frame is dropped, while
// the call itself still finishes.

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "rpc/message.h"

namespace virtnat::rpc {

class PendingReply {
 public:
  using Sink = std::function<void(Bytes frame)>;

  // `call`: the header of the call being answered.
  explicit PendingReply(const Header& call) : call_(call) {}
  PendingReply(const PendingReply&) = delete;
  PendingReply& operator=(const PendingReply&) = delete;

  // The procedure's outcome: an error reply, or OK with the encoded return
  // value. Only the first completion counts.
  void Complete(const Status& status, const Bytes& payload = {});
  // Told the outcome once the call completes (at once if it has): the
  // dispatcher logs state changes with it.
  using Observer = std::function<void(const Status& status, const std::string& subject)>;
  void SetObserver(Observer observer);

  // What the call acts on, for the log ("network 'lab'"); the handler may
  // complete it from the result (a new network's name, a port's uuid).
  std::string subject;
  // Where the frame goes; called at once if the call already completed.
  void SetSink(Sink sink);
  // Nobody waits any more: a later completion is dropped.
  void Abandon();

  bool complete() const { return completed_; }
  // The frame of a completed call that no sink took yet.
  std::optional<Bytes> TakeFrame() { return std::exchange(frame_, std::nullopt); }

 private:
  Header call_;
  bool completed_ = false;
  bool abandoned_ = false;
  std::optional<Bytes> frame_;
  Sink sink_;
  std::optional<Status> outcome_;
  Observer observer_;
};

// The frame answering `call` with `status` (an error) or `payload`.
Bytes ReplyFrame(const Header& call, const Status& status, std::span<const uint8_t> payload);

}  // namespace virtnat::rpc
