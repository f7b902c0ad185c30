#include "driver/os/resource_limits.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace virtnat::driver {

OpenFileLimit RaiseOpenFileLimit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return {true, std::string("open-file limit not read: ") + std::strerror(errno)};
  }
  if (limit.rlim_cur == limit.rlim_max) {
    return {false, "open-file limit " + std::to_string(limit.rlim_cur)};
  }
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return {true, "open-file limit left at " + std::to_string(before) + " (raising it to " +
                      std::to_string(limit.rlim_max) + " failed: " + std::strerror(errno) + ")"};
  }
  return {false, "open-file limit raised from " + std::to_string(before) + " to " +
                     std::to_string(limit.rlim_max)};
}

}  // namespace virtnat::driver
