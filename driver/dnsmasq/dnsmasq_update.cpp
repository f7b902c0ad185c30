#include "driver/dnsmasq/dnsmasq_update.h"

namespace virtnat::driver {

const char* DnsmasqActionName(DnsmasqAction action) {
  switch (action) {
    case DnsmasqAction::kNone:
      return "none";
    case DnsmasqAction::kStart:
      return "start";
    case DnsmasqAction::kStop:
      return "stop";
    case DnsmasqAction::kRefresh:
      return "refresh";
    case DnsmasqAction::kRestart:
      return "restart";
  }
  return "none";
}

DnsmasqAction DnsmasqUpdateAction(const DnsmasqPlan& applied, const DnsmasqPlan& wanted) {
  if (!applied.needed) return wanted.needed ? DnsmasqAction::kStart : DnsmasqAction::kNone;
  if (!wanted.needed) return DnsmasqAction::kStop;
  if (applied.conf != wanted.conf || applied.argv != wanted.argv) return DnsmasqAction::kRestart;
  if (applied.hosts_file != wanted.hosts_file || applied.addn_hosts != wanted.addn_hosts) {
    return DnsmasqAction::kRefresh;
  }
  return DnsmasqAction::kNone;
}

}  // namespace virtnat::driver
