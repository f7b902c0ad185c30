#pragma once
// Another process's open descriptors: found through /proc/PID/fd and copied
// with pidfd_getfd (Linux 5.6; it needs ptrace rights over the process,
// which root has). A copy is the same open file, not a new one: what is done
// to it (a socket filter) holds for the owner too, and the file stays open
// until both have closed it.

#include <sys/types.h>

#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"
#include "driver/os/process.h"

namespace virtnat::driver {

// The numbers of `pid`'s descriptors whose /proc/PID/fd link starts with
// `kind`: "socket:", "anon_inode:inotify", "pipe:".
Result<std::vector<int>> DescriptorsOf(pid_t pid, std::string_view kind);

// A copy of descriptor `number` of `process`, close-on-exec; an empty one if
// the process closed it meanwhile.
Result<UniqueFd> CopyDescriptor(const Pidfd& process, int number);

// Copies of every descriptor of `process` of `kind` that can be taken: the
// ones closed meanwhile, or refused, are left out.
std::vector<UniqueFd> CopyDescriptorsOf(const Pidfd& process, std::string_view kind);

}  // namespace virtnat::driver
