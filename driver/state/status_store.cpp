#include "driver/state/status_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "driver/os/atomic_file.h"
#include "driver/store/file_store.h"

namespace virtnat::driver {
namespace {

constexpr std::string_view kSuffix = ".status";
constexpr mode_t kStatusMode = 0600;
constexpr mode_t kDirMode = 0755;
constexpr size_t kMaxRecordSize = 16 << 20;

}  // namespace

StatusStore::StatusStore(std::string run_dir) : run_dir_(std::move(run_dir)) {
  while (run_dir_.size() > 1 && run_dir_.back() == '/') run_dir_.pop_back();
}

std::string StatusStore::PathFor(const std::string& name) const {
  return run_dir_ + "/" + name + std::string(kSuffix);
}

Status StatusStore::Write(const StatusRecord& record) {
  RETURN_IF_ERROR(CheckStorableName(record.name));
  ASSIGN_OR_RETURN(std::string text, FormatStatusRecord(record));
  RETURN_IF_ERROR(EnsureDirectory(run_dir_, kDirMode));
  // A record describes what runs now: it must survive a crash of the
  // daemon (the page cache does), not a reboot (which ends the network).
  return WriteFileAtomic(PathFor(record.name), text, kStatusMode, FileMode::kUmask,
                         Durability::kProcessCrash);
}

Status StatusStore::Remove(const std::string& name) {
  RETURN_IF_ERROR(CheckStorableName(name));
  return RemoveFile(PathFor(name), Durability::kProcessCrash);
}

Result<LoadedStatus> StatusStore::LoadAll() {
  LoadedStatus out;
  std::optional<std::vector<std::string>> names = ListDirectory(run_dir_);
  if (!names) {
    if (errno == ENOENT) return out;
    return SystemError("cannot read directory '" + run_dir_ + "': " + std::strerror(errno),
                       VIR_FROM_NETWORK);
  }
  for (const std::string& file : *names) {
    std::string path = run_dir_ + "/" + file;
    if (IsAtomicTempName(file)) {
      if (Status removed = RemoveFileDurable(path); !removed.ok()) {
        out.problems.push_back(removed.message());
      }
      continue;
    }
    if (file[0] == '.' || file.size() <= kSuffix.size() || !file.ends_with(kSuffix)) continue;
    std::string name = file.substr(0, file.size() - kSuffix.size());
    Result<std::string> text = ReadFileLimited(path, kMaxRecordSize);
    if (!text.ok()) {
      out.problems.push_back(text.status().message());
      continue;
    }
    Result<StatusRecord> record = ParseStatusRecord(*text, path);
    if (!record.ok()) {
      out.problems.push_back(path + ": " + record.status().message());
      continue;
    }
    if (record->name != name) {
      out.problems.push_back(path + ": record of network '" + record->name +
                             "' but the file is named after '" + name + "'");
      continue;
    }
    out.records.push_back(std::move(record).value());
  }
  return out;
}

}  // namespace virtnat::driver
