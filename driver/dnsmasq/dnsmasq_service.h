#pragma once
// The realizer's side of dnsmasq: the process behind a narrow interface (so
// the realizer's transactions are unit-tested with a fake), and dnsmasq's
// files written with the modes dnsmasq needs (dnsmasq_config.h: the .conf
// 0600, read as root; the hosts files 0644, re-read as the unprivileged user
// on every SIGHUP).

#include <glib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/dnsmasq/dnsmasq_process.h"

namespace virtnat::driver {

// One network's dnsmasq.
class DnsmasqService {
 public:
  virtual ~DnsmasqService() = default;
  // Starts it, blocking until it runs or failed; on error nothing is left
  // running.
  virtual Status Start() = 0;
  using StartDone = std::function<void(Status)>;
  // Starts it without blocking the loop: `done` gets the outcome, during
  // this call (this default, fakes) or later on the loop; it may destroy the
  // service. Stopping or destroying the service before `done` ran cancels
  // the start (nothing is left running) and `done` is not called.
  virtual void BeginStart(StartDone done) { done(Start()); }
  // SIGHUP: re-read the hosts files (same pid, leases kept).
  virtual Status Reload() = 0;
  // Asks it to exit (SIGTERM) without waiting, so that its exit overlaps the
  // rest of a teardown; Stop() then waits for it. Nothing restarts it after
  // this. Optional: Stop() alone does it all.
  virtual void BeginStop() {}
  virtual Status Stop() = 0;
  // Takes over the dnsmasq an earlier daemon started with this very command.
  virtual Status Adopt() { return InternalError("cannot adopt a running dnsmasq"); }
  virtual std::optional<pid_t> pid() const = 0;
};

using DnsmasqFactory = std::function<std::unique_ptr<DnsmasqService>(DnsmasqCommand)>;

// Receives the supervision events (DnsmasqProcess::Listener) of the
// dnsmasq started with `command`.
using DnsmasqEventListener =
    std::function<void(const DnsmasqCommand& command, const std::string& line)>;

// Supervised DnsmasqProcess instances on `context` (restarts run there).
// REQUIRES: the realizer is called on the thread that iterates `context`.
DnsmasqFactory SupervisedDnsmasq(GMainContext* context, DnsmasqTimings timings = {},
                                 DnsmasqEventListener listener = {});

// The command for the plan of `network`: argv[0] the binary, libvirt's
// environment (VIR_BRIDGE_NAME only, so errors read like libvirt's), the
// pid file.
DnsmasqCommand CommandForPlan(const std::string& network, const DnsmasqPlan& plan,
                              const DnsmasqPaths& paths, const std::string& bridge,
                              const std::string& user);

// Creates the directory of `path` (0755) if it is missing.
Status EnsureParentDirectory(const std::string& path);

// Replaces PATH atomically with exactly `mode` (WriteFileAtomic: dnsmasq
// never reads half a file), creating the parent directory 0755 if needed.
Status WriteDnsmasqFile(const std::string& path, const std::string& content, mode_t mode);

// The two files dnsmasq re-reads on SIGHUP, always both (the conf names the
// addn-hosts file even when it is empty).
Status WriteDnsmasqHostsFiles(const DnsmasqPlan& plan, const DnsmasqPaths& paths);
// The .conf and both hosts files; creates the pid file's directory.
Status WriteDnsmasqFiles(const DnsmasqPlan& plan, const DnsmasqPaths& paths);
// Removes the .conf, hosts files and pid file, and the temporary files of
// interrupted writes (RemoveDnsmasqTemps) (not the lease database: leases outlive a network
// restart, as in libvirt). Missing files are fine.
Status RemoveDnsmasqFiles(const DnsmasqPaths& paths);
// Removes what writes of the .conf and hosts files cut off by a crash left:
// WriteFileAtomic's temporary entries, and the PATH.new files of daemons
// before it.
Status RemoveDnsmasqTemps(const DnsmasqPaths& paths);

}  // namespace virtnat::driver
