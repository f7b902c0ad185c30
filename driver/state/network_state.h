#pragma once
// Keeps a status record (status_store.h) for every running network: written
// when the driver reports the network started — synchronously, so before the
// client that started it gets its reply — and removed when it stops. A
// restarted daemon reads these records to re-adopt or clean up networks.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/network_driver.h"
#include "driver/state/recorded_network.h"
#include "driver/state/status_record.h"
#include "driver/state/status_store.h"

namespace virtnat::driver {

// What the host holds for one running network.
struct RunningFacts {
  std::string bridge;
  std::vector<InterfaceAddress> addresses;  // on the bridge
  std::string firewall;                     // firewall_record.h text; empty: no rules
  std::optional<pid_t> dnsmasq_pid;
  std::vector<std::string> files;  // dnsmasq's conf, hosts and pid files
};

// The record of a running network; the dnsmasq identity (start time, command
// line) is read from /proc now, so that a later ProcessMatches is exact.
// `ports`: the network's ports as their XML.
Result<StatusRecord> BuildStatusRecord(const std::string& name, const std::string& live_xml,
                                       const RunningFacts& facts,
                                       std::vector<std::string> ports = {});

// How the host is changed when a recorded network is torn down.
class CleanupHost {
 public:
  virtual ~CleanupHost() = default;
  virtual bool InterfaceExists(const std::string& ifname) = 0;
  virtual Status DeleteBridge(const std::string& ifname) = 0;
  // Removes the rules `net` records (net.record.firewall is not empty).
  virtual Status RemoveFirewall(const RecordedNetwork& net) = 0;
  // Where the network's dnsmasq files are; nullopt: they are left alone.
  virtual std::optional<DnsmasqPaths> DnsmasqPathsOf(const std::string& network) = 0;
};

// Ends the recorded dnsmasq (only if pid, start time and command line all
// still match) and any process running with the network's dnsmasq
// configuration (a start or a restart of dnsmasq cut off before the record
// named it), removes the recorded files and dnsmasq's files but the leases
// (missing ones are fine), the recorded rules and the bridge. Every step
// runs; each failure comes back as a line naming the network.
std::vector<std::string> CleanUpRecordedNetwork(const RecordedNetwork& net, CleanupHost& host);

class NetworkStateRecorder {
 public:
  using FactsSource = std::function<RunningFacts(const std::string& network)>;
  using Reporter = std::function<void(const std::string& problem)>;

  // Subscribes to `driver`'s lifecycle events; everything must outlive the
  // recorder. A record that cannot be written or removed is reported, not
  // fatal: the network itself is up (or down).
  NetworkStateRecorder(NetworkDriver& driver, StatusStore& store, FactsSource facts,
                       Reporter report);
  ~NetworkStateRecorder();
  NetworkStateRecorder(const NetworkStateRecorder&) = delete;
  NetworkStateRecorder& operator=(const NetworkStateRecorder&) = delete;

  // Rewrites the record of a running network whose live definition or
  // ports changed.
  void Rewrite(const NetworkRef& net) { OnEvent(net, LifecycleEvent::kStarted); }

 private:
  void OnEvent(const NetworkRef& net, LifecycleEvent event);

  NetworkDriver& driver_;
  StatusStore& store_;
  FactsSource facts_;
  Reporter report_;
  int subscription_;
};

}  // namespace virtnat::driver
