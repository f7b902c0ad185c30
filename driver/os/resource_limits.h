#pragma once

#include <string>

namespace virtnat::driver {

// Raises the soft limit of open files (RLIMIT_NOFILE) to the hard one, as a
// daemon that holds one descriptor per running network (the dnsmasq pidfd)
// must: Debian's soft limit of 1024 would fail the start of about the
// 1000th network with EMFILE. A failure leaves the limit as it was and is
// not fatal.
struct OpenFileLimit {
  bool failed = false;
  std::string line;  // for the log: what changed, or why nothing did
};
OpenFileLimit RaiseOpenFileLimit();

}  // namespace virtnat::driver
