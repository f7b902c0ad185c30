#include "driver/realize/op_timing.h"

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>
#include <string>
#include <vector>

namespace virtnat::driver {
namespace {

// The phase names of `line` after `head` if every field is NAME=MS with two
// decimals; {"malformed: FIELD"} otherwise. (No std::regex: GCC 12 warns
// inside it under the sanitizers.)
std::vector<std::string> PhasesAfter(const std::string& line, const std::string& head) {
  if (line.rfind(head, 0) != 0) return {"malformed: head"};
  std::istringstream fields(line.substr(head.size()));
  std::vector<std::string> names;
  for (std::string field; fields >> field;) {
    const size_t eq = field.find('=');
    const size_t dot = field.find('.', eq);
    const bool digits_ok = eq != std::string::npos && eq > 0 && dot != std::string::npos &&
                           dot > eq + 1 && field.size() == dot + 3;
    bool all_digits = digits_ok;
    for (size_t i = eq + 1; all_digits && i < field.size(); ++i) {
      all_digits = i == dot || std::isdigit(static_cast<unsigned char>(field[i]));
    }
    if (!all_digits) return {"malformed: " + field};
    names.push_back(field.substr(0, eq));
  }
  return names;
}

using Names = std::vector<std::string>;

TEST(OpTimingTest, LineHasThePhasesInOrderThenTheTotal) {
  BeginOpTiming("start", "net1");
  MarkOpPhase("net1", "bridge");
  MarkOpPhase("net1", "dnsmasq");
  std::string line = OpTimingLine("net1");
  EXPECT_EQ(PhasesAfter(line, "start timing: network 'net1': "),
            (Names{"bridge", "dnsmasq", "total"}))
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
  EXPECT_EQ(PhasesAfter(OpTimingLine("a"), "destroy timing: network 'a': "),
            (Names{"files", "total"}));
  EXPECT_EQ(PhasesAfter(OpTimingLine("b"), "start timing: network 'b': "),
            (Names{"plan", "total"}));
  EndOpTiming("a");
  EndOpTiming("b");
}

}  // namespace
}  // namespace virtnat::driver
