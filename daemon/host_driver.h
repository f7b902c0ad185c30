#pragma once
// Builds the real implementations behind the driver: the kernel interfaces
// (netlink, nftables, host facts, sysctls), supervised dnsmasq, the
// HostRealizer, and the file store for persistent definitions.

#include <glib.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "common/status.h"
#include "daemon/options.h"
#include "driver/bridge.h"
#include "driver/drift_repair.h"
#include "driver/file_store.h"
#include "driver/firewall_nft.h"
#include "driver/host_facts.h"
#include "driver/host_realizer.h"
#include "driver/memory_driver.h"
#include "driver/network_state.h"
#include "driver/network_state_adopt.h"
#include "driver/status_store.h"
#include "driver/sysctl.h"

namespace virtnat::daemon {

class HostDriverParts {
 public:
  // Opens the kernel interfaces in the calling thread's network namespace.
  // dnsmasq is supervised on the thread-default main context of the caller;
  // its exits and restarts are logged as warnings naming the network.
  static Result<std::unique_ptr<HostDriverParts>> Open(const Options& opts);
  ~HostDriverParts();

  driver::HostRealizer& realizer() { return *realizer_; }
  driver::FileStore& store() { return *store_; }
  driver::StatusStore& status() { return *status_; }
  // The firewall and realizer as the drift repairer sees them.
  driver::DriftHost& drift_host() { return *drift_host_; }
  // The netlink port of the firewall's socket (its own changes, for the
  // nftables monitor to ignore).
  uint32_t firewall_portid() const { return firewall_->portid(); }
  // The bridge, firewall record and dnsmasq of a network running here.
  driver::RunningFacts FactsOf(const std::string& network) const;
  // Tears the networks of `records` down, in this namespace.
  driver::CleanupHooks Cleanup(const std::vector<driver::StatusRecord>& records);
  // Re-adopts the networks of `records` into the realizer and `driver`, in
  // this namespace (network_state_adopt.h). Includes Cleanup(records).
  driver::AdoptHooks Adoption(const std::vector<driver::StatusRecord>& records,
                              driver::DefinitionCodec& codec, driver::MemoryDriver& driver);
  // Called on the loop, soon after supervision restarted a network's
  // dnsmasq (its status record must name the new process).
  void SetDnsmasqRestarted(std::function<void(const std::string& network)> callback) {
    dnsmasq_restarted_ = std::move(callback);
  }

 private:
  HostDriverParts() = default;
  void OnDnsmasqEvent(const std::string& network, const std::string& line);
  static gboolean OnRestartedIdle(gpointer self) noexcept;

  std::unique_ptr<driver::RealNetlink> netlink_;
  std::unique_ptr<driver::NftFirewall> firewall_;
  std::unique_ptr<driver::RealHostFacts> facts_;
  std::unique_ptr<driver::Sysctl> sysctl_;
  std::unique_ptr<driver::HostRealizer> realizer_;
  std::unique_ptr<driver::FileStore> store_;
  std::unique_ptr<driver::StatusStore> status_;
  std::unique_ptr<driver::DriftHost> drift_host_;
  std::function<void(const std::string&)> dnsmasq_restarted_;
  std::set<std::string> restarted_;  // networks whose record awaits a rewrite
  guint restarted_idle_ = 0;
};

}  // namespace virtnat::daemon
