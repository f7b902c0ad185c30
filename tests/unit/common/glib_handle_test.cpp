#include "common/glib_handle.h"

#include <gtest/gtest.h>

namespace virtnat {
namespace {

gboolean Count(gpointer data) {
  ++*static_cast<int*>(data);
  return G_SOURCE_CONTINUE;
}

// Runs the default context's ready sources without blocking.
void Iterate() {
  while (g_main_context_iteration(nullptr, FALSE)) {
  }
}

TEST(GSourceIdTest, RemovesItsSourceWhenDestroyed) {
  int calls = 0;
  guint raw = 0;
  {
    GSourceId id(g_idle_add(&Count, &calls));
    raw = id.get();
    ASSERT_NE(raw, 0u);
    EXPECT_TRUE(id);
    g_main_context_iteration(nullptr, FALSE);
    EXPECT_EQ(calls, 1);
  }
  EXPECT_EQ(g_main_context_find_source_by_id(nullptr, raw), nullptr);
  Iterate();
  EXPECT_EQ(calls, 1);
}

TEST(GSourceIdTest, MovesAndResets) {
  int calls = 0;
  GSourceId a(g_idle_add(&Count, &calls));
  const guint raw = a.get();
  GSourceId b(std::move(a));
  EXPECT_FALSE(a);
  EXPECT_EQ(b.get(), raw);
  GSourceId c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_NE(g_main_context_find_source_by_id(nullptr, raw), nullptr);
  // Reset removes the old source and holds the new one.
  const guint next = g_idle_add(&Count, &calls);
  c.reset(next);
  EXPECT_EQ(g_main_context_find_source_by_id(nullptr, raw), nullptr);
  EXPECT_EQ(c.get(), next);
  c.reset();
  EXPECT_FALSE(c);
  EXPECT_EQ(g_main_context_find_source_by_id(nullptr, next), nullptr);
  Iterate();
  EXPECT_EQ(calls, 0);
}

TEST(GSourceIdTest, ReleaseGivesUpTheSource) {
  int calls = 0;
  guint raw = 0;
  {
    GSourceId id(g_idle_add(&Count, &calls));
    raw = id.release();
    EXPECT_FALSE(id);
  }
  EXPECT_NE(g_main_context_find_source_by_id(nullptr, raw), nullptr);
  g_source_remove(raw);
}

TEST(GSourcePtrTest, DestroysAnAttachedSource) {
  GMainContextPtr context(g_main_context_new());
  int calls = 0;
  GSource* raw = g_idle_source_new();
  g_source_set_callback(raw, &Count, &calls, nullptr);
  g_source_attach(raw, context.get());
  {
    GSourcePtr source(raw);
    g_main_context_iteration(context.get(), FALSE);
    EXPECT_EQ(calls, 1);
    // Keeps it alive past the owner, to see that it was destroyed.
    g_source_ref(raw);
  }
  EXPECT_TRUE(g_source_is_destroyed(raw));
  g_source_unref(raw);
  while (g_main_context_iteration(context.get(), FALSE)) {
  }
  EXPECT_EQ(calls, 1);
}

TEST(GMainLoopPtrTest, OwnsTheLoopAndItsContext) {
  GMainContextPtr context(g_main_context_new());
  GMainLoopPtr loop(g_main_loop_new(context.get(), FALSE));
  EXPECT_EQ(g_main_loop_get_context(loop.get()), context.get());
  EXPECT_FALSE(g_main_loop_is_running(loop.get()));
}

}  // namespace
}  // namespace virtnat
