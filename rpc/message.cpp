#include "rpc/message.h"

#include <string>

namespace virtnat::rpc {
namespace {

Error ProtocolError(std::string text) { return Error{VIR_ERR_RPC, VIR_FROM_RPC, std::move(text)}; }

uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Bytes EncodeFrame(const Header& header, std::span<const uint8_t> payload) {
  Bytes out;
  out.reserve(kLengthWordSize + kHeaderSize + payload.size());
  XdrEncoder enc(out);
  enc.Uint(static_cast<uint32_t>(kLengthWordSize + kHeaderSize + payload.size()));
  enc.Uint(header.prog);
  enc.Uint(header.vers);
  enc.Int(header.proc);
  enc.Int(static_cast<int32_t>(header.type));
  enc.Uint(header.serial);
  enc.Int(static_cast<int32_t>(header.status));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<DecodedFrame> DecodeFrame(std::span<const uint8_t> frame) {
  if (frame.size() < kLengthWordSize + kHeaderSize) return ProtocolError("frame too short");
  XdrDecoder dec(frame);
  uint32_t len = dec.Uint();
  if (len != frame.size()) return ProtocolError("frame length mismatch");
  DecodedFrame out;
  out.header.prog = dec.Uint();
  out.header.vers = dec.Uint();
  out.header.proc = dec.Int();
  out.header.type = static_cast<MessageType>(dec.Int());
  out.header.serial = dec.Uint();
  out.header.status = static_cast<MessageStatus>(dec.Int());
  out.payload = frame.subspan(kLengthWordSize + kHeaderSize);
  return out;
}

Status FrameReader::CheckLength() {
  if (!status_.ok()) return status_;
  if (expected_ || buffer_.size() - consumed_ < kLengthWordSize) return Status::Ok();
  uint32_t len = ReadU32(buffer_.data() + consumed_);
  if (len < kLengthWordSize + kHeaderSize) {
    status_ = ProtocolError("packet " + std::to_string(len) +
                            " bytes received from client too small, want " +
                            std::to_string(kLengthWordSize + kHeaderSize));
    return status_;
  }
  if (len > max_frame_) {
    status_ =
        ProtocolError("packet " + std::to_string(len) +
                      " bytes received from client too large, want " + std::to_string(max_frame_));
    return status_;
  }
  expected_ = len;
  return Status::Ok();
}

Status FrameReader::Append(std::span<const uint8_t> data) {
  if (!status_.ok()) return status_;
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
  return CheckLength();
}

std::optional<Bytes> FrameReader::Next() {
  if (!status_.ok() || !expected_ || buffer_.size() - consumed_ < *expected_) return std::nullopt;
  auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_);
  Bytes frame(first, first + *expected_);
  consumed_ += *expected_;
  expected_.reset();
  // Keep the buffer from growing without bound across many small frames.
  if (consumed_ > 65536 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  // The next length word may already be buffered; a bad one makes status()
  // fail and stops further frames.
  (void)CheckLength();
  return frame;
}

}  // namespace virtnat::rpc
