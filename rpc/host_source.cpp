#include "rpc/host_source.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace virtnat::rpc {
namespace {

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
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
