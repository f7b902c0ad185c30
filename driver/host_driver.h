#pragma once
// Builds the real implementations behind the driver: the kernel interfaces
// (netlink, nftables, host facts, sysctls), supervised dnsmasq, the
// HostRealizer, the file store for persistent definitions and the status
// store, which also holds the record of a start in progress
// (StartIntentRecord) until the network's own record replaces it.

#include <glib.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "common/glib_handle.h"
#include "common/status.h"
#include "driver/dnsmasq/lease_publisher.h"
#include "driver/drift/drift_repair.h"
#include "driver/firewall/firewall_nft.h"
#include "driver/firewalld/firewalld_dbus.h"
#include "driver/link/bridge_netlink.h"
#include "driver/link/host_facts_netlink.h"
#include "driver/link/sysctl.h"
#include "driver/objects/network_objects.h"
#include "driver/qos/qos_netlink.h"
#include "driver/realize/host_realizer.h"
#include "driver/state/network_state.h"
#include "driver/state/status_store.h"
#include "driver/store/file_store.h"

namespace virtnat::driver {

// Where the daemon keeps definitions (CONFIG_DIR), dnsmasq's files and
// leases (STATE_DIR/dnsmasq) and its runtime records (RUN_DIR).
struct HostDirs {
  std::string config_dir;
  std::string state_dir;
  std::string run_dir;
  std::string dnsmasq_binary;    // absolute; empty: /usr/sbin/dnsmasq
  unsigned start_timeout_s = 5;  // a dnsmasq not serving after this fails the start
  // Where each network's leases are published as BRIDGE.status for
  // libnss-libvirt (lease_publisher.h); empty: not published.
  std::string lease_status_dir;
};

class HostDriverParts {
 public:
  // Opens the kernel interfaces in the calling thread's network namespace.
  // dnsmasq is supervised on the thread-default main context of the caller;
  // its exits and restarts are logged as warnings naming the network.
  static Result<std::unique_ptr<HostDriverParts>> Open(const HostDirs& opts);
  ~HostDriverParts();

  HostRealizer& realizer() { return *realizer_; }
  FileStore& store() { return *store_; }
  StatusStore& status() { return *status_; }
  // The firewall and realizer as the drift repairer sees them.
  DriftHost& drift_host() { return *drift_host_; }
  // The netlink port of the firewall's socket (its own changes, for the
  // nftables monitor to ignore).
  uint32_t firewall_portid() const { return firewall_->portid(); }
  NftFirewall& firewall() { return *firewall_; }
  // The bridge, firewall record and dnsmasq of a network running here.
  RunningFacts FactsOf(const std::string& network) const;
  // Re-adopts, repairs or tears down the networks an earlier daemon left
  // running, from their status records, in this namespace, with `objects`
  // (parsing their live definitions with `codec`) and `recorder` (which
  // rewrites the records of adopted networks); logs what it did
  // (network_state_adopt.h AdoptOrCleanUp). Defined in host_adoption.cpp.
  void AdoptOrCleanUp(DefinitionCodec& codec, NetworkObjects& objects,
                      NetworkStateRecorder& recorder);
  // When firewalld reloads or (re)appears on the system bus: every running
  // bridge goes into its zone again (failures logged), then `recheck` runs
  // (the drift check of the daemon's own rules). On the loop.
  void WatchFirewalld(std::function<void()> recheck);
  // Called on the loop, soon after supervision restarted a network's
  // dnsmasq (its status record must name the new process).
  void SetDnsmasqRestarted(std::function<void(const std::string& network)> callback) {
    dnsmasq_restarted_ = std::move(callback);
  }

 private:
  HostDriverParts() = default;
  void OnDnsmasqEvent(const std::string& network, const std::string& line);
  static gboolean OnRestartedIdle(gpointer self) noexcept;

  std::unique_ptr<RealNetlink> netlink_;
  std::unique_ptr<NetlinkQos> qos_;
  std::unique_ptr<NftFirewall> firewall_;
  std::unique_ptr<RealHostFacts> facts_;
  std::unique_ptr<Sysctl> sysctl_;
  std::unique_ptr<FirewalldBus> firewalld_;
  std::unique_ptr<LeasePublisher> leases_;  // outlives the realizer's dnsmasq services
  // Before the realizer: destroying the realizer cancels starts still
  // pending (SIGTERM during autostart), and their rollback removes the
  // start intent from the status store.
  std::unique_ptr<StatusStore> status_;
  std::unique_ptr<HostRealizer> realizer_;
  std::unique_ptr<FileStore> store_;
  std::unique_ptr<DriftHost> drift_host_;
  std::function<void(const std::string&)> dnsmasq_restarted_;
  std::set<std::string> restarted_;  // networks whose record awaits a rewrite
  GSourceId restarted_idle_;
};

}  // namespace virtnat::driver
