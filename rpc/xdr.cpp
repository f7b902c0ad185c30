#include "rpc/xdr.h"

#include <bit>
#include <cstring>

namespace virtnat::rpc {
namespace {

size_t Padding(size_t len) { return (4 - (len % 4)) % 4; }

}  // namespace

void XdrEncoder::Uint(uint32_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 24));
  out_.push_back(static_cast<uint8_t>(v >> 16));
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void XdrEncoder::Uhyper(uint64_t v) {
  Uint(static_cast<uint32_t>(v >> 32));
  Uint(static_cast<uint32_t>(v));
}

void XdrEncoder::Double(double v) { Uhyper(std::bit_cast<uint64_t>(v)); }

void XdrEncoder::String(std::string_view s) {
  Uint(static_cast<uint32_t>(s.size()));
  out_.insert(out_.end(), s.begin(), s.end());
  out_.insert(out_.end(), Padding(s.size()), 0);
}

void XdrEncoder::OptString(const std::optional<std::string>& s) {
  Bool(s.has_value());
  if (s) String(*s);
}

void XdrEncoder::FixedOpaque(std::span<const uint8_t> bytes) {
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  out_.insert(out_.end(), Padding(bytes.size()), 0);
}

bool XdrDecoder::Take(size_t n, const uint8_t** p) {
  if (!ok_ || n > in_.size() - pos_) {
    ok_ = false;
    return false;
  }
  *p = in_.data() + pos_;
  pos_ += n;
  return true;
}

uint32_t XdrDecoder::Uint() {
  const uint8_t* p = nullptr;
  if (!Take(4, &p)) return 0;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint64_t XdrDecoder::Uhyper() {
  uint64_t hi = Uint();
  uint64_t lo = Uint();
  return (hi << 32) | lo;
}

double XdrDecoder::Double() { return std::bit_cast<double>(Uhyper()); }

std::string XdrDecoder::String(size_t max) {
  uint32_t len = Uint();
  if (!ok_) return {};
  if (len > max) {
    ok_ = false;
    return {};
  }
  const uint8_t* p = nullptr;
  // Length plus padding, computed in 64 bits so a huge length cannot wrap.
  if (!Take(static_cast<size_t>(len) + Padding(len), &p)) return {};
  return std::string(reinterpret_cast<const char*>(p), len);
}

std::optional<std::string> XdrDecoder::OptString(size_t max) {
  if (!Present()) return std::nullopt;
  return String(max);
}

void XdrDecoder::FixedOpaque(std::span<uint8_t> out) {
  const uint8_t* p = nullptr;
  if (!Take(out.size() + Padding(out.size()), &p)) {
    std::memset(out.data(), 0, out.size());
    return;
  }
  std::memcpy(out.data(), p, out.size());
}

uint32_t XdrDecoder::ArrayCount(uint32_t max) {
  uint32_t n = Uint();
  if (n > max) ok_ = false;
  return ok_ ? n : 0;
}

bool XdrDecoder::Present() {
  uint32_t v = Uint();
  if (v > 1) ok_ = false;
  return ok_ && v == 1;
}

}  // namespace virtnat::rpc
