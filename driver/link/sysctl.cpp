#include "driver/link/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace virtnat::driver {
namespace {

constexpr unsigned long kRtfAddrconf = 0x00040000;  // route learned from an RA

// Returns 0 or errno. No O_CREAT: a sysctl that does not exist is an error.
int WriteFile(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n = write(fd, value.data(), value.size());
  int err = n < 0 ? errno : (static_cast<size_t>(n) == value.size() ? 0 : EIO);
  if (close(fd) != 0 && err == 0) err = errno;
  return err;
}

std::optional<long> ReadNumber(const std::string& path) {
  std::ifstream in(path);
  long value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

}  // namespace

Status Sysctl::EnableIpv4Forwarding() {
  if (int err = WriteFile(paths_.proc_sys + "/net/ipv4/ip_forward", "1\n"); err != 0) {
    return SystemErrorFromErrno(err, "failed to enable IP forwarding");
  }
  return Status::Ok();
}

Status Sysctl::EnableIpv6Forwarding() {
  RETURN_IF_ERROR(CheckAcceptRa());
  if (int err = WriteFile(paths_.proc_sys + "/net/ipv6/conf/all/forwarding", "1\n"); err != 0) {
    return SystemErrorFromErrno(err, "failed to enable IP forwarding");
  }
  return Status::Ok();
}

Status Sysctl::CheckAcceptRa() {
  std::ifstream routes(paths_.proc_net + "/ipv6_route");
  if (!routes) return Status::Ok();  // no IPv6 in this kernel: nothing to flush
  std::optional<long> all_accept_ra = ReadNumber(paths_.proc_sys + "/net/ipv6/conf/all/accept_ra");
  // Fields: dest dest_len src src_len next_hop metric refcnt use flags iface
  for (std::string line; std::getline(routes, line);) {
    std::istringstream fields(line);
    std::string skip, flags_text, iface;
    for (int i = 0; i < 8; ++i) fields >> skip;
    if (!(fields >> flags_text >> iface)) continue;
    unsigned long flags = std::strtoul(flags_text.c_str(), nullptr, 16);
    if (!(flags & kRtfAddrconf)) continue;
    std::optional<long> accept_ra =
        ReadNumber(paths_.proc_sys + "/net/ipv6/conf/" + iface + "/accept_ra");
    if (!accept_ra) continue;
    if (*accept_ra == 1 || (*accept_ra == 0 && all_accept_ra == 1)) {
      return InternalError("Check the host setup: interface " + iface +
                           " has kernel autoconfigured IPv6 routes and enabling forwarding  "
                           "without accept_ra set to 2 will cause the kernel to flush them, "
                           "breaking networking.");
    }
  }
  return Status::Ok();
}

Status Sysctl::ConfigureBridgeIpv6(const std::string& bridge, bool has_ipv6) {
  const std::string dir = paths_.proc_sys + "/net/ipv6/conf/" + bridge;
  const std::pair<const char*, const char*> settings[] = {
      {"disable_ipv6", has_ipv6 ? "0" : "1"},
      // Guests must not be able to give the host routes or addresses.
      {"accept_ra", "0"},
      {"autoconf", "0"},
  };
  for (const auto& [name, value] : settings) {
    std::string path = dir + "/" + name;
    if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return Status::Ok();
    if (int err = WriteFile(path, value); err != 0) {
      return SystemErrorFromErrno(err, "cannot write to '" + path + "' on bridge '" + bridge + "'");
    }
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
