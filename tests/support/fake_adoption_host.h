#pragma once
// An AdoptionHost (network_state_adopt.h) and CleanupHost (network_state.h)
// that record every call as a line ("adopt host a", "delete bridge br1")
// over a scene the test sets up: bridges and their addresses, live dnsmasq
// pids, networks the driver refuses or knows, failures to inject. Tearing
// down goes through the real CleanUpRecordedNetwork over this same fake, so
// its steps show up in the calls; it never ends a process whose identity
// does not match (give recorded dnsmasq pids that are not running) and
// leaves dnsmasq's files alone (DnsmasqPathsOf gives none).

#include <sys/types.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "driver/state/network_state.h"
#include "driver/state/network_state_adopt.h"

namespace virtnat::testing {

class FakeAdoptionHost final : public driver::AdoptionHost, public driver::CleanupHost {
 public:
  using RecordedNetwork = driver::RecordedNetwork;
  using InterfaceAddress = driver::InterfaceAddress;

  // The scene.
  std::set<std::string> bridges = {"br1"};
  std::map<std::string, std::vector<InterfaceAddress>> addresses;
  std::set<pid_t> live_pids = {100};
  std::set<std::string> refused_names = {"taken"};  // CheckDriver: "name taken"
  std::set<std::string> known_networks;             // ForgetUnknown leaves these
  std::optional<pid_t> dnsmasq_pid = 777;           // after AdoptHost
  std::vector<std::string> missing_rules;           // EnsureRules finds and restores these
  Status add_address_status;
  Status adopt_host_status;
  Status ensure_rules_status;
  Status remove_record_status;
  Status forget_status;

  // What happened.
  std::vector<std::string> calls;
  std::vector<std::string> log;  // "info: ..." / "warning: ..."

  void TakeRecordedRules(const std::vector<RecordedNetwork>& networks) override {
    std::string names;
    for (const RecordedNetwork& net : networks) {
      if (net.recorded_rules) names += (names.empty() ? "" : " ") + net.record.name;
    }
    calls.push_back("take rules of [" + names + "]");
  }
  bool InterfaceExists(const std::string& ifname) override { return bridges.count(ifname) > 0; }
  Result<std::vector<InterfaceAddress>> InterfaceAddresses(const std::string& ifname) override {
    return addresses[ifname];
  }
  Status AddAddress(const std::string& ifname, const InterfaceAddress& address) override {
    calls.push_back("add " + driver::AddressText(address) + " to " + ifname);
    return add_address_status;
  }
  bool DnsmasqMatches(const driver::DnsmasqStatus& d) override { return live_pids.count(d.pid); }
  Status CheckDriver(const xml::NetworkDef& live) override {
    return refused_names.count(live.name) ? Status(InternalError("name taken")) : Status::Ok();
  }
  Status AdoptHost(const RecordedNetwork& net, bool gone) override {
    calls.push_back("adopt host " + net.record.name + (gone ? " new dnsmasq" : ""));
    return adopt_host_status;
  }
  std::optional<pid_t> DnsmasqPid(const std::string&) override { return dnsmasq_pid; }
  Result<std::vector<std::string>> EnsureRules(const RecordedNetwork& net) override {
    calls.push_back("ensure rules " + net.record.name);
    if (!ensure_rules_status.ok()) return ensure_rules_status;
    return missing_rules;
  }
  Status AdoptDriver(const RecordedNetwork& net) override {
    calls.push_back("adopt driver " + net.def->name +
                    (net.record.ports.empty()
                         ? std::string()
                         : " with " + std::to_string(net.record.ports.size()) + " ports"));
    return Status::Ok();
  }
  Status ReleaseHost(const RecordedNetwork& net) override {
    calls.push_back("release host " + net.record.name);
    return Status::Ok();
  }
  std::vector<std::string> CleanUp(const RecordedNetwork& net) override {
    return driver::CleanUpRecordedNetwork(net, *this);
  }
  Status RemoveRecord(const std::string& network) override {
    calls.push_back("remove record " + network);
    return remove_record_status;
  }
  void RewriteRecord(const std::string& network) override {
    calls.push_back("rewrite record " + network);
  }
  Status ForgetUnknown(const std::string& network) override {
    if (known_networks.count(network)) return Status::Ok();
    calls.push_back("forget " + network);
    return forget_status;
  }
  void Log(LogLevel level, const std::string& message) override {
    log.push_back((level == LogLevel::kInfo ? "info: " : "warning: ") + message);
  }

  Status DeleteBridge(const std::string& ifname) override {
    calls.push_back("delete bridge " + ifname);
    return Status::Ok();
  }
  Status RemoveFirewall(const RecordedNetwork& net) override {
    calls.push_back("remove rules " + net.record.name);
    return Status::Ok();
  }
  std::optional<driver::DnsmasqPaths> DnsmasqPathsOf(const std::string&) override {
    return std::nullopt;
  }
};

}  // namespace virtnat::testing
