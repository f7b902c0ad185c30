#pragma once
// Owners for GLib handles. A GMainLoop, GMainContext or GSource the code
// creates lives in one of these, and a source id that GLib's shorthands
// (g_idle_add, g_timeout_add, g_unix_signal_add) return lives in a
// GSourceId, so a callback never outlives the object it points at.

#include <glib.h>

#include <memory>
#include <utility>

namespace virtnat {

struct GMainLoopUnref {
  void operator()(GMainLoop* loop) const noexcept { g_main_loop_unref(loop); }
};
using GMainLoopPtr = std::unique_ptr<GMainLoop, GMainLoopUnref>;

struct GMainContextUnref {
  void operator()(GMainContext* context) const noexcept { g_main_context_unref(context); }
};
using GMainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;

// Destroys the source (detaches it from its context: its callback never
// runs again) and drops the owner's reference. Safe from inside the
// source's own callback: GLib holds a reference while it dispatches.
struct GSourceDestroy {
  void operator()(GSource* source) const noexcept {
    g_source_destroy(source);
    g_source_unref(source);
  }
};
using GSourcePtr = std::unique_ptr<GSource, GSourceDestroy>;

// A source id of the global default context, removed (g_source_remove) when
// the guard is destroyed or reset. A callback that returns G_SOURCE_REMOVE
// must release() the id first: GLib has removed it already.
// REQUIRES: the id belongs to g_main_context_default() (the shorthands
// above attach there).
class GSourceId {
 public:
  GSourceId() = default;
  explicit GSourceId(guint id) : id_(id) {}
  ~GSourceId() { reset(); }
  GSourceId(GSourceId&& other) noexcept : id_(other.release()) {}
  GSourceId& operator=(GSourceId&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  GSourceId(const GSourceId&) = delete;
  GSourceId& operator=(const GSourceId&) = delete;

  guint get() const { return id_; }
  explicit operator bool() const { return id_ != 0; }
  // Gives up the id without removing the source.
  guint release() { return std::exchange(id_, 0u); }
  // Removes the source held, if any, and holds `id`.
  void reset(guint id = 0) {
    if (id_ != 0) g_source_remove(id_);
    id_ = id;
  }

 private:
  guint id_ = 0;
};

}  // namespace virtnat
