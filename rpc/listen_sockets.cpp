#include "rpc/listen_sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace virtnat::rpc {
namespace {

enum class Role { kReadWrite, kReadOnly, kOther };

// A passed socket's role by its name (FileDescriptorName=, which defaults
// to the socket unit's name), never by its position: systemd passes them in
// no promised order. Other names (and "unknown", no name) by the path they
// are bound to; the admin socket is never served.
Role RoleOf(const std::string& name, const std::string& bound, const std::string& rw_path,
            const std::string& ro_path) {
  if (name == "rw" || name == "virtnatd.socket" || name == "virtnetworkd.socket") {
    return Role::kReadWrite;
  }
  if (name == "ro" || name == "virtnatd-ro.socket" || name == "virtnetworkd-ro.socket") {
    return Role::kReadOnly;
  }
  if (name == "admin" || name.ends_with("-admin.socket") || bound.empty()) return Role::kOther;
  if (bound == rw_path) return Role::kReadWrite;
  if (bound == ro_path) return Role::kReadOnly;
  return Role::kOther;
}

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
  char** names = nullptr;
  // Clears LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES; 0 when not activated.
  int n = sd_listen_fds_with_names(1, &names);
  if (n < 0) return SystemErrorFromErrno(-n, "cannot read the sockets passed by systemd");
  Status problem;
  for (int i = 0; i < n; ++i) {
    int fd = SD_LISTEN_FDS_START + i;
    std::string name = names && names[i] ? names[i] : "";
    free(names ? names[i] : nullptr);
    if (!problem.ok()) {
      close(fd);
      continue;
    }
    if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0) {
      problem = SystemError("socket activation: descriptor " + std::to_string(fd) + " ('" + name +
                            "') is not a listening UNIX stream socket");
      close(fd);
      continue;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    switch (RoleOf(name, BoundPath(fd), rw_path, ro_path)) {
      case Role::kReadWrite:
        if (!out.rw.valid()) {
          out.rw.reset(fd);
          continue;
        }
        break;
      case Role::kReadOnly:
        if (!out.ro.valid()) {
          out.ro.reset(fd);
          continue;
        }
        break;
      case Role::kOther:
        break;
    }
    close(fd);  // the admin socket, which this daemon does not serve, or a second copy
  }
  free(names);
  if (!problem.ok()) return problem.error();
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

}  // namespace virtnat::rpc
