#pragma once
// The listening sockets: taken over from systemd (socket activation) or created.

#include <string>

#include "common/status.h"
#include "common/unique_fd.h"

namespace virtnat::rpc {

struct ListenSockets {
  UniqueFd rw;
  UniqueFd ro;
};

// Sockets passed by systemd socket activation (sd_listen_fds_with_names),
// matched by name: "rw" / "ro" (FileDescriptorName=) or the unit names
// virtnatd.socket / virtnatd-ro.socket (and libvirt's virtnetworkd ones);
// unnamed sockets by their bound path (`rw_path`, `ro_path`). Others (the
// admin socket) are closed. Empty when LISTEN_PID is not us.
Result<ListenSockets> TakeActivatedSockets(const std::string& rw_path, const std::string& ro_path);

// Binds a UNIX stream socket at `path` (a stale socket file is replaced),
// with file mode `mode` and group `group` (empty: unchanged).
Result<UniqueFd> CreateListenSocket(const std::string& path, unsigned mode,
                                    const std::string& group);

}  // namespace virtnat::rpc
