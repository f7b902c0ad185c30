#include "driver/realize/host_realizer.h"

#include <glib.h>
#include <libvirt/libvirt.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "driver/dnsmasq/dnsmasq_update.h"
#include "driver/dnsmasq/leases.h"
#include "driver/os/atomic_file.h"
#include "driver/realize/op_timing.h"
#include "driver/realize/reverter.h"

namespace virtnat::driver {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

Status RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return SystemErrorFromErrno(errno, "cannot remove '" + path + "'");
}

// Whether `path` holds exactly `wanted` (a file that cannot be read does not).
bool FileHolds(const std::string& path, const std::string& wanted) {
  Result<std::string> text = ReadFileLimited(path, wanted.size() + 1);
  return text.ok() && *text == wanted;
}

// Rewrites the hosts files if they differ from the plan's; dnsmasq re-reads
// them on SIGHUP (same pid, leases kept). Drops what writes cut off by a
// crash left (RemoveDnsmasqTemps).
Status SyncHostsFiles(const NetworkPlan& plan, DnsmasqService& dnsmasq) {
  const DnsmasqPaths& paths = plan.dnsmasq_paths;
  RETURN_IF_ERROR(RemoveDnsmasqTemps(paths));
  if (FileHolds(paths.hosts_file, plan.dnsmasq.hosts_file) &&
      FileHolds(paths.addn_hosts_file, plan.dnsmasq.addn_hosts)) {
    return Status::Ok();
  }
  RETURN_IF_ERROR(WriteDnsmasqHostsFiles(plan.dnsmasq, paths));
  return dnsmasq.Reload();
}

void Keep(Status* first, const Status& s) {
  if (first->ok() && !s.ok()) *first = s;
}

NetworkDhcpLease ToApiLease(const NetworkLease& lease, const std::string& bridge) {
  NetworkDhcpLease out;
  out.iface = bridge;
  out.expiry_time = static_cast<int64_t>(lease.expiry);
  out.type = lease.ip.is_v6() ? VIR_IP_ADDR_TYPE_IPV6 : VIR_IP_ADDR_TYPE_IPV4;
  if (!lease.mac.empty()) out.mac = lease.mac;
  if (lease.ip.is_v6()) out.iaid = lease.iaid;
  out.ip_address = lease.ip.ToString();
  out.prefix = lease.prefix;
  if (!lease.hostname.empty()) out.hostname = lease.hostname;
  if (!lease.client_id.empty()) out.client_id = lease.client_id;
  return out;
}

}  // namespace

const NetworkPlan* HostRealizer::Applied(const std::string& network) const {
  auto it = applied_.find(network);
  return it == applied_.end() ? nullptr : &it->second.plan;
}

std::vector<std::string> HostRealizer::Networks() const {
  std::vector<std::string> names;
  for (const auto& [name, record] : applied_) names.push_back(name);
  return names;
}

std::optional<pid_t> HostRealizer::DnsmasqPid(const std::string& network) const {
  auto it = applied_.find(network);
  if (it == applied_.end() || !it->second.dnsmasq) return std::nullopt;
  return it->second.dnsmasq->pid();
}

namespace {

// The floor's class on `plan`'s bridge and the new 1:2, or why not.
Result<std::pair<FloorClass, HtbShaper>> PlanFloor(const NetworkPlan* plan,
                                                   const xml::NetworkDef& def,
                                                   const PortFloor& port,
                                                   unsigned long long floor_sum) {
  if (!plan) return OperationInvalid("network '" + def.name + "' is not active");
  // Checked by the port's bandwidth checks; the plan is what runs.
  const std::optional<xml::Bandwidth> none;
  ASSIGN_OR_RETURN(FloorClass c,
                   PlanFloorClass(plan->qos.bridge, plan->qos.inbound ? def.bandwidth : none,
                                  port.mac, port.floor, port.class_id));
  return std::pair{c, OpenClassRate(*plan->qos.inbound, floor_sum)};
}

}  // namespace

Status HostRealizer::PlugFloor(const xml::NetworkDef& def, const PortFloor& port,
                               unsigned long long floor_sum) {
  ASSIGN_OR_RETURN(auto floor, PlanFloor(Applied(def.name), def, port, floor_sum));
  if (!deps_.qos) return OperationUnsupported("traffic control is not available to virtnatd");
  return deps_.qos->AddFloor(floor.first, floor.second);
}

Status HostRealizer::UnplugFloor(const xml::NetworkDef& def, const PortFloor& port,
                                 unsigned long long floor_sum) {
  const NetworkPlan* plan = Applied(def.name);
  // Stopped: the tree, with the port's class, went with the bridge.
  if (!plan || !plan->qos.inbound || !deps_.qos) return Status::Ok();
  ASSIGN_OR_RETURN(auto floor, PlanFloor(plan, def, port, floor_sum));
  return deps_.qos->RemoveFloor(floor.first, floor.second);
}

bool HostRealizer::InterfaceExists(const std::string& name) {
  Result<bool> exists = deps_.facts->InterfaceExists(name);
  // Unknown counts as taken: a name is chosen only when it is surely free.
  return !exists.ok() || *exists;
}

Status HostRealizer::Preflight(const NetworkPlan& plan) {
  RETURN_IF_ERROR(deps_.facts->CheckBridgeSupport());
  if (!plan.firewall.rules->empty()) RETURN_IF_ERROR(deps_.facts->CheckNftablesSupport());
  ASSIGN_OR_RETURN(bool taken, deps_.facts->InterfaceExists(plan.bridge.name));
  if (taken)
    return SystemErrorFromErrno(EEXIST, "error creating bridge interface " + plan.bridge.name);
  if (!plan.route_checks.empty()) {
    ASSIGN_OR_RETURN(std::vector<HostRoute> routes, deps_.facts->Ipv4Routes());
    for (const RouteCheck& check : plan.route_checks) {
      RETURN_IF_ERROR(check.is_route ? CheckRouteNotRouted(routes, check.address, check.prefix,
                                                           check.address_text)
                                     : CheckSubnetNotRouted(routes, check.address, check.prefix));
    }
  }
  return Status::Ok();
}

Status HostRealizer::ReplaceQos(const QosPlan& old, const QosPlan& wanted, Reverter& revert) {
  if (old == wanted || (old.empty() && wanted.empty())) return Status::Ok();
  if (!deps_.qos) {
    return InternalError("bandwidth of bridge '" + wanted.bridge +
                         "' cannot be applied: no traffic control on this host");
  }
  if (!old.empty()) RETURN_IF_ERROR(deps_.qos->Remove(old));
  // A failed Apply removes what it built itself (and only that: an ifb name
  // taken by another device is not ours to delete).
  if (Status applied = wanted.empty() ? Status::Ok() : deps_.qos->Apply(wanted); !applied.ok()) {
    if (!old.empty()) (void)deps_.qos->Apply(old);
    return applied;
  }
  revert.Add([this, old, wanted] {
    Status removed = wanted.empty() ? Status::Ok() : deps_.qos->Remove(wanted);
    Status restored = old.empty() ? Status::Ok() : deps_.qos->Apply(old);
    return removed.ok() ? restored : removed;
  });
  return Status::Ok();
}

Result<std::unique_ptr<DnsmasqService>> HostRealizer::PrepareDnsmasq(const NetworkPlan& plan,
                                                                     Reverter& revert) {
  const DnsmasqPaths& paths = plan.dnsmasq_paths;
  const bool had_leases = Exists(paths.lease_file);
  revert.Add([paths] { return RemoveDnsmasqFiles(paths); });
  if (!had_leases) revert.Add([paths] { return RemoveFile(paths.lease_file); });
  RETURN_IF_ERROR(WriteDnsmasqFiles(plan.dnsmasq, paths));
  return deps_.dnsmasq(CommandForPlan(plan.network, plan.dnsmasq, paths, plan.bridge.name,
                                      deps_.paths.dnsmasq_user));
}

Result<std::unique_ptr<DnsmasqService>> HostRealizer::StartDnsmasq(const NetworkPlan& plan) {
  Reverter revert;
  ASSIGN_OR_RETURN(std::unique_ptr<DnsmasqService> service, PrepareDnsmasq(plan, revert));
  RETURN_IF_ERROR(service->Start());
  revert.Commit();
  return service;
}

Status HostRealizer::Adopt(const xml::NetworkDef& def, bool start_if_gone) {
  if (applied_.count(def.name)) {
    return OperationInvalid("network '" + def.name + "' is already realized on the host");
  }
  ASSIGN_OR_RETURN(NetworkPlan plan, PlanNetwork(def, deps_.paths));
  return Adopt(std::move(plan), start_if_gone);
}

Status HostRealizer::Adopt(NetworkPlan plan, bool start_if_gone) {
  if (applied_.count(plan.network)) {
    return OperationInvalid("network '" + plan.network + "' is already realized on the host");
  }
  Record record;
  if (plan.dnsmasq.needed) {
    record.dnsmasq = deps_.dnsmasq(CommandForPlan(plan.network, plan.dnsmasq, plan.dnsmasq_paths,
                                                  plan.bridge.name, deps_.paths.dnsmasq_user));
    Status adopted = record.dnsmasq->Adopt();
    if (!adopted.ok() && start_if_gone) {
      ASSIGN_OR_RETURN(record.dnsmasq, StartDnsmasq(plan));
    } else if (!adopted.ok()) {
      return adopted;
    }
  }
  if (record.dnsmasq) RETURN_IF_ERROR(SyncHostsFiles(plan, *record.dnsmasq));
  if (!plan.qos.empty()) {
    // Rebuilt: a tree lost or changed while no daemon ran is whole again.
    Reverter unused;
    if (deps_.qos) RETURN_IF_ERROR(deps_.qos->Remove(plan.qos));
    RETURN_IF_ERROR(ReplaceQos(QosPlan{}, plan.qos, unused));
    unused.Commit();
  }
  // As libvirt at its start-up: the zone is set again (firewalld may have
  // restarted meanwhile); a failure is logged, the network keeps running.
  if (Status joined = JoinZone(plan.zone, firewalld()); !joined.ok()) {
    g_warning("network '%s': %s", plan.network.c_str(), joined.message().c_str());
  }
  const std::string name = plan.network;
  record.plan = std::move(plan);
  applied_.emplace(name, std::move(record));
  return Status::Ok();
}

std::vector<std::string> HostRealizer::RejoinZones() {
  std::vector<std::string> failures;
  for (const auto& [name, record] : applied_) {
    if (Status joined = JoinZone(record.plan.zone, firewalld()); !joined.ok()) {
      failures.push_back("network '" + name + "': " + joined.message());
    }
  }
  return failures;
}

Status HostRealizer::Forget(const std::string& network) {
  DnsmasqPaths paths = MakeDnsmasqPaths(deps_.paths.state_dir, deps_.paths.run_dir, network);
  return RemoveFile(paths.lease_file);
}

Result<std::unique_ptr<HostRealizer::PendingStart>> HostRealizer::PrepareStart(
    const xml::NetworkDef& def, bool defer_firewall) {
  if (applied_.count(def.name) || starting_.count(def.name)) {
    return OperationInvalid("network '" + def.name + "' is already realized on the host");
  }
  auto pending = std::make_unique<PendingStart>();
  ASSIGN_OR_RETURN(pending->plan, PlanNetwork(def, deps_.paths));
  const NetworkPlan& plan = pending->plan;
  const std::string& name = def.name;
  MarkOpPhase(name, "plan");
  if (!plan.external) RETURN_IF_ERROR(Preflight(plan));
  MarkOpPhase(name, "preflight");

  Reverter& revert = pending->revert;
  if (deps_.begin_start) {
    RETURN_IF_ERROR(deps_.begin_start(def, plan));
    revert.Add([this, name = def.name] {
      if (deps_.abandon_start) deps_.abandon_start(name);
      return Status::Ok();
    });
    MarkOpPhase(name, "intent");
  }
  if (plan.external) {
    // A host bridge (or none): nothing of it is created or removed here.
    RETURN_IF_ERROR(ReplaceQos(QosPlan{}, plan.qos, revert));
    return pending;
  }
  const std::string bridge = plan.bridge.name;
  RETURN_IF_ERROR(deps_.netlink->CreateBridge(plan.bridge));
  // Addresses and routes go with the link.
  revert.Add([this, bridge] { return deps_.netlink->DeleteLink(bridge); });
  MarkOpPhase(name, "bridge");
  RETURN_IF_ERROR(deps_.sysctl->ConfigureBridgeIpv6(bridge, plan.sysctls.bridge_ipv6));
  MarkOpPhase(name, "sysctl");
  // libvirt sets the zone with its firewall rules, before addresses.
  RETURN_IF_ERROR(JoinZone(plan.zone, firewalld()));
  revert.Add([this, zone = plan.zone] {
    LeaveZone(zone, firewalld());
    return Status::Ok();
  });
  MarkOpPhase(name, "zone");
  pending->firewall_pending = true;
  if (!defer_firewall || !plan.dnsmasq.needed) RETURN_IF_ERROR(ApplyFirewall(*pending));
  for (const InterfaceAddress& address : plan.addresses) {
    RETURN_IF_ERROR(deps_.netlink->AddAddress(bridge, address));
  }
  RETURN_IF_ERROR(deps_.netlink->SetLinkUp(bridge, true));
  // libvirt ignores a failing route; a missing route is invisible, so here
  // it fails the start (host-effects.md §3.4).
  for (const StaticRoute& route : plan.routes) {
    RETURN_IF_ERROR(deps_.netlink->AddRoute(bridge, route));
  }
  MarkOpPhase(name, "addresses");
  // Host-global and never reset (libvirt leaves them on too): no undo.
  if (plan.sysctls.ipv6_forwarding) RETURN_IF_ERROR(deps_.sysctl->EnableIpv6Forwarding());
  if (plan.sysctls.ipv4_forwarding) RETURN_IF_ERROR(deps_.sysctl->EnableIpv4Forwarding());
  MarkOpPhase(name, "forwarding");
  RETURN_IF_ERROR(ReplaceQos(QosPlan{}, plan.qos, revert));
  MarkOpPhase(name, "qos");
  if (plan.dnsmasq.needed) {
    ASSIGN_OR_RETURN(pending->dnsmasq, PrepareDnsmasq(plan, revert));
    MarkOpPhase(name, "dnsmasq_files");
  }
  return pending;
}

Status HostRealizer::ApplyFirewall(PendingStart& pending) {
  if (!pending.firewall_pending) return Status::Ok();
  pending.firewall_pending = false;
  const std::string& name = pending.plan.network;
  RETURN_IF_ERROR(deps_.firewall->Apply(name, pending.plan.firewall));
  pending.revert.Add([this, name] { return deps_.firewall->Remove(name); });
  MarkOpPhase(name, "firewall");
  return Status::Ok();
}

void HostRealizer::Commit(const std::string& name, PendingStart& pending) {
  Record record;
  record.plan = std::move(pending.plan);
  record.dnsmasq = std::move(pending.dnsmasq);
  applied_.emplace(name, std::move(record));
  pending.revert.Commit();
}

Status HostRealizer::Start(const xml::NetworkDef& def) {
  ASSIGN_OR_RETURN(std::unique_ptr<PendingStart> pending, PrepareStart(def));
  if (pending->dnsmasq) RETURN_IF_ERROR(pending->dnsmasq->Start());
  Commit(def.name, *pending);
  return Status::Ok();
}

// libvirt's order but for the rules, which go in while dnsmasq starts (its
// exec and start-up, the longest part of a start, overlap the batch); the
// network is recorded only once both are done.
void HostRealizer::StartAsync(const xml::NetworkDef& def, StartDone done) {
  Result<std::unique_ptr<PendingStart>> prepared = PrepareStart(def, true);
  if (!prepared.ok()) {
    done(prepared.status());
    return;
  }
  std::unique_ptr<PendingStart> pending = std::move(prepared).value();
  if (!pending->dnsmasq) {
    Commit(def.name, *pending);
    done(Status::Ok());
    return;
  }
  pending->done = std::move(done);
  DnsmasqService& service = *pending->dnsmasq;
  PendingStart& started = *pending;
  starting_[def.name] = std::move(pending);
  // May complete before it returns (a service that starts at once): then
  // FinishStart applied the rules itself.
  service.BeginStart([this, name = def.name](Status s) { FinishStart(name, s); });
  auto it = starting_.find(def.name);
  if (it == starting_.end() || it->second.get() != &started) return;
  // A failure cancels dnsmasq's launch and undoes the rest.
  if (Status applied = ApplyFirewall(started); !applied.ok()) FinishStart(def.name, applied);
}

void HostRealizer::FinishStart(const std::string& name, Status started) {
  auto it = starting_.find(name);
  if (it == starting_.end()) return;
  std::unique_ptr<PendingStart> pending = std::move(it->second);
  starting_.erase(it);
  MarkOpPhase(name, "dnsmasq");
  if (started.ok()) {
    started = ApplyFirewall(*pending);
    // dnsmasq runs (a supervised one outlives its service): end it too.
    if (!started.ok() && pending->dnsmasq) (void)pending->dnsmasq->Stop();
  }
  StartDone done = std::move(pending->done);
  if (started.ok()) Commit(name, *pending);
  // Not committed: the failed service goes, then the reverter undoes the rest.
  pending.reset();
  done(std::move(started));
}

Status HostRealizer::Stop(const xml::NetworkDef& def) {
  if (auto pending = starting_.find(def.name); pending != starting_.end()) {
    // Cancels the launch; its completion never comes.
    FinishStart(def.name, MakeError(VIR_ERR_OPERATION_ABORTED, VIR_FROM_NETWORK,
                                    "the start of network '" + def.name + "' was cancelled"));
    return Status::Ok();
  }
  auto it = applied_.find(def.name);
  if (it == applied_.end()) return Status::Ok();
  Record& record = it->second;
  StartDone cancelled;
  if (record.reload) {
    // Its dnsmasq is cancelled, the old rules come back (removed below).
    cancelled = std::move(record.reload->done);
    record.reload.reset();
  }
  Status first;
  const std::string& name = def.name;
  // libvirt's order (dnsmasq, rules, bridge), but dnsmasq's exit overlaps
  // the rest: it is waited for before the reply all the same.
  if (record.dnsmasq) record.dnsmasq->BeginStop();
  if (!record.plan.external) Keep(&first, deps_.firewall->Remove(def.name));
  MarkOpPhase(name, "firewall");
  // Explicit: the ifb device of <outbound> outlives the bridge.
  if (!record.plan.qos.empty()) Keep(&first, deps_.qos->Remove(record.plan.qos));
  // A host bridge of mode bridge belongs to the host: it stays.
  if (!record.plan.external) Keep(&first, deps_.netlink->DeleteLink(record.plan.bridge.name));
  MarkOpPhase(name, "link");
  if (record.dnsmasq) Keep(&first, record.dnsmasq->Stop());
  MarkOpPhase(name, "dnsmasq");
  if (record.plan.dnsmasq.needed) Keep(&first, RemoveDnsmasqFiles(record.plan.dnsmasq_paths));
  MarkOpPhase(name, "files");
  LeaveZone(record.plan.zone, firewalld());
  applied_.erase(it);
  if (cancelled) {
    cancelled(MakeError(VIR_ERR_OPERATION_ABORTED, VIR_FROM_NETWORK,
                        "the update of network '" + def.name + "' was cancelled"));
  }
  return first;
}

Result<std::vector<NetworkDhcpLease>> HostRealizer::Leases(const xml::NetworkDef& def) {
  auto it = applied_.find(def.name);
  if (it == applied_.end() || !it->second.plan.dnsmasq.needed)
    return std::vector<NetworkDhcpLease>{};
  LeasePrefixes prefixes;
  for (const InterfaceAddress& a : it->second.plan.addresses) {
    if (a.address.is_v4() && prefixes.v4 == 0) prefixes.v4 = a.prefix;
    if (a.address.is_v6() && prefixes.v6 == 0) prefixes.v6 = a.prefix;
  }
  ASSIGN_OR_RETURN(std::vector<NetworkLease> leases,
                   ReadNetworkLeases(it->second.plan.dnsmasq_paths.lease_file, prefixes));
  std::vector<NetworkDhcpLease> out;
  for (const NetworkLease& lease : SelectLeases(leases, std::nullopt, time(nullptr))) {
    out.push_back(ToApiLease(lease, it->second.plan.bridge.name));
  }
  return out;
}

}  // namespace virtnat::driver
