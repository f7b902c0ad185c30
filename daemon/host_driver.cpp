#include "daemon/host_driver.h"

#include <glib.h>
#include <linux/netfilter.h>

#include <algorithm>

#include "driver/adopted_rules.h"
#include "driver/dnsmasq_config.h"
#include "driver/firewall_record.h"
#include "driver/realize_dnsmasq.h"
#include "xml/network_format.h"

namespace virtnat::daemon {

Result<std::unique_ptr<HostDriverParts>> HostDriverParts::Open(const Options& opts) {
  std::unique_ptr<HostDriverParts> parts(new HostDriverParts());
  ASSIGN_OR_RETURN(parts->netlink_, driver::RealNetlink::Open());
  ASSIGN_OR_RETURN(parts->firewall_, driver::NftFirewall::Open());
  ASSIGN_OR_RETURN(parts->facts_, driver::RealHostFacts::Open());
  parts->sysctl_ = std::make_unique<driver::Sysctl>();

  driver::HostRealizerDeps deps;
  deps.netlink = parts->netlink_.get();
  deps.firewall = parts->firewall_.get();
  deps.facts = parts->facts_.get();
  deps.sysctl = parts->sysctl_.get();
  deps.dnsmasq = driver::SupervisedDnsmasq(g_main_context_get_thread_default());
  // dnsmasq's configuration, hosts files and leases are state; its pid file
  // is runtime. Both live under the daemon's own directories.
  deps.paths.state_dir = opts.state_dir + "/dnsmasq";
  deps.paths.run_dir = opts.run_dir + "/dnsmasq";
  parts->status_ = std::make_unique<driver::StatusStore>(opts.run_dir);
  driver::StatusStore* status = parts->status_.get();
  deps.begin_start = [status](const xml::NetworkDef& live, const driver::NetworkPlan& plan) {
    return status->Write(
        driver::StartIntentRecord(live.name, xml::FormatNetworkXml(live), plan.bridge.name,
                                  driver::FormatFirewallRecord(plan.firewall.rules)));
  };
  deps.abandon_start = [status](const std::string& network) {
    if (Status st = status->Remove(network); !st.ok()) g_warning("%s", st.message().c_str());
  };
  parts->dnsmasq_dirs_ = deps.paths;
  parts->realizer_ = std::make_unique<driver::HostRealizer>(std::move(deps));
  parts->store_ = std::make_unique<driver::FileStore>(opts.config_dir);
  return parts;
}

driver::RunningFacts HostDriverParts::FactsOf(const std::string& network) const {
  driver::RunningFacts facts;
  if (const driver::NetworkPlan* plan = realizer_->Applied(network)) {
    facts.bridge = plan->bridge.name;
  }
  if (const driver::NftNetworkRules* rules = firewall_->Applied(network)) {
    facts.firewall = driver::FormatFirewallRecord(*rules);
  }
  facts.dnsmasq_pid = realizer_->DnsmasqPid(network);
  return facts;
}

std::vector<std::string> HostDriverParts::RestoreAdoptedRules(
    const std::vector<std::string>& networks) {
  std::vector<std::pair<std::string, const driver::FirewallPlan*>> plans;
  for (const std::string& name : networks) {
    if (const driver::NetworkPlan* plan = realizer_->Applied(name)) {
      plans.emplace_back(name, &plan->firewall);
    }
  }
  std::vector<std::string> out;
  if (plans.empty()) return out;
  Result<driver::NftInventory> inventory =
      driver::ReadNftInventory({{NFPROTO_INET, driver::kNftTable}});
  if (!inventory.ok()) return {"cannot check adopted rules: " + inventory.error().message};
  driver::RulesToRestore restore = driver::FindRulesToRestore(plans, *inventory);
  // All removals first: with a rebuild, the last one takes the table along.
  for (const std::string& name : restore.networks) {
    if (Status st = firewall_->Remove(name); !st.ok()) out.push_back(st.message());
  }
  for (const auto& [name, plan] : plans) {
    if (std::find(restore.networks.begin(), restore.networks.end(), name) ==
        restore.networks.end()) {
      continue;
    }
    Status st = firewall_->Apply(name, *plan);
    out.push_back(st.ok() ? "rules of network '" + name + "' were missing; restored"
                          : st.message());
  }
  return out;
}

driver::CleanupHooks HostDriverParts::Cleanup(const std::vector<driver::StatusRecord>& records) {
  // All rules are adopted before any is removed: the firewall drops its
  // shared table with the last network it knows of.
  for (const driver::StatusRecord& record : records) {
    if (record.firewall.empty()) continue;
    Result<driver::NftNetworkRules> rules = driver::ParseFirewallRecord(record.firewall);
    if (rules.ok()) firewall_->Adopt(record.name, std::move(rules).value());
  }
  driver::CleanupHooks hooks;
  hooks.interface_exists = [this](const std::string& ifname) {
    return realizer_->InterfaceExists(ifname);
  };
  hooks.delete_bridge = [this](const std::string& ifname) { return netlink_->DeleteLink(ifname); };
  hooks.dnsmasq_paths = [this](const std::string& network) {
    return driver::MakeDnsmasqPaths(dnsmasq_dirs_.state_dir, dnsmasq_dirs_.run_dir, network);
  };
  hooks.remove_firewall = [this](const std::string& network, const std::string& text) -> Status {
    if (!firewall_->Applied(network)) return driver::ParseFirewallRecord(text).status();
    return firewall_->Remove(network);
  };
  return hooks;
}

}  // namespace virtnat::daemon
