#pragma once
// XDR (RFC 4506) as libvirt's remote protocol uses it: big-endian 4-byte
// units, strings and variable opaques padded with zeros to 4 bytes.
//
// The decoder never reads past its input: a short read or an over-long
// string/array marks it failed, later reads return zero values, and the
// caller checks ok() once after decoding a whole structure. This mirrors how
// libvirt refuses a message whose payload does not decode.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace virtnat::rpc {

using Bytes = std::vector<uint8_t>;

class XdrEncoder {
 public:
  explicit XdrEncoder(Bytes& out) : out_(out) {}

  void Int(int32_t v) { Uint(static_cast<uint32_t>(v)); }
  void Uint(uint32_t v);
  void Hyper(int64_t v) { Uhyper(static_cast<uint64_t>(v)); }
  void Uhyper(uint64_t v);
  void Double(double v);
  void Bool(bool v) { Int(v ? 1 : 0); }
  // Length word, bytes, zero padding.
  void String(std::string_view s);
  // 0 for absent, else 1 and the string.
  void OptString(const std::optional<std::string>& s);
  // Fixed-size opaque: the bytes and padding, no length word.
  void FixedOpaque(std::span<const uint8_t> bytes);

 private:
  Bytes& out_;
};

class XdrDecoder {
 public:
  explicit XdrDecoder(std::span<const uint8_t> in) : in_(in) {}

  int32_t Int() { return static_cast<int32_t>(Uint()); }
  uint32_t Uint();
  int64_t Hyper() { return static_cast<int64_t>(Uhyper()); }
  uint64_t Uhyper();
  double Double();
  // Fails when the length exceeds `max` or the input.
  std::string String(size_t max);
  std::optional<std::string> OptString(size_t max);
  void FixedOpaque(std::span<uint8_t> out);
  // An array length word; fails when it exceeds `max`.
  uint32_t ArrayCount(uint32_t max);
  // A pointer discriminant: fails unless it is 0 or 1.
  bool Present();

  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }
  size_t remaining() const { return ok_ ? in_.size() - pos_ : 0; }

 private:
  bool Take(size_t n, const uint8_t** p);

  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace virtnat::rpc
