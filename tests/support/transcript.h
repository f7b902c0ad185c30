#pragma once
// Reads the captured libvirt RPC transcripts (tests/data/rpc/*.txt, format
// in /work/shared/protocol/transcripts/README.md) into frames.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rpc/xdr.h"

namespace virtnat::testing {

struct CapturedFrame {
  int number = 0;  // "#n"
  int conn = 0;    // "conn=n"
  bool from_client = false;
  rpc::Bytes bytes;  // whole frame
};

inline rpc::Bytes FromHex(const std::string& hex) {
  rpc::Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::string ToHex(const rpc::Bytes& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

inline std::vector<CapturedFrame> ReadTranscript(const std::string& name) {
  std::ifstream in(std::string(VIRTNAT_TEST_DATA_DIR) + "/rpc/" + name);
  std::vector<CapturedFrame> frames;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("C>S #", 0) == 0 || line.rfind("S>C #", 0) == 0) {
      CapturedFrame f;
      f.from_client = line[0] == 'C';
      f.number = std::stoi(line.substr(5));
      f.conn = std::stoi(line.substr(line.find("conn=") + 5));
      frames.push_back(f);
    } else if (!frames.empty() && (line.rfind("  hdr ", 0) == 0 || line.rfind("  data ", 0) == 0)) {
      rpc::Bytes b = FromHex(line.substr(line.find(' ', 2) + 1));
      frames.back().bytes.insert(frames.back().bytes.end(), b.begin(), b.end());
    }
  }
  return frames;
}

}  // namespace virtnat::testing
