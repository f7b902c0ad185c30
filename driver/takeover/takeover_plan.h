#pragma once
// Switching a host between libvirt's network driver and virtnatd, as pure
// decisions over what the host reports (takeover_host.h gathers it and
// carries the steps out):
//  - take-over: every network libvirt left running (its daemon stopped) is
//    adopted as it runs: its bridge and every port stay, its leases move to
//    virtnatd's dnsmasq, libvirt's firewall gives way to virtnatd's;
//  - hand-back: the reverse, so that libvirt's daemon, started again, finds
//    its networks active and re-creates its own dnsmasq and rules.
// Both run as a list of steps, each with its undo: a step that fails undoes
// every step before it, in reverse, so the host is left as it was.

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/objects/definition_codec.h"
#include "driver/realize/network_plan.h"

namespace virtnat::driver {

// One effect and how to take it back.
struct SwitchStep {
  std::string what;  // "stop libvirt's dnsmasq of network 'default'"
  std::function<Status()> run;
  std::function<Status()> undo;  // empty: nothing to undo
};

struct StepsReport {
  bool ok = true;
  std::vector<std::string> done;      // what ran, in order (undone ones too)
  std::vector<std::string> problems;  // the failure, then each undo that failed
};

// Runs `steps` in order; on the first failure undoes the ones done, last
// first, and reports what failed.
StepsReport RunSwitchSteps(const std::vector<SwitchStep>& steps);

// What the host says about one network libvirt runs.
struct LibvirtRunningNetwork {
  std::string name;
  std::string status_path;  // RUN/libvirt/network/NAME.xml
  std::string status_xml;
  std::string config_xml;  // its persistent definition; empty: transient
  bool autostart = false;
  std::optional<pid_t> dnsmasq;  // libvirt's dnsmasq of this network, running
};

struct TakeOverFacts {
  // A libvirt daemon still running its network driver ("libvirtd, pid N").
  std::optional<std::string> libvirt_daemon;
  std::vector<LibvirtRunningNetwork> networks;
  std::set<std::string> interfaces;  // the host's network interfaces
  // libvirt's lease files by bridge name: path and contents.
  std::map<std::string, std::pair<std::string, std::string>> lease_files;
};

// One network as virtnatd takes it.
struct NetworkTakeOver {
  std::string name;
  xml::NetworkDef live;
  std::string config_xml;  // what virtnatd defines; empty: a transient network
  bool autostart = false;
  NetworkPlan plan;
  std::string lease_database;  // virtnatd's dnsmasq lease file
  size_t leases = 0;
  std::optional<pid_t> libvirt_dnsmasq;
  std::string status_path;  // libvirt's status file, kept aside while virtnatd runs it
};

struct TakeOverPlan {
  std::vector<NetworkTakeOver> networks;
  // "network 'N': why": any refusal and nothing changes.
  std::vector<std::string> refusals;
};

// `check_driver` says whether virtnatd can take the definition (its name or
// uuid not another network's).
TakeOverPlan PlanTakeOver(const TakeOverFacts& facts, DefinitionCodec& codec,
                          const NetworkPlanFacts& plan_facts,
                          const std::function<Status(const xml::NetworkDef&)>& check_driver);

// The effects of a take-over, each one network's or all of them at once.
class TakeOverHost {
 public:
  virtual ~TakeOverHost() = default;
  virtual Status Define(const NetworkTakeOver& net) = 0;
  virtual Status Undefine(const NetworkTakeOver& net) = 0;
  virtual Status WriteLeases(const NetworkTakeOver& net) = 0;
  virtual Status RemoveLeases(const NetworkTakeOver& net) = 0;
  // virtnatd's rules for the network, one nftables batch.
  virtual Status ApplyRules(const NetworkTakeOver& net) = 0;
  virtual Status RemoveRules(const NetworkTakeOver& net) = 0;
  // libvirt's iptables chains and nftables tables, saved first.
  virtual Status RemoveLibvirtFirewall() = 0;
  virtual Status RestoreLibvirtFirewall() = 0;
  virtual Status StopLibvirtDnsmasq(const NetworkTakeOver& net) = 0;
  virtual Status RestartLibvirtDnsmasq(const NetworkTakeOver& net) = 0;
  virtual Status StartDnsmasq(const NetworkTakeOver& net) = 0;
  virtual Status StopDnsmasq(const NetworkTakeOver& net) = 0;
  // libvirt's status file and autostart link kept aside, so that a libvirt
  // daemon started meanwhile neither claims nor starts the network.
  virtual Status RetireLibvirtState(const NetworkTakeOver& net) = 0;
  virtual Status RestoreLibvirtState(const NetworkTakeOver& net) = 0;
  // virtnatd marks the network running and writes its status record.
  virtual Status Record(const NetworkTakeOver& net) = 0;
};

// The order: definitions and lease databases first; virtnatd's rules next
// to libvirt's (both let the traffic through), then libvirt's removed; per
// network libvirt's dnsmasq stopped and virtnatd's started at once (DHCP
// and DNS are down between the two); libvirt's files put aside; records.
std::vector<SwitchStep> TakeOverSteps(const TakeOverPlan& plan, TakeOverHost& host);

// One network as virtnatd hands it back.
struct NetworkHandBack {
  std::string name;
  std::string bridge;
  std::string live_xml;    // libvirt's status file gets it
  std::string config_xml;  // libvirt's definition; empty: transient
  bool autostart = false;
  std::string lease_database;  // virtnatd's, read back into libvirt's format
};

// Refuses (VIR_ERR_CONFIG_UNSUPPORTED) a definition that uses virtnatd's
// extension namespace, which libvirt would drop: naming the element and the
// fix.
Status CheckHandBack(const std::string& name, const std::string& live_xml,
                     const std::string& config_xml);

class HandBackHost {
 public:
  virtual ~HandBackHost() = default;
  // libvirt's definition, autostart link, status file and lease file.
  virtual Status WriteLibvirtState(const NetworkHandBack& net) = 0;
  virtual Status RemoveLibvirtState(const NetworkHandBack& net) = 0;
  virtual Status RemoveRules(const NetworkHandBack& net) = 0;
  virtual Status RestoreRules(const NetworkHandBack& net) = 0;
  // Not undone: while its status record stays, virtnatd's next start
  // gives the network a new dnsmasq (network_state_adopt.h).
  virtual Status StopDnsmasq(const NetworkHandBack& net) = 0;
  // virtnatd forgets the network: record and definition removed.
  virtual Status Forget(const NetworkHandBack& net) = 0;
};

// The order: libvirt's files first; per network virtnatd's rules removed,
// then its dnsmasq stopped; last, virtnatd forgets the networks.
std::vector<SwitchStep> HandBackSteps(const std::vector<NetworkHandBack>& networks,
                                      HandBackHost& host);

}  // namespace virtnat::driver
