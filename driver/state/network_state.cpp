#include "driver/state/network_state.h"

#include "driver/os/process_identity.h"

namespace virtnat::driver {

Result<StatusRecord> BuildStatusRecord(const std::string& name, const std::string& live_xml,
                                       const RunningFacts& facts, std::vector<std::string> ports) {
  StatusRecord record;
  record.ports = std::move(ports);
  record.name = name;
  record.live_xml = live_xml;
  record.bridge = facts.bridge;
  record.addresses = facts.addresses;
  record.firewall = facts.firewall;
  record.files = facts.files;
  if (facts.dnsmasq_pid) {
    ASSIGN_OR_RETURN(ProcessIdentity id, ReadProcessIdentity(*facts.dnsmasq_pid));
    DnsmasqStatus dnsmasq;
    dnsmasq.pid = *facts.dnsmasq_pid;
    dnsmasq.start_time = id.start_time;
    dnsmasq.cmdline = std::move(id.cmdline);
    record.dnsmasq = std::move(dnsmasq);
  }
  return record;
}

NetworkStateRecorder::NetworkStateRecorder(NetworkDriver& driver, StatusStore& store,
                                           FactsSource facts, Reporter report)
    : driver_(driver), store_(store), facts_(std::move(facts)), report_(std::move(report)) {
  subscription_ = driver_.SubscribeLifecycle(
      [this](const NetworkRef& net, LifecycleEvent event) { OnEvent(net, event); });
}

NetworkStateRecorder::~NetworkStateRecorder() { driver_.UnsubscribeLifecycle(subscription_); }

void NetworkStateRecorder::OnEvent(const NetworkRef& net, LifecycleEvent event) {
  Status st;
  if (event == LifecycleEvent::kStarted) {
    st = [&]() -> Status {
      ASSIGN_OR_RETURN(std::string live, driver_.GetXmlDesc(net, 0));
      std::vector<std::string> ports;
      ASSIGN_OR_RETURN(std::vector<PortRef> refs, driver_.ListAllPorts(net, 0));
      for (const PortRef& ref : refs) {
        ASSIGN_OR_RETURN(std::string port, driver_.PortGetXmlDesc(ref, 0));
        ports.push_back(std::move(port));
      }
      ASSIGN_OR_RETURN(StatusRecord record,
                       BuildStatusRecord(net.name, live, facts_(net.name), std::move(ports)));
      return store_.Write(record);
    }();
  } else if (event == LifecycleEvent::kStopped) {
    st = store_.Remove(net.name);
  } else {
    return;
  }
  if (!st.ok()) report_("status record of network '" + net.name + "': " + st.message());
}

}  // namespace virtnat::driver
