#pragma once
// `virtnatd -d`: into the background as libvirt's daemons go. The process
// that was started waits until the daemon says it serves, or exits, and
// exits with that outcome, so `virtnatd -d && virsh …` works and a start-up
// error still reaches the terminal.

#include "common/status.h"
#include "common/unique_fd.h"

namespace virtnat::driver {

class BackgroundDaemon {
 public:
  // Forks twice (the daemon is not a session leader's child and has no
  // terminal). Returns only in the daemon; the first process exits 0 once
  // Ready() is called, or with the daemon's exit status if it exits first.
  static Result<BackgroundDaemon> Fork();

  BackgroundDaemon(BackgroundDaemon&&) = default;
  BackgroundDaemon& operator=(BackgroundDaemon&&) = default;

  // Serving: releases the waiting process and points stdin, stdout and
  // stderr at /dev/null.
  void Ready();

 private:
  explicit BackgroundDaemon(UniqueFd ready) : ready_(std::move(ready)) {}
  UniqueFd ready_;
};

}  // namespace virtnat::driver
