#include "driver/os/process_descriptors.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {

Result<std::vector<int>> DescriptorsOf(pid_t pid, std::string_view kind) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  std::optional<std::vector<std::string>> names = ListDirectory(dir);
  if (!names) return SystemErrorFromErrno(errno, "cannot list '" + dir + "'");
  std::vector<int> numbers;
  for (const std::string& name : *names) {
    char target[64];
    const std::string link = dir + "/" + name;
    const ssize_t n = readlink(link.c_str(), target, sizeof(target));
    if (n <= 0) continue;  // closed meanwhile
    if (std::string_view(target, static_cast<size_t>(n)).starts_with(kind)) {
      numbers.push_back(std::stoi(name));
    }
  }
  return numbers;
}

Result<UniqueFd> CopyDescriptor(const Pidfd& process, int number) {
  // pidfd_getfd sets close-on-exec on the copy.
  UniqueFd copy(static_cast<int>(syscall(SYS_pidfd_getfd, process.fd(), number, 0)));
  if (!copy) {
    if (errno == EBADF) return UniqueFd();
    return SystemErrorFromErrno(errno, "cannot take descriptor " + std::to_string(number) +
                                           " of process " + std::to_string(process.pid()));
  }
  return copy;
}

std::vector<UniqueFd> CopyDescriptorsOf(const Pidfd& process, std::string_view kind) {
  std::vector<UniqueFd> copies;
  Result<std::vector<int>> numbers = DescriptorsOf(process.pid(), kind);
  if (!numbers.ok()) return copies;
  for (int number : *numbers) {
    if (Result<UniqueFd> copy = CopyDescriptor(process, number); copy.ok() && *copy) {
      copies.push_back(std::move(copy).value());
    }
  }
  return copies;
}

}  // namespace virtnat::driver
