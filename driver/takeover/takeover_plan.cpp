#include "driver/takeover/takeover_plan.h"

#include "driver/takeover/libvirt_files.h"
#include "xml/network_def.h"

namespace virtnat::driver {
namespace {

std::string Named(const std::string& name) { return "network '" + name + "'"; }

// Plans one network or says why it cannot be taken.
Result<NetworkTakeOver> PlanOne(const LibvirtRunningNetwork& found, const TakeOverFacts& facts,
                                DefinitionCodec& codec, const NetworkPlanFacts& plan_facts,
                                const std::function<Status(const xml::NetworkDef&)>& check) {
  NetworkTakeOver net;
  net.name = found.name;
  net.status_path = found.status_path;
  net.config_xml = found.config_xml;
  net.autostart = found.autostart && !found.config_xml.empty();
  ASSIGN_OR_RETURN(std::string live_xml,
                   NetworkFromLibvirtStatus(found.status_xml, found.status_path));
  ASSIGN_OR_RETURN(net.live, codec.Parse(live_xml, false));
  if (net.live.name != found.name) {
    return OperationFailed("libvirt's status file '" + found.status_path + "' is of network '" +
                           net.live.name + "'");
  }
  if (!found.config_xml.empty()) {
    ASSIGN_OR_RETURN(xml::NetworkDef config, codec.Parse(found.config_xml, false));
    if (config.uuid != net.live.uuid) {
      return OperationFailed("its definition and its status file have different uuids");
    }
  }
  RETURN_IF_ERROR(check(net.live));
  ASSIGN_OR_RETURN(net.plan, PlanNetwork(net.live, plan_facts));
  if (!facts.interfaces.count(net.plan.bridge.name)) {
    return OperationFailed("its bridge '" + net.plan.bridge.name +
                           "' is gone: libvirt's record is stale (start the network in libvirt "
                           "first, or delete '" +
                           found.status_path + "')");
  }
  if (net.plan.dnsmasq.needed && !found.dnsmasq) {
    return OperationFailed(
        "libvirt's dnsmasq for it does not run (start libvirtd once so it "
        "restarts it, stop libvirtd, and take over again)");
  }
  net.libvirt_dnsmasq = found.dnsmasq;
  if (auto file = facts.lease_files.find(net.plan.bridge.name); file != facts.lease_files.end()) {
    ASSIGN_OR_RETURN(std::vector<LibvirtLease> leases,
                     ParseLibvirtLeases(file->second.second, file->second.first));
    net.leases = leases.size();
    net.lease_database = FormatDnsmasqLeases(leases);
  }
  return net;
}

}  // namespace

StepsReport RunSwitchSteps(const std::vector<SwitchStep>& steps) {
  StepsReport report;
  size_t done = 0;
  for (; done < steps.size(); ++done) {
    report.done.push_back(steps[done].what);
    Status st = steps[done].run();
    if (!st.ok()) {
      report.ok = false;
      report.problems.push_back("cannot " + steps[done].what + ": " + st.message());
      break;
    }
  }
  if (report.ok) return report;
  // The failed step undoes itself; the ones before it are undone here.
  while (done-- > 0) {
    if (!steps[done].undo) continue;
    report.done.push_back("undo: " + steps[done].what);
    if (Status st = steps[done].undo(); !st.ok()) {
      report.problems.push_back("cannot undo '" + steps[done].what + "': " + st.message());
    }
  }
  return report;
}

TakeOverPlan PlanTakeOver(const TakeOverFacts& facts, DefinitionCodec& codec,
                          const NetworkPlanFacts& plan_facts,
                          const std::function<Status(const xml::NetworkDef&)>& check_driver) {
  TakeOverPlan plan;
  if (facts.libvirt_daemon) {
    plan.refusals.push_back("libvirt's network driver still runs (" + *facts.libvirt_daemon +
                            "): stop it first (systemctl stop libvirtd, or virtnetworkd)");
  }
  for (const LibvirtRunningNetwork& found : facts.networks) {
    Result<NetworkTakeOver> net = PlanOne(found, facts, codec, plan_facts, check_driver);
    if (net.ok()) {
      plan.networks.push_back(std::move(net).value());
    } else {
      plan.refusals.push_back(Named(found.name) + ": " + net.error().message);
    }
  }
  return plan;
}

std::vector<SwitchStep> TakeOverSteps(const TakeOverPlan& plan, TakeOverHost& host) {
  std::vector<SwitchStep> steps;
  for (const NetworkTakeOver& n : plan.networks) {
    steps.push_back({"define " + Named(n.name) + " in virtnatd", [&] { return host.Define(n); },
                     [&] { return host.Undefine(n); }});
    steps.push_back({"write the lease database of " + Named(n.name),
                     [&] { return host.WriteLeases(n); }, [&] { return host.RemoveLeases(n); }});
  }
  for (const NetworkTakeOver& n : plan.networks) {
    steps.push_back({"install virtnatd's rules for " + Named(n.name),
                     [&] { return host.ApplyRules(n); }, [&] { return host.RemoveRules(n); }});
  }
  if (!plan.networks.empty()) {
    steps.push_back({"remove libvirt's firewall rules",
                     [&] { return host.RemoveLibvirtFirewall(); },
                     [&] { return host.RestoreLibvirtFirewall(); }});
  }
  for (const NetworkTakeOver& n : plan.networks) {
    if (n.libvirt_dnsmasq) {
      steps.push_back({"stop libvirt's dnsmasq of " + Named(n.name),
                       [&] { return host.StopLibvirtDnsmasq(n); },
                       [&] { return host.RestartLibvirtDnsmasq(n); }});
    }
    if (n.plan.dnsmasq.needed) {
      steps.push_back({"start virtnatd's dnsmasq for " + Named(n.name),
                       [&] { return host.StartDnsmasq(n); }, [&] { return host.StopDnsmasq(n); }});
    }
  }
  for (const NetworkTakeOver& n : plan.networks) {
    steps.push_back({"put libvirt's status of " + Named(n.name) + " aside",
                     [&] { return host.RetireLibvirtState(n); },
                     [&] { return host.RestoreLibvirtState(n); }});
  }
  for (const NetworkTakeOver& n : plan.networks) {
    steps.push_back({"record " + Named(n.name) + " as running in virtnatd",
                     [&] { return host.Record(n); }, nullptr});
  }
  return steps;
}

Status CheckHandBack(const std::string& name, const std::string& live_xml,
                     const std::string& config_xml) {
  for (const std::string* text : {&live_xml, &config_xml}) {
    if (text->find(xml::kVirtnatNamespace) == std::string::npos) continue;
    return MakeError(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_NETWORK,
                     Named(name) + " uses virtnatd's extension (" + xml::kVirtnatNamespace +
                         ", <portForward>), which libvirt does not know: remove it (virsh "
                         "net-update " +
                         name + " delete forward ...) and hand back again");
  }
  return Status::Ok();
}

std::vector<SwitchStep> HandBackSteps(const std::vector<NetworkHandBack>& networks,
                                      HandBackHost& host) {
  std::vector<SwitchStep> steps;
  for (const NetworkHandBack& n : networks) {
    steps.push_back({"write libvirt's definition, status and leases of " + Named(n.name),
                     [&] { return host.WriteLibvirtState(n); },
                     [&] { return host.RemoveLibvirtState(n); }});
  }
  for (const NetworkHandBack& n : networks) {
    steps.push_back({"remove virtnatd's rules of " + Named(n.name),
                     [&] { return host.RemoveRules(n); }, [&] { return host.RestoreRules(n); }});
    steps.push_back({"stop virtnatd's dnsmasq of " + Named(n.name),
                     [&] { return host.StopDnsmasq(n); }, nullptr});
  }
  for (const NetworkHandBack& n : networks) {
    steps.push_back(
        {"remove " + Named(n.name) + " from virtnatd", [&] { return host.Forget(n); }, nullptr});
  }
  return steps;
}

}  // namespace virtnat::driver
