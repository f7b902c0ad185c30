#include "driver/realize/op_timing.h"

#include <glib.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

namespace virtnat::driver {
namespace {

using Clock = std::chrono::steady_clock;

struct Operation {
  std::string kind;
  Clock::time_point begun;
  Clock::time_point last;
  std::vector<std::pair<std::string, double>> phases;  // name, ms
};

std::map<std::string, Operation>& Operations() {
  static auto* operations = new std::map<std::string, Operation>();
  return *operations;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Field(std::string_view name, double ms) {
  char value[32];
  std::snprintf(value, sizeof(value), "%.2f", ms);
  return " " + std::string(name) + "=" + value;
}

}  // namespace

void BeginOpTiming(std::string_view kind, const std::string& network) {
  Clock::time_point now = Clock::now();
  Operations()[network] = Operation{std::string(kind), now, now, {}};
}

void MarkOpPhase(const std::string& network, std::string_view phase) {
  auto it = Operations().find(network);
  if (it == Operations().end()) return;
  Clock::time_point now = Clock::now();
  it->second.phases.emplace_back(std::string(phase), Ms(now - it->second.last));
  it->second.last = now;
}

std::string OpTimingLine(const std::string& network) {
  auto it = Operations().find(network);
  if (it == Operations().end()) return {};
  const Operation& op = it->second;
  std::string line = op.kind + " timing: network '" + network + "':";
  for (const auto& [name, ms] : op.phases) line += Field(name, ms);
  return line + Field("total", Ms(Clock::now() - op.begun));
}

void EndOpTiming(const std::string& network) {
  std::string line = OpTimingLine(network);
  if (line.empty()) return;
  Operations().erase(network);
  g_debug("%s", line.c_str());
}

}  // namespace virtnat::driver
