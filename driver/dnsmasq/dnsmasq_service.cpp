#include "driver/dnsmasq/dnsmasq_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

namespace virtnat::driver {
namespace {

class SupervisedService final : public DnsmasqService {
 public:
  SupervisedService(DnsmasqCommand command, GMainContext* context, DnsmasqTimings timings,
                    const DnsmasqEventListener& listener)
      : process_(command, context, timings) {
    if (listener) {
      process_.SetListener(
          [listener, command](const std::string& line) { listener(command, line); });
    }
  }
  Status Start() override { return process_.Start(); }
  void BeginStart(StartDone done) override {
    auto shared = std::make_shared<StartDone>(std::move(done));
    Status begun = process_.BeginStart([shared](Status s) { (*shared)(std::move(s)); });
    if (!begun.ok()) (*shared)(std::move(begun));
  }
  Status Reload() override { return process_.Reload(); }
  Status Stop() override { return process_.Stop(); }
  Status Adopt() override { return process_.Adopt(); }
  std::optional<pid_t> pid() const override { return process_.pid(); }

 private:
  DnsmasqProcess process_;
};

Status RemoveIfPresent(const std::string& path) {
  if (path.empty() || unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return SystemErrorFromErrno(errno, "cannot remove '" + path + "'");
}

}  // namespace

DnsmasqFactory SupervisedDnsmasq(GMainContext* context, DnsmasqTimings timings,
                                 DnsmasqEventListener listener) {
  return [context, timings, listener = std::move(listener)](
             DnsmasqCommand command) -> std::unique_ptr<DnsmasqService> {
    return std::make_unique<SupervisedService>(std::move(command), context, timings, listener);
  };
}

DnsmasqCommand CommandForPlan(const std::string& network, const DnsmasqPlan& plan,
                              const DnsmasqPaths& paths, const std::string& bridge,
                              const std::string& user) {
  DnsmasqCommand command;
  command.network = network;
  if (!plan.argv.empty()) {
    command.binary = plan.argv[0];
    command.args.assign(plan.argv.begin() + 1, plan.argv.end());
  }
  command.env = {"VIR_BRIDGE_NAME=" + bridge};
  command.pid_file = paths.pid_file;
  command.user = user;
  return command;
}

Status EnsureParentDirectory(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty() || std::filesystem::exists(parent, ec)) return Status::Ok();
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return SystemErrorFromErrno(ec.value(), "cannot create directory '" + parent.string() + "'");
  }
  // dnsmasq, unprivileged, must traverse it to re-read its hosts files.
  chmod(parent.c_str(), 0755);
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& content, unsigned mode) {
  RETURN_IF_ERROR(EnsureParentDirectory(path));
  const std::string tmp = path + ".new";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return SystemErrorFromErrno(errno, "cannot write '" + tmp + "'");
  // open() honours the umask; the mode is part of the contract.
  bool ok = fchmod(fd, mode) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    if (n > 0) done += static_cast<size_t>(n);
  }
  int saved = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    unlink(tmp.c_str());
    return SystemErrorFromErrno(saved, "cannot write '" + path + "'");
  }
  return Status::Ok();
}

Status WriteDnsmasqHostsFiles(const DnsmasqPlan& plan, const DnsmasqPaths& paths) {
  RETURN_IF_ERROR(WriteFileAtomically(paths.hosts_file, plan.hosts_file, 0644));
  return WriteFileAtomically(paths.addn_hosts_file, plan.addn_hosts, 0644);
}

Status WriteDnsmasqFiles(const DnsmasqPlan& plan, const DnsmasqPaths& paths) {
  // dnsmasq writes its pid file there itself.
  if (!paths.pid_file.empty()) RETURN_IF_ERROR(EnsureParentDirectory(paths.pid_file));
  RETURN_IF_ERROR(WriteFileAtomically(paths.conf_file, plan.conf, 0600));
  return WriteDnsmasqHostsFiles(plan, paths);
}

Status RemoveDnsmasqFiles(const DnsmasqPaths& paths) {
  Status first;
  // With the temporary files that writes cut off by a crash left behind
  // (WriteFileAtomically).
  for (const std::string& path :
       {paths.conf_file, paths.hosts_file, paths.addn_hosts_file, paths.pid_file,
        paths.conf_file + ".new", paths.hosts_file + ".new", paths.addn_hosts_file + ".new"}) {
    Status s = path == ".new" ? Status::Ok() : RemoveIfPresent(path);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

}  // namespace virtnat::driver
