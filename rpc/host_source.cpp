#include "rpc/host_source.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <climits>

#include "driver/os/atomic_file.h"

namespace virtnat::rpc {
namespace {

// /proc/cpuinfo of a large host is a few MiB at most.
constexpr size_t kMaxHostFile = 64 << 20;

std::optional<std::string> ReadWhole(const std::string& path) {
  Result<std::string> text = driver::ReadFileLimited(path, kMaxHostFile);
  if (!text.ok()) return std::nullopt;
  return std::move(text).value();
}

std::vector<std::string> ListDir(const std::string& dir) {
  return driver::ListDirectory(dir).value_or(std::vector<std::string>{});
}

std::string Machine() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return u.machine;
}

uint64_t PageKib() {
  long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<uint64_t>(size) / 1024 : 4;
}

// gethostname() as it is. libvirt also asks the resolver for a canonical
// name when this one has no dot; that lookup may block on DNS, and the
// daemon's loop must not, so the kernel's name is the answer.
std::optional<std::string> Hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return std::nullopt;
  return std::string(name);
}

}  // namespace

const HostSource& RealHost() {
  static const HostSource host{{ReadWhole, ListDir}, Machine, PageKib, Hostname};
  return host;
}

}  // namespace virtnat::rpc
