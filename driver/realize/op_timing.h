#pragma once
// Where the time of a network's start and destroy goes: one debug-level log
// line per operation, in this exact form (benchmarks parse it):
//
//   start timing: network 'NAME': PHASE=MS PHASE=MS ... total=MS
//   destroy timing: network 'NAME': PHASE=MS ... total=MS
//
// MS has two decimals; phases come in the order they ran. The object layer
// begins and ends an operation; the layers below mark the phases they run
// (a mark for a network with no operation in progress is ignored, so the
// realizer used alone, or a teardown at adoption, logs nothing). A phase is
// the time since the previous mark (or the beginning); `total` is the time
// from beginning to end. One thread: the daemon's loop.

#include <string>
#include <string_view>

namespace virtnat::driver {

// Begins timing `kind` ("start", "destroy") of `network`, replacing any
// operation of it still in progress.
void BeginOpTiming(std::string_view kind, const std::string& network);
// Ends the phase `phase` of `network`'s operation now.
void MarkOpPhase(const std::string& network, std::string_view phase);
// Ends the operation: logs its line (at debug level) and forgets it.
void EndOpTiming(const std::string& network);
// The line EndOpTiming would log now, without ending (tests); empty when
// no operation of `network` is in progress.
std::string OpTimingLine(const std::string& network);

}  // namespace virtnat::driver
