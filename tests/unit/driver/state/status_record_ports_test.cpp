// The ports of a status record: each port's XML read back byte for byte
// (markup, quotes and newlines included), in order; an empty one is refused
// when written and when read.

#include <gtest/gtest.h>

#include "driver/state/status_record.h"

namespace virtnat::driver {
namespace {

StatusRecord Record() {
  StatusRecord r;
  r.name = "n";
  r.live_xml = "<network connections='2'>\n  <name>n</name>\n</network>\n";
  r.bridge = "virbr9";
  return r;
}

TEST(StatusRecordPortsTest, PortsReadBackByteForByte) {
  StatusRecord r = Record();
  r.ports = {
      "<networkport>\n  <owner>\n    <name>a &amp; 'b' \"c\"</name>\n  </owner>\n"
      "</networkport>\n",
      "<networkport>\n  <plug type='network' bridge='virbr9'/>\n</networkport>\n"};
  Result<std::string> text = FormatStatusRecord(r);
  ASSERT_TRUE(text.ok()) << text.error().message;
  Result<StatusRecord> back = ParseStatusRecord(*text, "n.status");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->ports, r.ports);
  EXPECT_EQ(*back, r);
}

TEST(StatusRecordPortsTest, EmptyPortIsRefused) {
  StatusRecord r = Record();
  r.ports = {""};
  EXPECT_EQ(FormatStatusRecord(r).error().message,
            "internal error: status record of 'n' has an empty port");
  r.ports.clear();
  std::string text = *FormatStatusRecord(r);
  text.replace(text.find("  <definition>"), 0, "  <port></port>\n");
  EXPECT_EQ(ParseStatusRecord(text, "n.status").error().message,
            "internal error: malformed status record 'n.status': empty <port>");
}

}  // namespace
}  // namespace virtnat::driver
