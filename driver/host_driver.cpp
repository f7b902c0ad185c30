#include "driver/host_driver.h"

#include <glib.h>

#include <charconv>

#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/dnsmasq/dnsmasq_service.h"
#include "driver/drift/drift_check.h"
#include "driver/drift/firewall_audit.h"
#include "driver/drift/firewall_drift_host.h"
#include "driver/drift/nft_dump.h"
#include "driver/firewall/firewall_record.h"
#include "driver/link/interface_addresses.h"
#include "driver/os/process_identity.h"
#include "xml/network_format.h"

namespace virtnat::driver {
namespace {

// The pid file is RUN_DIR/dnsmasq/NAME.pid (dnsmasq_config.h), so the
// network a supervised dnsmasq serves is known from its command alone.
std::string NetworkOfCommand(const DnsmasqCommand& command) {
  std::string name = command.pid_file.substr(command.pid_file.rfind('/') + 1);
  if (name.ends_with(".pid")) name.resize(name.size() - 4);
  return name;
}

}  // namespace

Result<std::unique_ptr<HostDriverParts>> HostDriverParts::Open(const HostDirs& opts) {
  std::unique_ptr<HostDriverParts> parts(new HostDriverParts());
  ASSIGN_OR_RETURN(parts->netlink_, RealNetlink::Open());
  ASSIGN_OR_RETURN(parts->firewall_, NftFirewall::Open());
  parts->firewall_->SetRebuildListener([](const std::string& network, const Status& error) {
    g_warning(
        "firewall rules of network '%s' were changed by another program (%s); table inet "
        "virtnat rebuilt with the rules of the running networks",
        network.c_str(), error.message().c_str());
  });
  ASSIGN_OR_RETURN(parts->facts_, RealHostFacts::Open());
  parts->sysctl_ = std::make_unique<Sysctl>();

  HostRealizerDeps deps;
  deps.netlink = parts->netlink_.get();
  deps.firewall = parts->firewall_.get();
  deps.facts = parts->facts_.get();
  deps.sysctl = parts->sysctl_.get();
  HostDriverParts* self = parts.get();
  deps.dnsmasq = SupervisedDnsmasq(g_main_context_get_thread_default(), {},
                                   [self](const DnsmasqCommand& command, const std::string& line) {
                                     self->OnDnsmasqEvent(NetworkOfCommand(command), line);
                                   });
  // dnsmasq's configuration, hosts files and leases are state; its pid file
  // is runtime. Both live under the daemon's own directories.
  deps.paths.state_dir = opts.state_dir + "/dnsmasq";
  deps.paths.run_dir = opts.run_dir + "/dnsmasq";
  parts->status_ = std::make_unique<StatusStore>(opts.run_dir);
  StatusStore* status = parts->status_.get();
  deps.begin_start = [status](const xml::NetworkDef& live, const NetworkPlan& plan) {
    return status->Write(StartIntentRecord(live.name, xml::FormatNetworkXml(live), plan.bridge.name,
                                           FormatFirewallRecord(plan.firewall.rules)));
  };
  deps.abandon_start = [status](const std::string& network) {
    if (Status st = status->Remove(network); !st.ok()) g_warning("%s", st.message().c_str());
  };
  parts->dnsmasq_dirs_ = deps.paths;
  parts->realizer_ = std::make_unique<HostRealizer>(std::move(deps));
  parts->store_ = std::make_unique<FileStore>(opts.config_dir);
  parts->drift_host_ =
      std::make_unique<FirewallDriftHost>(*parts->firewall_, parts->realizer_.get());
  return parts;
}

HostDriverParts::~HostDriverParts() {
  if (restarted_idle_ != 0) g_source_remove(restarted_idle_);
}

void HostDriverParts::OnDnsmasqEvent(const std::string& network, const std::string& line) {
  g_warning("network '%s': %s", network.c_str(), line.c_str());
  // The new pid is known only once the restart's notification returned.
  if (line.starts_with("dnsmasq restarted")) {
    restarted_.insert(network);
    if (restarted_idle_ == 0) restarted_idle_ = g_idle_add(&HostDriverParts::OnRestartedIdle, this);
  }
}

gboolean HostDriverParts::OnRestartedIdle(gpointer data) noexcept {
  auto* self = static_cast<HostDriverParts*>(data);
  self->restarted_idle_ = 0;
  std::set<std::string> networks;
  networks.swap(self->restarted_);
  try {
    if (self->dnsmasq_restarted_) {
      for (const std::string& network : networks) self->dnsmasq_restarted_(network);
    }
  } catch (...) {
    g_warning("cannot record a restarted dnsmasq");
  }
  return G_SOURCE_REMOVE;
}

RunningFacts HostDriverParts::FactsOf(const std::string& network) const {
  RunningFacts facts;
  if (const NetworkPlan* plan = realizer_->Applied(network)) {
    facts.bridge = plan->bridge.name;
    for (const InterfaceAddress& a : plan->addresses) {
      facts.addresses.push_back(a.address.ToString() + "/" + std::to_string(a.prefix));
    }
    if (plan->dnsmasq.needed) {
      const DnsmasqPaths& paths = plan->dnsmasq_paths;
      for (const std::string* f :
           {&paths.conf_file, &paths.hosts_file, &paths.addn_hosts_file, &paths.pid_file}) {
        if (!f->empty()) facts.files.push_back(*f);
      }
    }
  }
  if (const NftNetworkRules* rules = firewall_->Applied(network)) {
    facts.firewall = FormatFirewallRecord(*rules);
  }
  facts.dnsmasq_pid = realizer_->DnsmasqPid(network);
  return facts;
}

CleanupHooks HostDriverParts::Cleanup(const std::vector<StatusRecord>& records) {
  // All rules are adopted before any is removed: the firewall drops its
  // shared table with the last network it knows of.
  for (const StatusRecord& record : records) {
    if (record.firewall.empty()) continue;
    Result<NftNetworkRules> rules = ParseFirewallRecord(record.firewall);
    if (rules.ok()) firewall_->Adopt(record.name, std::move(rules).value());
  }
  CleanupHooks hooks;
  hooks.interface_exists = [this](const std::string& ifname) {
    return realizer_->InterfaceExists(ifname);
  };
  hooks.delete_bridge = [this](const std::string& ifname) { return netlink_->DeleteLink(ifname); };
  hooks.dnsmasq_paths = [this](const std::string& network) {
    return MakeDnsmasqPaths(dnsmasq_dirs_.state_dir, dnsmasq_dirs_.run_dir, network);
  };
  hooks.remove_firewall = [this](const std::string& network, const std::string& text) -> Status {
    if (!firewall_->Applied(network)) return ParseFirewallRecord(text).status();
    return firewall_->Remove(network);
  };
  return hooks;
}

AdoptHooks HostDriverParts::Adoption(const std::vector<StatusRecord>& records,
                                     DefinitionCodec& codec, NetworkObjects& objects) {
  AdoptHooks hooks;
  hooks.cleanup = Cleanup(records);
  // Records name the firewall objects only. With the rules their plans
  // give them, a rebuild of the table (NftFirewall::RestoreAll, also run
  // when a removal fails) keeps every adopted network's rules whole.
  for (const StatusRecord& record : records) {
    const NftNetworkRules* rules = firewall_->Applied(record.name);
    Result<xml::NetworkDef> def = codec.Parse(record.live_xml, false);
    if (rules == nullptr || !def.ok()) continue;
    Result<NetworkPlan> plan = PlanNetwork(*def, NetworkPlanFacts{});
    if (plan.ok() && SameFirewallObjects(*rules, plan->firewall.rules)) {
      firewall_->Adopt(record.name, plan->firewall.rules);
    }
  }
  hooks.interface_addresses = ReadInterfaceAddresses;
  hooks.add_address = [this](const std::string& ifname, const std::string& text) -> Status {
    size_t slash = text.find('/');
    std::optional<IpAddress> ip = IpAddress::Parse(text.substr(0, slash));
    InterfaceAddress address;
    const char* prefix = slash == std::string::npos ? nullptr : text.c_str() + slash + 1;
    if (!ip || prefix == nullptr ||
        std::from_chars(prefix, text.c_str() + text.size(), address.prefix).ec != std::errc()) {
      return InternalError("invalid recorded address '" + text + "'");
    }
    address.address = *ip;
    return netlink_->AddAddress(ifname, address);
  };
  hooks.dnsmasq_matches = [](const DnsmasqStatus& d) {
    return ProcessMatches(d.pid, d.start_time, d.cmdline);
  };
  hooks.adopt_host = [this, &codec](const StatusRecord& record, bool dnsmasq_gone) {
    return [&]() -> Status {
      ASSIGN_OR_RETURN(xml::NetworkDef def, codec.Parse(record.live_xml, false));
      return realizer_->Adopt(def, dnsmasq_gone);
    }();
  };
  hooks.dnsmasq_pid = [this](const std::string& name) { return realizer_->DnsmasqPid(name); };
  hooks.ensure_rules = [this](const StatusRecord& record) -> Result<std::vector<std::string>> {
    const NetworkPlan* plan = realizer_->Applied(record.name);
    if (plan == nullptr) return InternalError("network '" + record.name + "' is not realized");
    firewall_->Adopt(record.name, plan->firewall.rules);
    std::vector<RecordedRules> recorded;
    for (const std::string& name : firewall_->Networks()) {
      recorded.push_back(RecordedRules{name, *firewall_->Applied(name)});
    }
    ASSIGN_OR_RETURN(NftInventory inventory, ReadNftInventory(DriftCountedTables()));
    std::vector<std::string> problems, others;
    for (const NetworkDrift& drift : FindFirewallDrift(VirtnatBase(), recorded, inventory)) {
      if (drift.network == record.name) {
        problems = drift.problems;
      } else {
        others.push_back("the rules of network '" + drift.network + "' as well");
      }
    }
    if (problems.empty()) return problems;
    // One batch rebuilds the table from every record, this one included.
    RETURN_IF_ERROR(firewall_->RestoreAll());
    problems.insert(problems.end(), others.begin(), others.end());
    return problems;
  };
  hooks.check_driver = [&objects](const StatusRecord& record) {
    return objects.CheckAdoptable(record.live_xml).status();
  };
  hooks.adopt_driver = [&objects](const StatusRecord& record) {
    return objects.AdoptRunning(record.live_xml).status();
  };
  hooks.release_host = [this, &codec](const StatusRecord& record) -> Status {
    ASSIGN_OR_RETURN(xml::NetworkDef def, codec.Parse(record.live_xml, false));
    return realizer_->Stop(def);
  };
  hooks.remove_record = [this](const std::string& name) { return status_->Remove(name); };
  return hooks;
}

}  // namespace virtnat::driver
