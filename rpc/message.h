#pragma once
// Message framing: a 4-byte length word (counting itself), a 24-byte header,
// then the XDR payload. FrameReader splits a byte stream into frames and
// refuses lengths libvirt refuses, so a peer cannot make us buffer more than
// one maximal frame.

#include <cstdint>
#include <optional>
#include <span>

#include "common/status.h"
#include "rpc/protocol.h"
#include "rpc/xdr.h"

namespace virtnat::rpc {

struct Header {
  uint32_t prog = kRemoteProgram;
  uint32_t vers = kProtocolVersion;
  int32_t proc = 0;
  MessageType type = MessageType::kCall;
  uint32_t serial = 0;
  MessageStatus status = MessageStatus::kOk;
  bool operator==(const Header&) const = default;
};

// A whole frame: length word, header, payload.
Bytes EncodeFrame(const Header& header, std::span<const uint8_t> payload);

// Splits a frame (length word included) into header and payload.
// Errors: a length word that disagrees with the size, or a short header.
struct DecodedFrame {
  Header header;
  std::span<const uint8_t> payload;
};
Result<DecodedFrame> DecodeFrame(std::span<const uint8_t> frame);

// Incremental reader. Append() what the socket gave; Next() returns the next
// complete frame. A length word below 28 or above kMessageMax + 4 is a fatal
// protocol error (libvirt drops the connection).
class FrameReader {
 public:
  explicit FrameReader(uint32_t max_frame = kMessageMax + kLengthWordSize)
      : max_frame_(max_frame) {}

  // Returns an error once the stream is known to be invalid; the error is
  // sticky (status()) and Next() then returns nothing.
  Status Append(std::span<const uint8_t> data);
  std::optional<Bytes> Next();
  const Status& status() const { return status_; }
  // Bytes held for the frame in progress.
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  Status CheckLength();

  uint32_t max_frame_;
  Bytes buffer_;
  std::optional<uint32_t> expected_;
  size_t consumed_ = 0;
  Status status_;
};

}  // namespace virtnat::rpc
