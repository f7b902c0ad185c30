#pragma once
// Durable, atomic changes to single directory entries. A reader, and the
// state left by a crash or power loss at any moment, sees either the old
// entry or the new one, never a mix. Every call returns only once the change
// is on stable storage (the file and its directory are fsynced), unless it
// is asked for less (Durability::kProcessCrash).
//
// Temporary entries are created in the target's own directory (rename() is
// only atomic within one file system) under hidden names that
// IsAtomicTempName() recognises, so a loader can remove what a crash left.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

// How WriteFileAtomic applies its `mode`.
enum class FileMode {
  kUmask,  // open(2) semantics: the process umask clears bits of `mode`
  kExact,  // exactly `mode`, whatever the umask (fchmod before the rename)
};

// What a change must survive.
enum class Durability {
  kPowerLoss,     // on stable storage before the call returns (fsynced)
  kProcessCrash,  // atomic for every reader and for the next daemon after a
                  // crash of this one, not synced: for state that describes
                  // what runs now (status records, dnsmasq's files), which a
                  // power loss or reboot ends anyway
};

// Replaces `path` with a regular file holding `contents`, created with
// `mode`. On failure the previous file, if any, is left untouched and no
// temporary file remains. This is the daemon's one writer of whole files.
// Errors: VIR_ERR_SYSTEM_ERROR "cannot write file 'PATH': <strerror>".
Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode,
                       FileMode how = FileMode::kUmask,
                       Durability durability = Durability::kPowerLoss);

// Removes the temporary entries that interrupted writes of each of `paths`
// (by the functions above) left in their directories, reading each directory
// once. Empty paths are skipped; a missing directory is success.
Status RemoveAtomicTemps(const std::vector<std::string>& paths);

// Makes `link` a symbolic link to `target` (stored verbatim), replacing any
// entry called `link`.
Status ReplaceSymlinkAtomic(const std::string& link, const std::string& target);

// Unlinks `path` and syncs its directory. A missing `path` is success.
Status RemoveFileDurable(const std::string& path);
// Unlinks `path`, syncing its directory only for kPowerLoss.
Status RemoveFile(const std::string& path, Durability durability);

// Creates `dir` and missing parents with `mode`, syncing each parent that
// gained an entry. An existing directory is success.
Status EnsureDirectory(const std::string& dir, mode_t mode);

// fsync() of a directory, so entries created, renamed or removed in it
// survive a crash.
Status SyncDirectory(const std::string& dir);

// True for a file name (no directory part) made by the functions above for
// their temporary entries.
bool IsAtomicTempName(std::string_view file_name);

// Reads a whole file of at most `max_size` bytes.
// Errors: VIR_ERR_SYSTEM_ERROR "cannot read file 'PATH': <strerror>" (EFBIG
// when it is larger than `max_size`).
Result<std::string> ReadFileLimited(const std::string& path, size_t max_size);

// The names of the entries of `dir` ("." and ".." aside), sorted: the
// daemon's one directory reader. nullopt, with errno set, on failure.
std::optional<std::vector<std::string>> ListDirectory(const std::string& dir);

// The directory part of `path` ("." when there is none).
std::string DirName(const std::string& path);

}  // namespace virtnat::driver
