#include "driver/realize/op_timing.h"

#include <gtest/gtest.h>

#include <regex>

namespace virtnat::driver {
namespace {

TEST(OpTimingTest, LineHasThePhasesInOrderThenTheTotal) {
  BeginOpTiming("start", "net1");
  MarkOpPhase("net1", "bridge");
  MarkOpPhase("net1", "dnsmasq");
  std::string line = OpTimingLine("net1");
  EXPECT_TRUE(std::regex_match(
      line, std::regex(R"(start timing: network 'net1': bridge=\d+\.\d\d dnsmasq=\d+\.\d\d )"
                       R"(total=\d+\.\d\d)")))
      << line;
  EndOpTiming("net1");
  EXPECT_EQ(OpTimingLine("net1"), "");
}

TEST(OpTimingTest, MarksWithoutAnOperationAreIgnored) {
  MarkOpPhase("idle", "link");
  EXPECT_EQ(OpTimingLine("idle"), "");
  EndOpTiming("idle");  // nothing to end: no effect
  EXPECT_EQ(OpTimingLine("idle"), "");
}

TEST(OpTimingTest, OperationsOfNetworksAreSeparateAndABeginStartsAfresh) {
  BeginOpTiming("destroy", "a");
  BeginOpTiming("start", "b");
  MarkOpPhase("a", "link");
  MarkOpPhase("b", "plan");
  BeginOpTiming("destroy", "a");  // a new operation replaces the old one
  MarkOpPhase("a", "files");
  EXPECT_TRUE(std::regex_match(OpTimingLine("a"),
                               std::regex(R"(destroy timing: network 'a': files=\S+ total=\S+)")))
      << OpTimingLine("a");
  EXPECT_TRUE(std::regex_match(OpTimingLine("b"),
                               std::regex(R"(start timing: network 'b': plan=\S+ total=\S+)")))
      << OpTimingLine("b");
  EndOpTiming("a");
  EndOpTiming("b");
}

}  // namespace
}  // namespace virtnat::driver
