#include "driver/host_driver.h"

#include <glib.h>

#include "driver/dnsmasq/dnsmasq_config.h"
#include "driver/dnsmasq/dnsmasq_service.h"
#include "driver/drift/firewall_drift_host.h"
#include "driver/firewall/firewall_record.h"
#include "driver/os/resource_limits.h"
#include "driver/store/libvirt_import.h"
#include "xml/network_format.h"

namespace virtnat::driver {

Result<std::unique_ptr<HostDriverParts>> HostDriverParts::Open(const HostDirs& opts) {
  // One pidfd per running network: a thousand networks need more than 1024.
  // Only a failure concerns the administrator (the unit sets the limit).
  if (OpenFileLimit limit = RaiseOpenFileLimit(); limit.failed) {
    g_warning("%s", limit.line.c_str());
  } else {
    g_debug("%s", limit.line.c_str());
  }
  std::unique_ptr<HostDriverParts> parts(new HostDriverParts());
  ASSIGN_OR_RETURN(parts->netlink_, RealNetlink::Open());
  ASSIGN_OR_RETURN(parts->qos_, NetlinkQos::Open());
  ASSIGN_OR_RETURN(parts->firewall_, NftFirewall::Open());
  parts->firewall_->SetRebuildListener([](const std::string& network, const Status& error) {
    g_warning(
        "firewall rules of network '%s' were changed by another program (%s); table inet "
        "virtnat rebuilt with the rules of the running networks",
        network.c_str(), error.message().c_str());
  });
  ASSIGN_OR_RETURN(parts->facts_, RealHostFacts::Open());
  parts->sysctl_ = std::make_unique<Sysctl>();
  parts->firewalld_ = std::make_unique<FirewalldBus>();

  HostRealizerDeps deps;
  deps.netlink = parts->netlink_.get();
  deps.firewall = parts->firewall_.get();
  deps.facts = parts->facts_.get();
  deps.sysctl = parts->sysctl_.get();
  deps.qos = parts->qos_.get();
  deps.firewalld = parts->firewalld_.get();
  HostDriverParts* self = parts.get();
  DnsmasqTimings timings;
  timings.start_timeout = std::chrono::seconds(opts.start_timeout_s);
  deps.dnsmasq = SupervisedDnsmasq(g_main_context_get_thread_default(), timings,
                                   [self](const DnsmasqCommand& command, const std::string& line) {
                                     self->OnDnsmasqEvent(command.network, line);
                                   });
  if (!opts.lease_status_dir.empty()) {
    parts->leases_ = std::make_unique<LeasePublisher>(opts.lease_status_dir,
                                                      g_main_context_get_thread_default());
    deps.dnsmasq = PublishingLeases(std::move(deps.dnsmasq), parts->leases_.get());
  }
  // dnsmasq's configuration, hosts files and leases are state; its pid file
  // is runtime. Both live under the daemon's own directories.
  deps.paths.state_dir = opts.state_dir + "/dnsmasq";
  deps.paths.run_dir = opts.run_dir + "/dnsmasq";
  if (!opts.dnsmasq_binary.empty()) deps.paths.dnsmasq_binary = opts.dnsmasq_binary;
  parts->status_ = std::make_unique<StatusStore>(opts.run_dir);
  StatusStore* status = parts->status_.get();
  deps.begin_start = [status](const xml::NetworkDef& live, const NetworkPlan& plan) {
    return status->Write(StartIntentRecord(live.name, xml::FormatNetworkXml(live), plan.bridge.name,
                                           FormatFirewallRecord(plan.firewall.rules)));
  };
  deps.abandon_start = [status](const std::string& network) {
    if (Status st = status->Remove(network); !st.ok()) g_warning("%s", st.message().c_str());
  };
  parts->realizer_ = std::make_unique<HostRealizer>(std::move(deps));
  parts->store_ = std::make_unique<FileStore>(opts.config_dir);
  parts->drift_host_ =
      std::make_unique<FirewallDriftHost>(*parts->firewall_, parts->realizer_.get());
  return parts;
}

HostDriverParts::~HostDriverParts() = default;

void HostDriverParts::WatchFirewalld(std::function<void()> recheck) {
  firewalld_->Watch([this, recheck = std::move(recheck)](const char* why) {
    g_info("firewalld %s: putting the running networks' bridges in their zones again", why);
    for (const std::string& failure : realizer_->RejoinZones()) {
      g_warning("%s", failure.c_str());
    }
    if (recheck) recheck();
  });
}

void HostDriverParts::OnDnsmasqEvent(const std::string& network, const std::string& line) {
  g_warning("network '%s': %s", network.c_str(), line.c_str());
  // The new pid is known only once the restart's notification returned.
  if (line.starts_with("dnsmasq restarted")) {
    restarted_.insert(network);
    if (!restarted_idle_)
      restarted_idle_.reset(g_idle_add(&HostDriverParts::OnRestartedIdle, this));
  }
}

gboolean HostDriverParts::OnRestartedIdle(gpointer data) noexcept {
  auto* self = static_cast<HostDriverParts*>(data);
  self->restarted_idle_.release();  // GLib removes it: G_SOURCE_REMOVE below
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
    facts.addresses = plan->addresses;
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

}  // namespace virtnat::driver
