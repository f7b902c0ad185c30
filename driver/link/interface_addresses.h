#pragma once
// The addresses an interface has now, read from the kernel (getifaddrs).

#include <string>
#include <vector>

#include "common/status.h"
#include "driver/link/bridge.h"

namespace virtnat::driver {

// Addresses of `ifname` in the calling thread's network namespace, with the
// prefix length of their netmask; none for an interface that does not exist.
Result<std::vector<InterfaceAddress>> ReadInterfaceAddresses(const std::string& ifname);

}  // namespace virtnat::driver
