#include "driver/os/heap_trim.h"

#include <malloc.h>

namespace virtnat::driver {
namespace {

struct TrimSource {
  GSource base;
  HeapTrimmer* owner;
};

}  // namespace

gboolean HeapTrimmer::Dispatch(GSource* source, GSourceFunc, gpointer) {
  g_source_set_ready_time(source, -1);
  HeapTrimmer* self = reinterpret_cast<TrimSource*>(source)->owner;
  malloc_trim(0);
  ++self->trims_;
  return G_SOURCE_CONTINUE;
}

HeapTrimmer::HeapTrimmer(GMainContext* context, unsigned quiet_ms)
    : quiet_us_(gint64{quiet_ms} * 1000) {
  static GSourceFuncs funcs = {nullptr, nullptr, &HeapTrimmer::Dispatch, nullptr, nullptr, nullptr};
  GSource* source = g_source_new(&funcs, sizeof(TrimSource));
  reinterpret_cast<TrimSource*>(source)->owner = this;
  g_source_set_ready_time(source, -1);
  g_source_set_name(source, "heap trim");
  g_source_attach(source, context);
  source_.reset(source);
}

void HeapTrimmer::Touch() {
  g_source_set_ready_time(source_.get(), g_get_monotonic_time() + quiet_us_);
}

}  // namespace virtnat::driver
