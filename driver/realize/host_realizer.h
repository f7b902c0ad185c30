#pragma once
// The real NetworkRealizer: a network's plan (network_plan.h) applied to the
// host as one transaction, and a record of what was applied per network.
//
// Start: preflight (kernel features, bridge name free, IPv4 subnets not
// routed), then libvirt's order (host-effects.md §2.1): bridge, its IPv6
// sysctls, firewall batch, addresses, link up, routes, forwarding, the
// <bandwidth> tree (libvirt sets it last; here before dnsmasq, so that the
// reverter covers it), dnsmasq files and process. Any failure undoes every
// earlier step (reverter.h), so no link, address, rule, process or file is
// left. StartAsync does the same but does not wait for dnsmasq: the steps
// before it run at once (but the firewall batch, sent while dnsmasq starts),
// and the network is recorded (or undone) when dnsmasq's launch completes on
// the loop; meanwhile the network is neither Applied nor startable again,
// and a Stop cancels the start.
// Stop: removes exactly what the record says (best effort, every step runs);
// dnsmasq gets SIGTERM first and is waited for last, and the bridge's
// deletion returns once it is unlisted (link_delete.h).
// Reload: host-effects.md §4.5 — hosts-file changes are a rewrite + SIGHUP
// (same pid), firewall changes one batch, other dnsmasq changes a restart of
// dnsmasq alone, a <bandwidth> change replaces the tree; bridge, address,
// route and forwarding changes are refused.
// ReloadAsync does the same without waiting for a restarted dnsmasq.
//
// All effects happen in the network namespace of the injected objects (and,
// for sysctls and dnsmasq, of the calling thread).
// REQUIRES: every call on the thread that iterates the dnsmasq context; the
// injected objects outlive the realizer.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/dnsmasq/dnsmasq_service.h"
#include "driver/firewall/firewall.h"
#include "driver/firewalld/firewalld.h"
#include "driver/link/bridge.h"
#include "driver/link/host_facts.h"
#include "driver/link/sysctl.h"
#include "driver/network_realizer.h"
#include "driver/ports/sysfs_vfs.h"
#include "driver/qos/qos.h"
#include "driver/realize/network_plan.h"
#include "driver/realize/reverter.h"

namespace virtnat::driver {

struct HostRealizerDeps {
  Netlink* netlink = nullptr;
  Firewall* firewall = nullptr;
  HostFacts* facts = nullptr;
  Sysctl* sysctl = nullptr;
  // Needed only by networks with <bandwidth>; without it they fail to start.
  Qos* qos = nullptr;
  // Puts bridges in their firewalld zone (firewalld_zone.h); null: a host
  // without firewalld (a network asking for a zone fails to start).
  Firewalld* firewalld = nullptr;
  DnsmasqFactory dnsmasq;
  NetworkPlanFacts paths;
  // Where the SR-IOV virtual functions of a <pf> are read (sysfs_vfs.h).
  std::string sysfs_root = SysfsRoot();
  // Called after the preflight of a start, before its first host effect, so
  // that a daemon killed halfway leaves its successor a record of what to
  // tear down; a failure refuses the start. `abandon_start` runs when the
  // start fails and is rolled back. Either may be empty.
  std::function<Status(const xml::NetworkDef& live, const NetworkPlan& plan)> begin_start;
  std::function<void(const std::string& network)> abandon_start;
};

class HostRealizer final : public NetworkRealizer {
 public:
  explicit HostRealizer(HostRealizerDeps deps) : deps_(std::move(deps)) {}
  // Leaves running networks as they are (a restarted daemon adopts them);
  // their dnsmasq stops being supervised. Starts in progress are undone
  // without calling their `done`.
  ~HostRealizer() override = default;

  Status Start(const xml::NetworkDef& def) override;
  void StartAsync(const xml::NetworkDef& def, StartDone done) override;
  Status Stop(const xml::NetworkDef& def) override;
  Status Reload(const xml::NetworkDef& old_def, const xml::NetworkDef& new_def) override;
  // As Reload, but a dnsmasq (re)start completes later on the loop: until
  // then the record keeps the old plan and a further reload is refused.
  // A failed restart brings the old dnsmasq back (its start blocks, bounded
  // by the start timeout: that configuration started before).
  void ReloadAsync(const xml::NetworkDef& old_def, const xml::NetworkDef& new_def,
                   StartDone done) override;
  Result<std::vector<NetworkDhcpLease>> Leases(const xml::NetworkDef& def) override;
  // Takes over `def` (the live definition) as an earlier daemon left it
  // running: nothing on the host changes but dnsmasq's hosts files; its
  // dnsmasq (the one its pid file names, if that runs this network's
  // command) is adopted, same pid. With `start_if_gone` a new dnsmasq is
  // started when there is none to adopt. An earlier daemon killed in a live
  // update may have left the hosts files ahead of (or behind) the recorded
  // definition: they are rewritten from it and dnsmasq re-reads them. The
  // <bandwidth> tree is rebuilt (removed and applied again), so that one
  // lost or changed meanwhile is whole again. The caller has given the
  // firewall the network's rules.
  Status Adopt(const xml::NetworkDef& def, bool start_if_gone = false);
  // The same from the plan of the live definition. REQUIRES: `plan` made
  // with this realizer's plan_facts().
  Status Adopt(NetworkPlan plan, bool start_if_gone = false);
  // The facts this realizer plans with: where dnsmasq's files go.
  const NetworkPlanFacts& plan_facts() const { return deps_.paths; }
  // `network` is gone for good (a transient network stopped, an inactive one
  // undefined): removes what outlives a stop, dnsmasq's lease database, as
  // libvirt does.
  Status Forget(const std::string& network) override;
  bool InterfaceExists(const std::string& name) override;
  // Floors as classes under the network's <inbound> tree (qos.h's
  // AddFloor / RemoveFloor); a network that is not running here, or has no
  // <inbound>, cannot take one.
  Status PlugFloor(const xml::NetworkDef& def, const PortFloor& port,
                   unsigned long long floor_sum) override;
  Status UnplugFloor(const xml::NetworkDef& def, const PortFloor& port,
                     unsigned long long floor_sum) override;
  Result<std::vector<VirtualFunction>> VirtualFunctions(const std::string& pf) override {
    return ReadVirtualFunctions(deps_.sysfs_root, pf);
  }
  Status CheckHostDevices(const xml::NetworkDef& def) override {
    return CheckVirtualFunctionAddresses(deps_.sysfs_root, def);
  }

  // What is applied for `network`, or nullptr if it is not running here.
  const NetworkPlan* Applied(const std::string& network) const;
  // The running dnsmasq of `network`, if any.
  std::optional<pid_t> DnsmasqPid(const std::string& network) const;
  // The networks realized here, by name.
  std::vector<std::string> Networks() const;
  // Puts every running bridge in its firewalld zone again (after firewalld
  // reloaded or started); returns one line per network that failed.
  std::vector<std::string> RejoinZones();

 private:
  // A live update waiting for its new dnsmasq. Destroyed in reverse: the
  // starting dnsmasq (cancelled) goes before the reverter restores the
  // firewall and removes the new files.
  struct PendingReload {
    NetworkPlan wanted;
    Reverter revert;
    std::unique_ptr<DnsmasqService> dnsmasq;
    bool restart = false;  // the old dnsmasq was stopped: bring it back on failure
    StartDone done;
  };
  struct Record {
    NetworkPlan plan;
    std::unique_ptr<DnsmasqService> dnsmasq;  // null when the plan needs none
    std::unique_ptr<PendingReload> reload;    // a live update in progress
  };

  // A start whose steps before dnsmasq's launch are done. Members are
  // destroyed in reverse: a not yet committed dnsmasq (its launch cancelled)
  // goes before the reverter undoes the rest.
  struct PendingStart {
    NetworkPlan plan;
    Reverter revert;
    std::unique_ptr<DnsmasqService> dnsmasq;  // not yet started; null when the plan needs none
    StartDone done;                           // StartAsync's caller
    bool firewall_pending = false;            // the rules go in while dnsmasq starts
  };

  Status Preflight(const NetworkPlan& plan);
  // Replaces the applied <bandwidth> tree `old` by `wanted`; `revert` puts
  // `old` back.
  Status ReplaceQos(const QosPlan& old, const QosPlan& wanted, Reverter& revert);
  // Everything up to (not including) starting dnsmasq; with
  // `defer_firewall`, all but the rules (ApplyFirewall, while dnsmasq starts).
  Result<std::unique_ptr<PendingStart>> PrepareStart(const xml::NetworkDef& def,
                                                     bool defer_firewall = false);
  Status ApplyFirewall(PendingStart& pending);
  void FinishStart(const std::string& name, Status started);
  void Commit(const std::string& name, PendingStart& pending);
  // Writes dnsmasq's files (undone by `revert`) and makes its service.
  Result<std::unique_ptr<DnsmasqService>> PrepareDnsmasq(const NetworkPlan& plan, Reverter& revert);
  Result<std::unique_ptr<DnsmasqService>> StartDnsmasq(const NetworkPlan& plan);
  Status ReloadDnsmasq(Record& record, const NetworkPlan& wanted);
  void FinishReload(const std::string& name, Status started);
  void BringBackDnsmasq(Record& record);

  Firewalld& firewalld() { return deps_.firewalld ? *deps_.firewalld : no_firewalld_; }

  HostRealizerDeps deps_;
  NoFirewalld no_firewalld_;
  std::map<std::string, Record> applied_;
  std::map<std::string, std::unique_ptr<PendingStart>> starting_;
};

}  // namespace virtnat::driver
