#include "daemon/sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

namespace virtnat::daemon {
namespace {

constexpr int kListenFdsStart = 3;  // SD_LISTEN_FDS_START

std::string BoundPath(int fd) {
  sockaddr_un addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0 || addr.sun_family != AF_UNIX) {
    return "";
  }
  return std::string(addr.sun_path, strnlen(addr.sun_path, sizeof addr.sun_path));
}

// mkdir -p for the socket's directory.
Status MakeParents(const std::string& path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    std::string dir = path.substr(0, pos);
    if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) {
      return SystemErrorFromErrno(errno, "cannot create directory '" + dir + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ListenSockets> TakeActivatedSockets(const std::string& rw_path, const std::string& ro_path) {
  ListenSockets out;
  const char* pid = getenv("LISTEN_PID");
  const char* fds = getenv("LISTEN_FDS");
  if (!pid || !fds || std::strtol(pid, nullptr, 10) != getpid()) return out;
  int n = static_cast<int>(std::strtol(fds, nullptr, 10));
  std::vector<std::string> names;
  if (const char* fdnames = getenv("LISTEN_FDNAMES")) {
    std::stringstream ss(fdnames);
    for (std::string name; std::getline(ss, name, ':');) names.push_back(name);
  }
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  for (int i = 0; i < n; ++i) {
    int fd = kListenFdsStart + i;
    int listening = 0;
    socklen_t optlen = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) < 0 || !listening) {
      return SystemError("LISTEN_FDS: descriptor " + std::to_string(fd) +
                         " is not a listening socket");
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    std::string path = BoundPath(fd);
    std::string name = i < static_cast<int>(names.size()) ? names[i] : "";
    bool is_ro = path == ro_path || name == "ro" || name.ends_with("-ro.socket");
    bool is_rw = !is_ro && (path == rw_path || name == "rw" || name.ends_with(".socket"));
    if (!is_ro && !is_rw) is_rw = !out.rw.valid();  // by order: rw first
    if (is_ro && !out.ro.valid()) {
      out.ro.reset(fd);
    } else if (is_rw && !out.rw.valid()) {
      out.rw.reset(fd);
    } else {
      close(fd);  // an extra socket (e.g. admin) this daemon does not serve
    }
  }
  return out;
}

Result<UniqueFd> CreateListenSocket(const std::string& path, unsigned mode,
                                    const std::string& group_name) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return SystemError("socket path '" + path + "' is empty or too long");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  RETURN_IF_ERROR(MakeParents(path));
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return SystemErrorFromErrno(errno, "cannot create socket");
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return SystemError("'" + path + "' exists and is not a socket");
    }
    // A live daemon still answers on it: do not steal its socket.
    UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      return SystemError("another daemon is listening on '" + path + "'");
    }
    unlink(path.c_str());
  }
  // Bind with a restrictive umask so the socket is never briefly too open.
  mode_t old = umask(0177);
  int rc = bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  umask(old);
  if (rc < 0) return SystemErrorFromErrno(errno, "cannot bind socket '" + path + "'");
  if (!group_name.empty()) {
    group* g = getgrnam(group_name.c_str());
    if (!g) return SystemError("unknown group '" + group_name + "'");
    if (chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) < 0) {
      return SystemErrorFromErrno(errno, "cannot set group of '" + path + "'");
    }
  }
  if (chmod(path.c_str(), mode) < 0) {
    return SystemErrorFromErrno(errno, "cannot set mode of '" + path + "'");
  }
  if (listen(fd.get(), 128) < 0)
    return SystemErrorFromErrno(errno, "cannot listen on '" + path + "'");
  return fd;
}

}  // namespace virtnat::daemon
