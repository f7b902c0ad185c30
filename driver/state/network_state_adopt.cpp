#include "driver/state/network_state_adopt.h"

#include <algorithm>

#include "common/ip_address.h"

namespace virtnat::driver {
namespace {

struct TakeOverResult {
  std::string problem;         // "" once the network is adopted
  bool host_released = false;  // the host side was taken and torn down again
};

// Brings the host side and the driver in; on failure after the host side
// was taken, tears it down through the host side (release_host).
TakeOverResult TakeOver(const StatusRecord& record, bool dnsmasq_gone, const AdoptHooks& hooks,
                        AdoptionReport& report) {
  const std::string who = "network '" + record.name + "': ";
  if (Status st = hooks.adopt_host(record, dnsmasq_gone); !st.ok()) {
    return {"cannot take over: " + st.message(), false};
  }
  if (dnsmasq_gone) {
    std::optional<pid_t> now = hooks.dnsmasq_pid(record.name);
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
    ASSIGN_OR_RETURN(std::vector<std::string> restored, hooks.ensure_rules(record));
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
    return hooks.adopt_driver(record);
  }();
  if (st.ok()) return {};
  if (Status released = hooks.release_host(record); !released.ok()) {
    report.problems.push_back(who + released.message());
  }
  return {"cannot take over: " + st.message(), true};
}

}  // namespace

AdoptionReport AdoptRecordedNetworks(const std::vector<StatusRecord>& records,
                                     const AdoptHooks& hooks) {
  AdoptionReport report;
  for (const StatusRecord& record : records) {
    const std::string who = "network '" + record.name + "': ";
    std::string problem;
    bool host_released = false;
    if (IsStartIntent(record)) {
      // Whatever the driver thinks of it: the start never completed.
      problem = "it was being started by an earlier daemon";
    } else if (Status st = hooks.check_driver(record); !st.ok()) {
      report.problems.push_back(who + "cannot re-adopt it: " + st.message() +
                                "; left as it is, status record kept");
      report.left_alone.push_back(record.name);
      continue;
    } else if (record.bridge.empty() || !hooks.cleanup.interface_exists(record.bridge)) {
      problem = "its bridge '" + record.bridge + "' is gone";
    }
    if (problem.empty()) {
      Result<std::vector<std::string>> present = hooks.interface_addresses(record.bridge);
      if (!present.ok()) {
        problem = present.status().message();
      } else {
        for (const std::string& address : record.addresses) {
          if (std::find(present->begin(), present->end(), address) != present->end()) continue;
          if (Status st = hooks.add_address(record.bridge, address); !st.ok()) {
            problem = "address " + address + " is missing from bridge '" + record.bridge +
                      "' and cannot be put back: " + st.message();
            break;
          }
          report.repairs.push_back(who + "address " + address + " was missing from bridge '" +
                                   record.bridge + "'; restored");
        }
      }
    }
    if (problem.empty()) {
      // A record without dnsmasq was written while supervision restarted it:
      // adopt the one in its pid file, or start one.
      bool dnsmasq_gone = !record.dnsmasq || !hooks.dnsmasq_matches(*record.dnsmasq);
      TakeOverResult taken = TakeOver(record, dnsmasq_gone, hooks, report);
      problem = taken.problem;
      host_released = taken.host_released;
    }
    if (problem.empty()) {
      report.adopted.push_back(record.name);
      continue;
    }
    report.problems.push_back(who + problem + "; cleaning up what is left of it");
    if (!host_released) {
      for (const std::string& p : CleanUpRecordedNetwork(record, hooks.cleanup)) {
        report.problems.push_back(p);
      }
    }
    if (Status st = hooks.remove_record(record.name); !st.ok()) {
      report.problems.push_back(who + st.message());
    }
    report.cleaned_up.push_back(record.name);
  }
  return report;
}

bool SameFirewallObjects(const NftNetworkRules& a, const NftNetworkRules& b) {
  if (a.elements != b.elements || a.chains.size() != b.chains.size()) return false;
  for (size_t i = 0; i < a.chains.size(); ++i) {
    if (a.chains[i].name != b.chains[i].name) return false;
  }
  return true;
}

}  // namespace virtnat::driver
