#pragma once
// Puts running networks' firewall rules back when another program removed or
// changed them (`nft flush ruleset`, `systemctl restart nftables`, a deleted
// table, a flushed map), and says when another table's forward hook drops
// what the networks forward (Docker's `iptables -P FORWARD DROP`).
//
// One Check() reads what nftables holds once (ReadNftInventory, nft_dump.h), finds the
// networks whose rules are missing or incomplete (drift_check.h), restores
// the table with every running network's rules in one batch, and audits the
// forward hooks of the other tables (FindForwardDrops) and their input and
// output hooks (FindInputDrops: DHCP, DNS, TFTP to the host). The daemon calls it
// on every batch of nftables changes that were not its own (nft_monitor.h)
// and once at start-up: the monitor's debounce bounds the work of a storm of
// changes. After each start or stop of a network it runs only the audits
// (CheckAfterOwnChange).
//
// Each repair is logged as a warning naming the networks; each foreign drop
// is logged when it appears (once, not per check) and kept in warnings() for
// the status query until it is gone.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/drift/drift_check.h"
#include "driver/drift/firewall_audit.h"
#include "driver/drift/input_audit.h"
#include "driver/drift/nft_dump.h"

namespace virtnat::driver {

// A running network as the repairer sees it.
struct RunningNetwork {
  std::string name;
  std::string bridge;  // empty if unknown
  SharedRules rules;
  bool forwards_ipv4 = false;  // a forward mode (nat, route, open) with an IPv4 address
  bool forwards_ipv6 = false;
  GuestServices services;  // what its dnsmasq serves, for the input-hook audit
};

// The host side: the daemon's firewall and realizer, a fake in tests.
class DriftHost {
 public:
  virtual ~DriftHost() = default;
  // Every network running now, with the rules recorded for it. A network
  // that is stopped (or stopping) is not listed, so it is never restored.
  virtual std::vector<RunningNetwork> Running() = 0;
  // ReadNftInventory(count_in, counted) in the daemon's namespace.
  virtual Result<NftInventory> ReadInventory(const std::vector<NftTableInfo>& count_in,
                                             CountedTables counted) = 0;
  // Rebuilds the table with every running network's rules, in one batch.
  virtual Status RestoreFirewall() = 0;
};

class DriftRepairer {
 public:
  using Log = std::function<void(const std::string& line)>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Repairs logged one by one per minute; a program that keeps removing the
  // rules must not flood the log (repairs() still counts every one).
  static constexpr int kRepairsLoggedPerMinute = 5;

  // `host` outlives the repairer. `clock` is for tests.
  DriftRepairer(DriftHost& host, Log warning, Log info, Clock clock = nullptr);

  // See the file comment. Never fails: problems are logged.
  void Check();
  // After a start or stop by this daemon: its own batch left its table as
  // recorded, so only the audits of the other tables run, on an inventory
  // that does not count virtnat's rules (with hundreds of networks that
  // count was most of the check's time). Other programs' changes still
  // come through Check().
  void CheckAfterOwnChange();

  // The current foreign-drop warnings, one line each, naming table, chain,
  // network and what to do.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Called after a Check() that changed warnings().
  void SetWarningsChanged(std::function<void()> callback) { changed_ = std::move(callback); }
  // Restores done so far (each one batch).
  int repairs() const { return repairs_; }

 private:
  // The check; with kSkip, only the audits (virtnat's rules are not counted).
  void Run(CountedTables counted);
  // Whether the read succeeded; logs a failure once while it repeats.
  bool ReadOk(const Result<NftInventory>& inventory);
  void Repair(const std::vector<NetworkDrift>& drift);
  void Audit(const NftInventory& inventory, const std::vector<RunningNetwork>& running);

  DriftHost& host_;
  Log warning_;
  Log info_;
  std::function<void()> changed_;
  std::vector<std::string> warnings_;
  std::string last_read_error_;
  int repairs_ = 0;
  Clock clock_;
  std::chrono::steady_clock::time_point window_start_{};
  int logged_in_window_ = 0;
  int unlogged_in_window_ = 0;
};

// The warning for one finding: the audit's message (table, chain, network)
// and what to do about it, naming the bridge when known.
std::string ForwardDropWarning(const ForwardDropFinding& finding, const std::string& bridge);

}  // namespace virtnat::driver
