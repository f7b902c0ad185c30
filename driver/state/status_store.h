#pragma once
// One status record per running network (status_record.h) in the run
// directory, RUN_DIR/NAME.status, mode 0600. Records are written atomically
// and durably (atomic_file.h): the daemon writes one before it tells a client
// that the network is active, and after a crash finds either the previous
// record or the new one.

#include <string>
#include <vector>

#include "common/status.h"
#include "driver/state/status_record.h"

namespace virtnat::driver {

struct LoadedStatus {
  std::vector<StatusRecord> records;  // sorted by name
  // One line per record file skipped ("PATH: reason"); such files are left
  // in place for inspection.
  std::vector<std::string> problems;
};

class StatusStore {
 public:
  // `run_dir` is created on the first Write.
  explicit StatusStore(std::string run_dir);

  // Replaces the record of `record.name` (a name CheckStorableName accepts).
  Status Write(const StatusRecord& record);
  // Removes the record; a missing record is success.
  Status Remove(const std::string& name);
  // Reads every RUN_DIR/NAME.status. A record that cannot be read or parsed,
  // or whose name differs from its file name, is skipped and reported.
  // Temporary files of interrupted writes are deleted. Fails only if the
  // directory cannot be read; a missing directory holds no records.
  Result<LoadedStatus> LoadAll();

  std::string PathFor(const std::string& name) const;

 private:
  std::string run_dir_;
};

}  // namespace virtnat::driver
