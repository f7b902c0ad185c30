#pragma once
// Runs the drift repairer (driver/drift_repair.h) in the daemon: on every
// batch of nftables changes another program made (nft_monitor.h, ignoring
// the firewall's own socket), after each network start or stop (the audits
// only: DriftRepairer::CheckAfterOwnChange), and once when created (after
// re-adoption at start-up). Keeps RUN_DIR/virtnatd.health (daemon_health.h)
// current for `virtnatd --status`, and removes it when destroyed.

#include <glib.h>

#include <memory>
#include <string>

#include "common/glib_handle.h"
#include "driver/drift/drift_repair.h"
#include "driver/drift/nft_monitor.h"
#include "driver/network_driver.h"
#include "driver/state/daemon_health.h"

namespace virtnat::driver {

class DriftWatch {
 public:
  // Watches on the thread-default main context, in the calling thread's
  // network namespace. Without the privilege to watch nftables the repairer
  // still runs after starts and stops (logged at info level).
  // REQUIRES: `host` and `driver` outlive the watch; used on the loop thread.
  DriftWatch(DriftHost& host, uint32_t own_portid, NetworkDriver& driver, std::string run_dir);
  ~DriftWatch();
  DriftWatch(const DriftWatch&) = delete;
  DriftWatch& operator=(const DriftWatch&) = delete;

  // Checks at the next loop iteration (several requests make one check):
  // after this daemon's own start or stop only the audits run
  // (DriftRepairer::CheckAfterOwnChange), unless a full check is asked too.
  void CheckSoon(bool own_change = false);

 private:
  static gboolean OnIdle(gpointer self) noexcept;
  void Check();
  void WriteHealthIfChanged();

  DriftRepairer repairer_;
  NetworkDriver& driver_;
  std::string run_dir_;
  std::unique_ptr<NftMonitor> monitor_;
  int subscription_ = -1;
  GSourceId idle_;
  bool full_check_pending_ = false;
  DaemonHealth written_;
  bool health_written_ = false;
};

}  // namespace virtnat::driver
