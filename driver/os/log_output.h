#pragma once
// Where the daemon's log lines go: libvirt's log_outputs ("LEVEL:stderr",
// "LEVEL:journald", "LEVEL:file:PATH", space separated, LEVEL 1 debug to
// 4 error) behind GLib's default log handler, so that g_info() and friends
// anywhere in the code reach every output whose level admits them.

#include <glib.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace virtnat::driver {

struct LogOutput {
  enum class Kind { kStderr, kJournald, kFile };
  Kind kind = Kind::kStderr;
  GLogLevelFlags max_level = G_LOG_LEVEL_DEBUG;  // least severe level written
  std::string path;                              // kFile only
};

// Parses libvirt's log_outputs syntax. Empty: one stderr output.
Result<std::vector<LogOutput>> ParseLogOutputs(const std::string& spec);

// The GLib level of "error", "warning", "info" or "debug".
GLogLevelFlags LogLevelNamed(const std::string& name);

// Installs itself as GLib's default log handler for its lifetime.
class LogSink {
 public:
  // Files are opened (appending, created 0600) here; an error names the file.
  static Result<std::unique_ptr<LogSink>> Open(GLogLevelFlags level,
                                               std::vector<LogOutput> outputs);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // SIGHUP: a new level and outputs; on error the old ones stay.
  Status Reconfigure(GLogLevelFlags level, std::vector<LogOutput> outputs);

 private:
  struct Output {
    LogOutput spec;
    UniqueFd file;
  };
  LogSink() = default;
  static Result<std::vector<Output>> OpenAll(std::vector<LogOutput> outputs);
  static void Handle(const gchar* domain, GLogLevelFlags level, const gchar* message,
                     gpointer self) noexcept;
  void Write(GLogLevelFlags severity, const char* message);

  GLogLevelFlags level_ = G_LOG_LEVEL_INFO;
  std::vector<Output> outputs_;
  bool stderr_is_journal_ = false;
};

}  // namespace virtnat::driver
