#pragma once
// The listening sockets: taken over from systemd (LISTEN_FDS) or created.

#include <string>

#include "common/status.h"
#include "common/unique_fd.h"

namespace virtnat::daemon {

struct ListenSockets {
  UniqueFd rw;
  UniqueFd ro;
};

// Sockets passed by systemd socket activation, matched to `rw_path` and
// `ro_path` by their bound address (else by LISTEN_FDNAMES "rw"/"ro", else
// by order). Empty when LISTEN_PID is not us.
Result<ListenSockets> TakeActivatedSockets(const std::string& rw_path, const std::string& ro_path);

// Binds a UNIX stream socket at `path` (a stale socket file is replaced),
// with file mode `mode` and group `group` (empty: unchanged).
Result<UniqueFd> CreateListenSocket(const std::string& path, unsigned mode,
                                    const std::string& group);

}  // namespace virtnat::daemon
