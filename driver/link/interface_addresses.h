#pragma once
// The addresses an interface has now, read from the kernel (getifaddrs).

#include <string>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

// Addresses of `ifname` in the calling thread's network namespace, as
// "ADDRESS/PREFIX" written as IpAddress writes them (so they compare as
// text with status records).
Result<std::vector<std::string>> ReadInterfaceAddresses(const std::string& ifname);

}  // namespace virtnat::driver
