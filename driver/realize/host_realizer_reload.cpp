// Live updates of a running network (host_realizer.h: Reload, ReloadAsync).

#include <libvirt/libvirt.h>

#include "driver/dnsmasq/dnsmasq_update.h"
#include "driver/realize/host_realizer.h"

namespace virtnat::driver {
namespace {

Error BeingUpdated(const std::string& name) {
  return OperationInvalid("network '" + name + "' is being updated; try again when it is done");
}

Error LinkChangeRefused(const std::string& name) {
  return OperationUnsupported(
      "changing the bridge, addresses, routes or forward mode of running network '" + name +
      "' is not supported; restart the network");
}

}  // namespace

void HostRealizer::BringBackDnsmasq(Record& record) {
  // The network keeps serving as it did.
  Result<std::unique_ptr<DnsmasqService>> old = StartDnsmasq(record.plan);
  if (old.ok()) record.dnsmasq = std::move(*old);
}

Status HostRealizer::ReloadDnsmasq(Record& record, const NetworkPlan& wanted) {
  const DnsmasqPaths& paths = wanted.dnsmasq_paths;
  switch (DnsmasqUpdateAction(record.plan.dnsmasq, wanted.dnsmasq)) {
    case DnsmasqAction::kNone:
      return Status::Ok();
    case DnsmasqAction::kRefresh:
      if (!record.dnsmasq) return InternalError("dnsmasq of the network is not running");
      RETURN_IF_ERROR(WriteDnsmasqHostsFiles(wanted.dnsmasq, paths));
      return record.dnsmasq->Reload();
    case DnsmasqAction::kStop: {
      Status s = record.dnsmasq ? record.dnsmasq->Stop() : Status::Ok();
      record.dnsmasq.reset();
      Status removed = RemoveDnsmasqFiles(record.plan.dnsmasq_paths);
      return s.ok() ? removed : s;
    }
    case DnsmasqAction::kStart: {
      ASSIGN_OR_RETURN(record.dnsmasq, StartDnsmasq(wanted));
      return Status::Ok();
    }
    case DnsmasqAction::kRestart: {
      if (record.dnsmasq) RETURN_IF_ERROR(record.dnsmasq->Stop());
      record.dnsmasq.reset();
      Result<std::unique_ptr<DnsmasqService>> started = StartDnsmasq(wanted);
      if (started.ok()) {
        record.dnsmasq = std::move(*started);
        return Status::Ok();
      }
      BringBackDnsmasq(record);
      return started.status();
    }
  }
  return Status::Ok();
}

Status HostRealizer::Reload(const xml::NetworkDef& old_def, const xml::NetworkDef& new_def) {
  auto it = applied_.find(old_def.name);
  if (it == applied_.end()) {
    return OperationInvalid("network '" + old_def.name + "' is not realized on the host");
  }
  Record& record = it->second;
  if (record.reload) return BeingUpdated(old_def.name);
  ASSIGN_OR_RETURN(NetworkPlan wanted, PlanNetwork(new_def, deps_.paths));
  PlanChanges changes = ComparePlans(record.plan, wanted);
  if (changes.link) return LinkChangeRefused(old_def.name);
  Reverter revert;
  if (changes.qos) RETURN_IF_ERROR(ReplaceQos(record.plan.qos, wanted.qos, revert));
  if (changes.firewall) {
    RETURN_IF_ERROR(deps_.firewall->Replace(old_def.name, wanted.firewall));
    revert.Add([this, name = old_def.name, old = record.plan.firewall] {
      return deps_.firewall->Replace(name, old);
    });
  }
  if (changes.dnsmasq) RETURN_IF_ERROR(ReloadDnsmasq(record, wanted));
  revert.Commit();
  record.plan = std::move(wanted);
  return Status::Ok();
}

void HostRealizer::ReloadAsync(const xml::NetworkDef& old_def, const xml::NetworkDef& new_def,
                               StartDone done) {
  auto it = applied_.find(old_def.name);
  if (it == applied_.end() || it->second.reload) return done(Reload(old_def, new_def));
  Record& record = it->second;
  Result<NetworkPlan> wanted = PlanNetwork(new_def, deps_.paths);
  if (!wanted.ok()) return done(wanted.status());
  PlanChanges changes = ComparePlans(record.plan, *wanted);
  DnsmasqAction action = changes.dnsmasq ? DnsmasqUpdateAction(record.plan.dnsmasq, wanted->dnsmasq)
                                         : DnsmasqAction::kNone;
  if (changes.link || (action != DnsmasqAction::kStart && action != DnsmasqAction::kRestart)) {
    // Nothing to wait for.
    return done(Reload(old_def, new_def));
  }
  auto pending = std::make_unique<PendingReload>();
  pending->restart = action == DnsmasqAction::kRestart;
  if (changes.qos) {
    if (Status st = ReplaceQos(record.plan.qos, wanted->qos, pending->revert); !st.ok()) {
      return done(st);
    }
  }
  if (changes.firewall) {
    if (Status st = deps_.firewall->Replace(old_def.name, wanted->firewall); !st.ok()) {
      return done(st);
    }
    pending->revert.Add([this, name = old_def.name, old = record.plan.firewall] {
      return deps_.firewall->Replace(name, old);
    });
  }
  if (record.dnsmasq) {
    if (Status st = record.dnsmasq->Stop(); !st.ok()) return done(st);
    record.dnsmasq.reset();
  }
  Result<std::unique_ptr<DnsmasqService>> service = PrepareDnsmasq(*wanted, pending->revert);
  if (!service.ok()) {
    pending.reset();
    if (action == DnsmasqAction::kRestart) BringBackDnsmasq(record);
    return done(service.status());
  }
  pending->dnsmasq = std::move(service).value();
  pending->wanted = std::move(wanted).value();
  pending->done = std::move(done);
  DnsmasqService& starting = *pending->dnsmasq;
  record.reload = std::move(pending);
  // May complete before it returns (a service that starts at once).
  starting.BeginStart(
      [this, name = old_def.name](Status started) { FinishReload(name, std::move(started)); });
}

void HostRealizer::FinishReload(const std::string& name, Status started) {
  auto it = applied_.find(name);
  if (it == applied_.end() || !it->second.reload) return;
  Record& record = it->second;
  std::unique_ptr<PendingReload> pending = std::move(record.reload);
  StartDone done = std::move(pending->done);
  if (started.ok()) {
    record.dnsmasq = std::move(pending->dnsmasq);
    record.plan = std::move(pending->wanted);
    pending->revert.Commit();
  } else {
    const bool restart = pending->restart;
    // The failed dnsmasq goes, then the firewall comes back and the new
    // files go.
    pending.reset();
    if (restart) BringBackDnsmasq(record);
  }
  done(std::move(started));
}

}  // namespace virtnat::driver
