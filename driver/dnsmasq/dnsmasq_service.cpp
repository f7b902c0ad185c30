#include "driver/dnsmasq/dnsmasq_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

class SupervisedService final : public DnsmasqService {
 public:
  SupervisedService(DnsmasqCommand command, GMainContext* context, DnsmasqTimings timings,
                    const DnsmasqEventListener& listener)
      : process_(std::move(command), context, timings) {
    // The process's own command: a copy in the listener was a second one
    // per running network.
    if (listener) {
      process_.SetListener(
          [this, listener](const std::string& line) { listener(process_.command(), line); });
    }
  }
  Status Start() override { return process_.Start(); }
  void BeginStart(StartDone done) override {
    auto shared = std::make_shared<StartDone>(std::move(done));
    Status begun = process_.BeginStart([shared](Status s) { (*shared)(std::move(s)); });
    if (!begun.ok()) (*shared)(std::move(begun));
  }
  Status Reload() override { return process_.Reload(); }
  void BeginStop() override { process_.BeginStop(); }
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
  command.lease_file = paths.lease_file;
  command.bridge = bridge;
  return command;
}

Status EnsureParentDirectory(const std::string& path) {
  const std::string parent = DirName(path);
  if (access(parent.c_str(), F_OK) == 0) return Status::Ok();
  RETURN_IF_ERROR(EnsureDirectory(parent, 0755));
  // dnsmasq, unprivileged, must traverse it to re-read its hosts files.
  chmod(parent.c_str(), 0755);
  return Status::Ok();
}

Status WriteDnsmasqFile(const std::string& path, const std::string& content, mode_t mode) {
  RETURN_IF_ERROR(EnsureParentDirectory(path));
  // Rewritten at every start and adoption: atomic for dnsmasq's reads and
  // for a daemon crash, but not synced (a reboot ends dnsmasq too).
  return WriteFileAtomic(path, content, mode, FileMode::kExact, Durability::kProcessCrash);
}

Status WriteDnsmasqHostsFiles(const DnsmasqPlan& plan, const DnsmasqPaths& paths) {
  RETURN_IF_ERROR(WriteDnsmasqFile(paths.hosts_file, plan.hosts_file, 0644));
  return WriteDnsmasqFile(paths.addn_hosts_file, plan.addn_hosts, 0644);
}

Status WriteDnsmasqFiles(const DnsmasqPlan& plan, const DnsmasqPaths& paths) {
  // dnsmasq writes its pid file there itself.
  if (!paths.pid_file.empty()) RETURN_IF_ERROR(EnsureParentDirectory(paths.pid_file));
  RETURN_IF_ERROR(WriteDnsmasqFile(paths.conf_file, plan.conf, 0600));
  return WriteDnsmasqHostsFiles(plan, paths);
}

Status RemoveDnsmasqFiles(const DnsmasqPaths& paths) {
  Status first = RemoveDnsmasqTemps(paths);
  for (const std::string& path :
       {paths.conf_file, paths.hosts_file, paths.addn_hosts_file, paths.pid_file}) {
    Status s = RemoveIfPresent(path);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

Status RemoveDnsmasqTemps(const DnsmasqPaths& paths) {
  const std::vector<std::string> files{paths.conf_file, paths.hosts_file, paths.addn_hosts_file};
  Status first = RemoveAtomicTemps(files);
  for (const std::string& path : files) {
    if (path.empty()) continue;
    Status s = RemoveIfPresent(path + ".new");
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

}  // namespace virtnat::driver
