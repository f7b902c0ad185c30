#include "driver/os/log_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace virtnat::driver {
namespace {

const char* LevelName(GLogLevelFlags level) {
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) return "error";
  if (level & G_LOG_LEVEL_WARNING) return "warning";
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) return "info";
  return "debug";
}

// syslog's priority of a level, for the journal.
int PriorityOf(GLogLevelFlags level) {
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) return 3;  // LOG_ERR
  if (level & G_LOG_LEVEL_WARNING) return 4;                         // LOG_WARNING
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) return 6;    // LOG_INFO
  return 7;                                                          // LOG_DEBUG
}

// systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream it
// connected stdout/stderr to; stderr is the journal when they match (a
// redirected stderr, e.g. `virtnatd 2>file` under systemd, does not).
bool StderrIsJournal() {
  const char* stream = getenv("JOURNAL_STREAM");
  struct stat st;
  if (stream == nullptr || fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

// "2026-12-07 02:50:01.123+0000: virtnatd: warning: MESSAGE\n", as libvirt's
// daemons stamp their lines.
std::string StampedLine(GLogLevelFlags severity, const char* message) {
  GDateTime* now = g_date_time_new_now_utc();
  gchar* stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
  char line[64];
  // %f is microseconds; milliseconds are enough.
  std::snprintf(line, sizeof line, "%.23s+0000: virtnatd: %s: ", stamp, LevelName(severity));
  g_free(stamp);
  g_date_time_unref(now);
  return std::string(line) + message + "\n";
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a log line that cannot be written is dropped
    done += static_cast<size_t>(n);
  }
}

}  // namespace

GLogLevelFlags LogLevelNamed(const std::string& name) {
  if (name == "error") return G_LOG_LEVEL_CRITICAL;
  if (name == "warning") return G_LOG_LEVEL_WARNING;
  if (name == "debug") return G_LOG_LEVEL_DEBUG;
  return G_LOG_LEVEL_INFO;
}

Result<std::vector<LogOutput>> ParseLogOutputs(const std::string& spec) {
  static constexpr GLogLevelFlags kByNumber[] = {G_LOG_LEVEL_DEBUG, G_LOG_LEVEL_INFO,
                                                 G_LOG_LEVEL_WARNING, G_LOG_LEVEL_CRITICAL};
  std::vector<LogOutput> outputs;
  std::istringstream words(spec);
  std::string word;
  while (words >> word) {
    auto bad = [&word](const std::string& why) {
      return MakeError(
          VIR_ERR_CONF_SYNTAX, VIR_FROM_CONF,
          "log output '" + word + "': " + why +
              " (expected LEVEL:stderr, LEVEL:journald or LEVEL:file:PATH, LEVEL 1-4)");
    };
    if (word.size() < 3 || word[0] < '1' || word[0] > '4' || word[1] != ':') {
      return bad("no level");
    }
    LogOutput output;
    output.max_level = kByNumber[word[0] - '1'];
    std::string rest = word.substr(2);
    if (rest == "stderr") {
      output.kind = LogOutput::Kind::kStderr;
    } else if (rest == "journald") {
      output.kind = LogOutput::Kind::kJournald;
    } else if (rest.rfind("file:", 0) == 0 && rest.size() > 5 && rest[5] == '/') {
      output.kind = LogOutput::Kind::kFile;
      output.path = rest.substr(5);
    } else if (rest == "syslog" || rest.rfind("syslog:", 0) == 0) {
      return bad("syslog is not supported; use journald");
    } else {
      return bad("unknown destination");
    }
    outputs.push_back(std::move(output));
  }
  if (outputs.empty()) outputs.push_back(LogOutput{});
  return outputs;
}

Result<std::vector<LogSink::Output>> LogSink::OpenAll(std::vector<LogOutput> outputs) {
  std::vector<Output> opened;
  for (LogOutput& spec : outputs) {
    Output output{std::move(spec), UniqueFd()};
    if (output.spec.kind == LogOutput::Kind::kFile) {
      output.file =
          UniqueFd(open(output.spec.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
      if (!output.file.valid()) {
        return SystemErrorFromErrno(errno, "cannot open log file '" + output.spec.path + "'");
      }
    }
    opened.push_back(std::move(output));
  }
  return opened;
}

Result<std::unique_ptr<LogSink>> LogSink::Open(GLogLevelFlags level,
                                               std::vector<LogOutput> outputs) {
  std::unique_ptr<LogSink> sink(new LogSink());
  ASSIGN_OR_RETURN(sink->outputs_, OpenAll(std::move(outputs)));
  sink->level_ = level;
  sink->stderr_is_journal_ = StderrIsJournal();
  g_log_set_default_handler(&LogSink::Handle, sink.get());
  return sink;
}

LogSink::~LogSink() { g_log_set_default_handler(g_log_default_handler, nullptr); }

Status LogSink::Reconfigure(GLogLevelFlags level, std::vector<LogOutput> outputs) {
  ASSIGN_OR_RETURN(outputs_, OpenAll(std::move(outputs)));
  level_ = level;
  return Status::Ok();
}

void LogSink::Handle(const gchar*, GLogLevelFlags level, const gchar* message,
                     gpointer self) noexcept {
  try {
    static_cast<LogSink*>(self)->Write(GLogLevelFlags(level & G_LOG_LEVEL_MASK), message);
  } catch (...) {
    // A line that cannot be formatted (out of memory) is dropped.
  }
}

void LogSink::Write(GLogLevelFlags severity, const char* message) {
  // GLib's levels grow as severity falls: a higher bit is less severe.
  if (severity > level_) return;
  for (const Output& output : outputs_) {
    if (severity > output.spec.max_level) continue;
    switch (output.spec.kind) {
      case LogOutput::Kind::kStderr:
        if (stderr_is_journal_) {
          // One line with its priority as a "<N>" prefix, which the journal
          // files and strips; it stamps lines itself.
          WriteAll(STDERR_FILENO, "<" + std::to_string(PriorityOf(severity)) + ">" +
                                      LevelName(severity) + ": " + message + "\n");
        } else {
          WriteAll(STDERR_FILENO, StampedLine(severity, message));
        }
        break;
      case LogOutput::Kind::kJournald:
        sd_journal_send("MESSAGE=%s", message, "PRIORITY=%d", PriorityOf(severity),
                        "SYSLOG_IDENTIFIER=virtnatd", nullptr);
        break;
      case LogOutput::Kind::kFile:
        WriteAll(output.file.get(), StampedLine(severity, message));
        break;
    }
  }
}

}  // namespace virtnat::driver
