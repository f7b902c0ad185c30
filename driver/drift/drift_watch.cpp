#include "driver/drift/drift_watch.h"

#include <unistd.h>

#include <utility>

#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

void Warn(const std::string& line) { g_warning("%s", line.c_str()); }
void Info(const std::string& line) { g_info("%s", line.c_str()); }

}  // namespace

DriftWatch::DriftWatch(DriftHost& host, uint32_t own_portid, NetworkDriver& driver,
                       std::string run_dir)
    : repairer_(host, Warn, Info), driver_(driver), run_dir_(std::move(run_dir)) {
  Result<std::unique_ptr<NftMonitor>> monitor =
      NftMonitor::Start(g_main_context_get_thread_default(), [this](const NftChanges& changes) {
        for (const NftTableChange& change : changes.tables) {
          g_debug("nftables: %s", DescribeChange(change).c_str());
        }
        Check();
      });
  if (monitor.ok()) {
    monitor_ = std::move(monitor).value();
    monitor_->IgnoreChangesFrom(own_portid);
  } else {
    g_info("firewall rules removed by other programs are not restored: %s",
           monitor.error().message.c_str());
  }
  subscription_ = driver_.SubscribeLifecycle([this](const NetworkRef&, LifecycleEvent event) {
    if (event == LifecycleEvent::kStarted || event == LifecycleEvent::kStopped) {
      CheckSoon(/*own_change=*/true);
    }
  });
  Check();
}

DriftWatch::~DriftWatch() {
  idle_.reset();
  driver_.UnsubscribeLifecycle(subscription_);
  if (health_written_) (void)RemoveFileDurable(HealthPath(run_dir_));
}

void DriftWatch::CheckSoon(bool own_change) {
  if (!own_change) full_check_pending_ = true;
  if (!idle_) idle_.reset(g_idle_add(&DriftWatch::OnIdle, this));
}

gboolean DriftWatch::OnIdle(gpointer self) noexcept {
  auto* watch = static_cast<DriftWatch*>(self);
  watch->idle_.release();  // GLib removes it: G_SOURCE_REMOVE below
  try {
    if (std::exchange(watch->full_check_pending_, false)) {
      watch->Check();
    } else {
      watch->repairer_.CheckAfterOwnChange();
      watch->WriteHealthIfChanged();
    }
  } catch (...) {
    g_warning("the firewall check failed");
  }
  return G_SOURCE_REMOVE;
}

void DriftWatch::Check() {
  full_check_pending_ = false;
  repairer_.Check();
  WriteHealthIfChanged();
}

void DriftWatch::WriteHealthIfChanged() {
  DaemonHealth health{getpid(), repairer_.repairs(), repairer_.warnings()};
  if (health_written_ && health == written_) return;
  if (Status st = WriteHealth(run_dir_, health); !st.ok()) {
    g_warning("%s", st.message().c_str());
    return;
  }
  written_ = std::move(health);
  health_written_ = true;
}

}  // namespace virtnat::driver
