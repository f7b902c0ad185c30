#include "driver/state/network_state_adopt.h"

#include <algorithm>

namespace virtnat::driver {
namespace {

std::string Who(const StatusRecord& record) { return "network '" + record.name + "': "; }

struct TakeOverResult {
  std::string problem;         // "" once the network is adopted
  bool host_released = false;  // the host side was taken and torn down again
};

// Puts the recorded addresses missing from the bridge back; "" or what
// stops the adoption.
std::string RepairAddresses(const StatusRecord& record, AdoptionHost& host,
                            AdoptionReport& report) {
  Result<std::vector<InterfaceAddress>> present = host.InterfaceAddresses(record.bridge);
  if (!present.ok()) return present.status().message();
  for (const InterfaceAddress& address : record.addresses) {
    if (std::find(present->begin(), present->end(), address) != present->end()) continue;
    const std::string text = AddressText(address);
    if (Status st = host.AddAddress(record.bridge, address); !st.ok()) {
      return "address " + text + " is missing from bridge '" + record.bridge +
             "' and cannot be put back: " + st.message();
    }
    report.repairs.push_back(Who(record) + "address " + text + " was missing from bridge '" +
                             record.bridge + "'; restored");
  }
  return "";
}

// Brings the host side and the driver in; on failure after the host side
// was taken, tears it down through the host side (ReleaseHost).
TakeOverResult TakeOver(const RecordedNetwork& net, bool dnsmasq_gone, AdoptionHost& host,
                        AdoptionReport& report) {
  const StatusRecord& record = net.record;
  const std::string who = Who(record);
  if (!net.plan) return {"cannot take over: " + net.unusable.message(), false};
  if (Status st = host.AdoptHost(net, dnsmasq_gone); !st.ok()) {
    return {"cannot take over: " + st.message(), false};
  }
  if (dnsmasq_gone) {
    std::optional<pid_t> now = host.DnsmasqPid(record.name);
    std::string was = record.dnsmasq
                          ? "its recorded dnsmasq (pid " + std::to_string(record.dnsmasq->pid) +
                                ") is no longer running; "
                          : "no dnsmasq was recorded; ";
    if (record.dnsmasq || now) {
      report.repairs.push_back(who + was +
                               (now ? "now served by dnsmasq pid " + std::to_string(*now)
                                    : std::string("no dnsmasq runs")));
    }
  }
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<std::string> restored, host.EnsureRules(net));
    if (!restored.empty()) {
      constexpr size_t kListed = 3;
      std::string what;
      for (size_t i = 0; i < restored.size() && i < kListed; ++i) {
        what += (i > 0 ? ", " : "") + restored[i];
      }
      if (restored.size() > kListed) {
        what += " and " + std::to_string(restored.size() - kListed) + " more";
      }
      report.repairs.push_back(who + "firewall rules were missing (" + what + "); restored");
    }
    return host.AdoptDriver(net);
  }();
  if (st.ok()) return {};
  if (Status released = host.ReleaseHost(net); !released.ok()) {
    report.problems.push_back(who + released.message());
  }
  return {"cannot take over: " + st.message(), true};
}

}  // namespace

AdoptionReport AdoptRecordedNetworks(const std::vector<RecordedNetwork>& networks,
                                     AdoptionHost& host) {
  AdoptionReport report;
  for (const RecordedNetwork& net : networks) {
    const StatusRecord& record = net.record;
    const std::string who = Who(record);
    std::string problem;
    bool host_released = false;
    if (IsStartIntent(record)) {
      // Whatever the driver thinks of it: the start never completed.
      problem = "it was being started by an earlier daemon";
    } else if (Status st = net.def ? host.CheckDriver(*net.def) : net.unusable; !st.ok()) {
      report.problems.push_back(who + "cannot re-adopt it: " + st.message() +
                                "; left as it is, status record kept");
      report.left_alone.push_back(record.name);
      continue;
    } else if (const bool external = net.plan && net.plan->external;
               !external && (record.bridge.empty() || !host.InterfaceExists(record.bridge))) {
      // (A network of forward mode bridge, macvtap or hostdev has no bridge
      // of its own to look for.)
      problem = "its bridge '" + record.bridge + "' is gone";
    }
    if (problem.empty()) problem = RepairAddresses(record, host, report);
    if (problem.empty()) {
      // A record without dnsmasq was written while supervision restarted it:
      // adopt the one in its pid file, or start one.
      bool dnsmasq_gone = !record.dnsmasq || !host.DnsmasqMatches(*record.dnsmasq);
      TakeOverResult taken = TakeOver(net, dnsmasq_gone, host, report);
      problem = taken.problem;
      host_released = taken.host_released;
    }
    if (problem.empty()) {
      report.adopted.push_back(record.name);
      continue;
    }
    report.problems.push_back(who + problem + "; cleaning up what is left of it");
    if (!host_released) {
      for (const std::string& p : host.CleanUp(net)) report.problems.push_back(p);
    }
    if (Status st = host.RemoveRecord(record.name); !st.ok()) {
      report.problems.push_back(who + st.message());
    }
    report.cleaned_up.push_back(record.name);
  }
  return report;
}

void AdoptOrCleanUp(Result<LoadedStatus> loaded, DefinitionCodec& codec,
                    const NetworkPlanFacts& facts, AdoptionHost& host) {
  using Level = AdoptionHost::LogLevel;
  if (!loaded.ok()) {
    host.Log(Level::kWarning, "cannot read status records: " + loaded.error().message);
    return;
  }
  for (const std::string& problem : loaded->problems) {
    host.Log(Level::kWarning, "skipped a status record: " + problem);
  }
  std::vector<RecordedNetwork> networks =
      ReadRecordedNetworks(std::move(loaded->records), codec, facts);
  host.TakeRecordedRules(networks);
  AdoptionReport report = AdoptRecordedNetworks(networks, host);
  for (const std::string& name : report.adopted) {
    host.Log(Level::kInfo, "network '" + name + "' left running by an earlier daemon re-adopted");
    // The record now says what runs (a repaired dnsmasq's pid, say).
    host.RewriteRecord(name);
  }
  for (const std::string& repair : report.repairs) host.Log(Level::kWarning, repair);
  for (const std::string& problem : report.problems) host.Log(Level::kWarning, problem);
  // A transient network torn down here is gone for good.
  for (const std::string& name : report.cleaned_up) {
    if (Status st = host.ForgetUnknown(name); !st.ok()) host.Log(Level::kWarning, st.message());
  }
}

}  // namespace virtnat::driver
