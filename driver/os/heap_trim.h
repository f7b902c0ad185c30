#pragma once
// Gives the heap that a burst of calls freed back to the kernel once the
// daemon is quiet. A start or a destroy allocates temporaries (XML, plans,
// batches, configuration texts) between long-lived objects, so glibc keeps
// the freed pages between them (only the top of the heap is trimmed on
// free); malloc_trim(0) returns every free page in the middle too. Measured
// with 100 networks (docs/performance.md): about 0.5 MiB less resident.

#include <glib.h>

#include "common/glib_handle.h"

namespace virtnat::driver {

class HeapTrimmer {
 public:
  // `context`: the loop that runs the trim (nullptr: the default context).
  explicit HeapTrimmer(GMainContext* context, unsigned quiet_ms = 1000);
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Activity: one trim `quiet_ms` after the last call (no allocation, so it
  // is cheap for every RPC call).
  void Touch();
  // How many trims ran.
  unsigned trims() const { return trims_; }

 private:
  static gboolean Dispatch(GSource* source, GSourceFunc, gpointer);

  gint64 quiet_us_;
  unsigned trims_ = 0;
  GSourcePtr source_;
};

}  // namespace virtnat::driver
