#include <gtest/gtest.h>

#include "rpc/message.h"
#include "tests/support/transcript.h"

namespace virtnat::rpc {
namespace {

using testing::FromHex;

// NETWORK_LOOKUP_BY_NAME("a-demo") call, serial 6 (captured, 03).
const Bytes kLookupCall = FromHex(
    "0000002820008086000000010000002e000000000000000600000000"
    "00000006612d64656d6f0000");

TEST(MessageTest, EncodesCapturedCall) {
  Header h;
  h.proc = 46;
  h.serial = 6;
  Bytes payload = FromHex("00000006612d64656d6f0000");
  EXPECT_EQ(EncodeFrame(h, payload), kLookupCall);
}

TEST(MessageTest, EncodesKeepalivePong) {
  Header h;
  h.prog = kKeepaliveProgram;
  h.proc = keepalive::kPong;
  h.type = MessageType::kMessage;
  EXPECT_EQ(EncodeFrame(h, {}), FromHex("0000001c6b656570000000010000000200000002"
                                        "0000000000000000"));
}

TEST(MessageTest, DecodesCapturedCall) {
  Result<DecodedFrame> f = DecodeFrame(kLookupCall);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->header.prog, kRemoteProgram);
  EXPECT_EQ(f->header.vers, 1u);
  EXPECT_EQ(f->header.proc, 46);
  EXPECT_EQ(f->header.type, MessageType::kCall);
  EXPECT_EQ(f->header.serial, 6u);
  EXPECT_EQ(f->header.status, MessageStatus::kOk);
  EXPECT_EQ(f->payload.size(), 12u);
}

TEST(MessageTest, DecodeRejectsLengthMismatch) {
  Bytes frame = kLookupCall;
  frame.pop_back();
  EXPECT_FALSE(DecodeFrame(frame).ok());
  EXPECT_FALSE(DecodeFrame(Bytes(27, 0)).ok());
}

TEST(FrameReaderTest, SplitsBackToBackFramesFedByteByByte) {
  Bytes stream = kLookupCall;
  Bytes ping = FromHex("0000001c6b656570000000010000000100000002000000000000000000");
  ping.resize(28);
  stream.insert(stream.end(), ping.begin(), ping.end());
  FrameReader reader;
  std::vector<Bytes> frames;
  for (uint8_t b : stream) {
    ASSERT_TRUE(reader.Append({&b, 1}).ok());
    while (auto f = reader.Next()) frames.push_back(*f);
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], kLookupCall);
  EXPECT_EQ(frames[1], ping);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, RejectsLengthBelowHeader) {
  for (const char* word : {"00000000", "00000004", "0000001b"}) {
    FrameReader reader;
    EXPECT_FALSE(reader.Append(FromHex(word)).ok()) << word;
    EXPECT_FALSE(reader.Next().has_value());
  }
}

TEST(FrameReaderTest, RejectsLengthAboveLibvirtMaximum) {
  FrameReader reader;
  EXPECT_FALSE(reader.Append(FromHex("80000000")).ok());  // 2^31
  FrameReader exact;
  EXPECT_TRUE(exact.Append(FromHex("02000004")).ok());  // 32 MiB + 4: allowed
  FrameReader over;
  EXPECT_FALSE(over.Append(FromHex("02000005")).ok());
}

TEST(FrameReaderTest, BadLengthAfterGoodFrameIsSticky) {
  Bytes stream = kLookupCall;
  Bytes bad = FromHex("00000001");
  stream.insert(stream.end(), bad.begin(), bad.end());
  FrameReader reader;
  (void)reader.Append(stream);
  EXPECT_TRUE(reader.Next().has_value());
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.status().ok());
  EXPECT_FALSE(reader.Append(kLookupCall).ok());
}

}  // namespace
}  // namespace virtnat::rpc
