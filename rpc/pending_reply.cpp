#include "rpc/pending_reply.h"

#include "rpc/remote_types.h"

namespace virtnat::rpc {

Bytes ReplyFrame(const Header& call, const Status& status, std::span<const uint8_t> payload) {
  Header reply = call;
  reply.type = MessageType::kReply;
  if (status.ok()) return EncodeFrame(reply, payload);
  reply.status = MessageStatus::kError;
  Bytes error;
  XdrEncoder enc(error);
  EncodeError(enc, status.error());
  return EncodeFrame(reply, error);
}

void PendingReply::Complete(const Status& status, const Bytes& payload) {
  if (completed_) return;
  completed_ = true;
  if (observer_) {
    std::exchange(observer_, nullptr)(status, subject);
  } else {
    outcome_ = status;
  }
  if (abandoned_) return;
  Bytes frame = ReplyFrame(call_, status, payload);
  if (sink_) {
    // Released before the call: the sink may drop the last reference to us.
    Sink sink = std::exchange(sink_, nullptr);
    sink(std::move(frame));
    return;
  }
  frame_ = std::move(frame);
}

void PendingReply::SetObserver(Observer observer) {
  if (outcome_) {
    observer(*outcome_, subject);
    outcome_.reset();
    return;
  }
  observer_ = std::move(observer);
}

void PendingReply::SetSink(Sink sink) {
  if (abandoned_) return;
  if (frame_) {
    Bytes frame = std::move(*frame_);
    frame_.reset();
    sink(std::move(frame));
    return;
  }
  sink_ = std::move(sink);
}

void PendingReply::Abandon() {
  abandoned_ = true;
  sink_ = nullptr;
  frame_.reset();
}

}  // namespace virtnat::rpc
