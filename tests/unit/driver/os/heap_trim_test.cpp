#include "driver/os/heap_trim.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "common/glib_handle.h"

namespace virtnat::driver {
namespace {

// Runs `context` until `done` or, as a guard against a trim that never
// comes, a generous number of iterations.
template <typename Done>
void RunUntil(GMainContext* context, Done done) {
  for (int i = 0; i < 100000 && !done(); ++i) g_main_context_iteration(context, FALSE);
}

TEST(HeapTrimmerTest, NothingHappensWithoutActivity) {
  GMainContextPtr context(g_main_context_new());
  HeapTrimmer trim(context.get(), 0);
  while (g_main_context_iteration(context.get(), FALSE)) {
  }
  EXPECT_EQ(trim.trims(), 0u);
}

TEST(HeapTrimmerTest, ABurstOfCallsGivesOneTrimOnceQuiet) {
  GMainContextPtr context(g_main_context_new());
  HeapTrimmer trim(context.get(), 0);
  {
    std::vector<std::unique_ptr<char[]>> garbage;
    for (int i = 0; i < 1000; ++i) {
      garbage.emplace_back(new char[1000]);
      trim.Touch();
    }
  }
  RunUntil(context.get(), [&] { return trim.trims() > 0; });
  EXPECT_EQ(trim.trims(), 1u);
  // Quiet again: no further trim until the next activity.
  while (g_main_context_iteration(context.get(), FALSE)) {
  }
  EXPECT_EQ(trim.trims(), 1u);
  trim.Touch();
  RunUntil(context.get(), [&] { return trim.trims() > 1; });
  EXPECT_EQ(trim.trims(), 2u);
}

TEST(HeapTrimmerTest, DestroyedTrimmerLeavesNoSourceBehind) {
  GMainContextPtr context(g_main_context_new());
  {
    HeapTrimmer trim(context.get(), 0);
    trim.Touch();
  }
  // The armed source went with the trimmer: nothing dispatches (a dangling
  // owner would be used here).
  EXPECT_FALSE(g_main_context_pending(context.get()));
}

}  // namespace
}  // namespace virtnat::driver
