// The host side of re-adoption at start-up (network_state_adopt.h): the
// real kernel interfaces, realizer, firewall, driver and status store of
// HostDriverParts behind AdoptionHost.

#include <glib.h>

#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/drift/drift_check.h"
#include "driver/drift/firewall_audit.h"
#include "driver/drift/nft_dump.h"
#include "driver/host_driver.h"
#include "driver/link/interface_addresses.h"
#include "driver/os/process_identity.h"
#include "driver/state/network_state_adopt.h"

namespace virtnat::driver {
namespace {

class HostAdoption final : public AdoptionHost, public CleanupHost {
 public:
  HostAdoption(RealNetlink& netlink, NftFirewall& firewall, HostRealizer& realizer,
               StatusStore& status, NetworkObjects& objects, NetworkStateRecorder& recorder,
               LeasePublisher* leases)
      : leases_(leases),
        netlink_(netlink),
        firewall_(firewall),
        realizer_(realizer),
        status_(status),
        objects_(objects),
        recorder_(recorder) {}

  void TakeRecordedRules(const std::vector<RecordedNetwork>& networks) override {
    for (const RecordedNetwork& net : networks) {
      if (net.recorded_rules) firewall_.Adopt(net.record.name, *net.recorded_rules);
    }
    // Records name the firewall objects only. With the rules their plans
    // give them, a rebuild of the table (NftFirewall::RestoreAll, also run
    // when a removal fails) keeps every adopted network's rules whole.
    for (const RecordedNetwork& net : networks) {
      if (net.recorded_rules && net.plan &&
          SameFirewallObjects(*net.recorded_rules, net.plan->firewall.rules)) {
        firewall_.Adopt(net.record.name, net.plan->firewall.rules);
      }
    }
  }

  bool InterfaceExists(const std::string& ifname) override {
    return realizer_.InterfaceExists(ifname);
  }
  Result<std::vector<InterfaceAddress>> InterfaceAddresses(const std::string& ifname) override {
    return ReadInterfaceAddresses(ifname);
  }
  Status AddAddress(const std::string& ifname, const InterfaceAddress& address) override {
    return netlink_.AddAddress(ifname, address);
  }
  bool DnsmasqMatches(const DnsmasqStatus& d) override {
    return ProcessMatches(d.pid, d.start_time, d.cmdline);
  }
  Status CheckDriver(const xml::NetworkDef& live) override { return objects_.CheckAdoptable(live); }
  Status AdoptHost(const RecordedNetwork& net, bool dnsmasq_gone) override {
    return realizer_.Adopt(*net.plan, dnsmasq_gone);
  }
  std::optional<pid_t> DnsmasqPid(const std::string& network) override {
    return realizer_.DnsmasqPid(network);
  }
  Result<std::vector<std::string>> EnsureRules(const RecordedNetwork& net) override;
  Status AdoptDriver(const RecordedNetwork& net) override {
    RETURN_IF_ERROR(objects_.AdoptRunning(*net.def));
    NetworkRef ref{net.def->name, net.def->uuid};
    std::vector<std::string> problems = objects_.AdoptPorts(ref, net.record.ports);
    for (const std::string& problem : problems) g_warning("%s", problem.c_str());
    if (net.record.ports.size() > problems.size()) {
      g_info("network '%s': %zu recorded ports taken back", net.def->name.c_str(),
             net.record.ports.size() - problems.size());
    }
    return Status::Ok();
  }
  Status ReleaseHost(const RecordedNetwork& net) override { return realizer_.Stop(*net.def); }
  std::vector<std::string> CleanUp(const RecordedNetwork& net) override {
    // Its leases were published while it ran: gone with it.
    if (leases_ != nullptr) leases_->RemoveStale(net.record.bridge);
    return CleanUpRecordedNetwork(net, *this);
  }
  Status RemoveRecord(const std::string& network) override { return status_.Remove(network); }
  void RewriteRecord(const std::string& network) override {
    if (Result<NetworkRef> net = objects_.LookupByName(network); net.ok()) recorder_.Rewrite(*net);
  }
  Status ForgetUnknown(const std::string& network) override {
    if (objects_.LookupByName(network).ok()) return Status::Ok();
    return realizer_.Forget(network);
  }
  void Log(LogLevel level, const std::string& message) override {
    if (level == LogLevel::kInfo) {
      g_info("%s", message.c_str());
    } else {
      g_warning("%s", message.c_str());
    }
  }

  Status DeleteBridge(const std::string& ifname) override { return netlink_.DeleteLink(ifname); }
  Status RemoveFirewall(const RecordedNetwork& net) override {
    // Rules that were never taken over: their record did not parse.
    if (!firewall_.Applied(net.record.name)) return net.rules_unreadable;
    return firewall_.Remove(net.record.name);
  }
  std::optional<DnsmasqPaths> DnsmasqPathsOf(const std::string& network) override {
    const NetworkPlanFacts& dirs = realizer_.plan_facts();
    return MakeDnsmasqPaths(dirs.state_dir, dirs.run_dir, network);
  }

 private:
  LeasePublisher* leases_;  // null: leases not published
  RealNetlink& netlink_;
  NftFirewall& firewall_;
  HostRealizer& realizer_;
  StatusStore& status_;
  NetworkObjects& objects_;
  NetworkStateRecorder& recorder_;
};

Result<std::vector<std::string>> HostAdoption::EnsureRules(const RecordedNetwork& net) {
  const std::string& name = net.record.name;
  firewall_.Adopt(name, net.plan->firewall.rules);
  std::vector<RecordedRules> recorded;
  for (const std::string& network : firewall_.Networks()) {
    recorded.push_back(RecordedRules{network, firewall_.AppliedRules(network)});
  }
  ASSIGN_OR_RETURN(NftInventory inventory, ReadNftInventory(DriftCountedTables()));
  std::vector<std::string> problems, others;
  for (const NetworkDrift& drift : FindFirewallDrift(VirtnatBase(), recorded, inventory)) {
    if (drift.network == name) {
      problems = drift.problems;
    } else {
      others.push_back("the rules of network '" + drift.network + "' as well");
    }
  }
  if (problems.empty()) return problems;
  // One batch rebuilds the table from every record, this one included.
  RETURN_IF_ERROR(firewall_.RestoreAll());
  problems.insert(problems.end(), others.begin(), others.end());
  return problems;
}

}  // namespace

void HostDriverParts::AdoptOrCleanUp(DefinitionCodec& codec, NetworkObjects& objects,
                                     NetworkStateRecorder& recorder) {
  HostAdoption host(*netlink_, *firewall_, *realizer_, *status_, objects, recorder, leases_.get());
  virtnat::driver::AdoptOrCleanUp(status_->LoadAll(), codec, realizer_->plan_facts(), host);
}

}  // namespace virtnat::driver
