#pragma once
// Closes descriptors on a worker thread, off the event loop.
//
// The last close of some files waits in the kernel: an inotify instance's
// release waits for its marks to be freed, which takes an SRCU grace period
// (fsnotify_destroy_group; 5-15 ms on an idle machine, measured in
// docs/performance.md). The kernel runs that release in the thread whose
// close dropped the last reference, so closing the file here keeps the wait
// off every other thread.

#include "common/unique_fd.h"

namespace virtnat::driver {

// Closes `fd` soon, on the one worker thread of the process (started on first
// use); closes it here if no thread can be started.
void CloseInBackground(UniqueFd fd);

// Returns once every descriptor handed over before the call is closed, with
// how many the worker has closed since the process began.
unsigned long WaitForBackgroundCloses();

}  // namespace virtnat::driver
