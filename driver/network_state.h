#pragma once
// Keeps a status record (status_store.h) for every running network: written
// when the driver reports the network started — synchronously, so before the
// client that started it gets its reply — and removed when it stops. A
// restarted daemon reads these records to re-adopt or clean up networks.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "driver/network_driver.h"
#include "driver/status_record.h"
#include "driver/status_store.h"

namespace virtnat::driver {

// What the host holds for one running network.
struct RunningFacts {
  std::string bridge;
  std::string firewall;  // firewall_record.h text; empty: no rules
  std::optional<pid_t> dnsmasq_pid;
};

// The record of a running network; the dnsmasq identity (start time, command
// line) is read from /proc now, so that a later ProcessMatches is exact.
Result<StatusRecord> BuildStatusRecord(const std::string& name, const std::string& live_xml,
                                       const RunningFacts& facts);

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

 private:
  void OnEvent(const NetworkRef& net, LifecycleEvent event);

  NetworkDriver& driver_;
  StatusStore& store_;
  FactsSource facts_;
  Reporter report_;
  int subscription_;
};

}  // namespace virtnat::driver
