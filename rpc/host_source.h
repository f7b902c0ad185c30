#pragma once
// Where the connection-level calls read the host from: the real /proc and
// /sys (RealHost) or, in tests, fixed contents.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "rpc/host_description.h"

namespace virtnat::rpc {

struct HostSource {
  HostFiles files;
  std::function<std::string()> arch;                     // uname's machine
  std::function<uint64_t()> page_kib;                    // base page size
  std::function<std::optional<std::string>()> hostname;  // nullopt: unknown
};

// The running host. Lives for the whole process.
const HostSource& RealHost();

}  // namespace virtnat::rpc
