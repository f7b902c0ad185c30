// Tearing down what a status record says an earlier daemon left running.

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "driver/dnsmasq/dnsmasq_service.h"
#include "driver/os/process_identity.h"
#include "driver/state/network_state.h"

namespace virtnat::driver {
namespace {

// The record's dnsmasq is not our child: wait by polling its identity, so a
// reused pid is never signalled.
Status EndRecordedDnsmasq(const DnsmasqStatus& d) {
  if (!ProcessMatches(d.pid, d.start_time, d.cmdline)) return Status::Ok();
  int sig = SIGTERM;
  for (int i = 0; i < 60; ++i) {
    if (i == 50) sig = SIGKILL;  // 5 s of SIGTERM, as dnsmasq's own stop allows
    if (i == 0 || i == 50) {
      if (kill(d.pid, sig) != 0 && errno != ESRCH) {
        return SystemErrorFromErrno(errno, "cannot end dnsmasq " + std::to_string(d.pid));
      }
    }
    if (!ProcessMatches(d.pid, d.start_time, d.cmdline)) return Status::Ok();
    struct timespec ts {
      0, 100 * 1000 * 1000
    };
    nanosleep(&ts, nullptr);
  }
  return InternalError("dnsmasq " + std::to_string(d.pid) + " did not exit");
}

// Every process running with this network's conf: one a start or a restart
// of dnsmasq left before the record could name it, perhaps still starting
// (the launcher forks the daemon), so look again until none is left.
Status EndDnsmasqOfConf(const DnsmasqPaths& paths) {
  const std::string conf_arg = "--conf-file=" + paths.conf_file;
  for (int round = 0; round < 10; ++round) {
    auto found = ProcessesWithArgument(conf_arg);
    if (found.empty()) return Status::Ok();
    for (auto& [pid, id] : found) {
      RETURN_IF_ERROR(EndRecordedDnsmasq(DnsmasqStatus{pid, id.start_time, id.cmdline}));
    }
  }
  return InternalError("dnsmasq with '" + conf_arg + "' keeps running");
}

}  // namespace

std::vector<std::string> CleanUpRecordedNetwork(const RecordedNetwork& net, CleanupHost& host) {
  const StatusRecord& record = net.record;
  std::vector<std::string> problems;
  auto note = [&](const Status& st) {
    if (!st.ok()) problems.push_back("network '" + record.name + "': " + st.message());
  };
  // dnsmasq first: it holds the bridge's addresses.
  if (record.dnsmasq) note(EndRecordedDnsmasq(*record.dnsmasq));
  for (const std::string& file : record.files) {
    if (unlink(file.c_str()) != 0 && errno != ENOENT) {
      note(SystemErrorFromErrno(errno, "cannot remove '" + file + "'"));
    }
  }
  if (std::optional<DnsmasqPaths> paths = host.DnsmasqPathsOf(record.name)) {
    note(EndDnsmasqOfConf(*paths));
    note(RemoveDnsmasqFiles(*paths));
  }
  if (!record.firewall.empty()) note(host.RemoveFirewall(net));
  if (!record.bridge.empty() && host.InterfaceExists(record.bridge)) {
    note(host.DeleteBridge(record.bridge));
  }
  // The ifb device of an <outbound> bandwidth outlives the bridge.
  if (net.plan && !net.plan->qos.ifb.empty() && host.InterfaceExists(net.plan->qos.ifb)) {
    note(host.DeleteBridge(net.plan->qos.ifb));
  }
  return problems;
}

}  // namespace virtnat::driver
