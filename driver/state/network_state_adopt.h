#pragma once
// Re-adoption of the networks an earlier daemon left running, from their
// status records (status_record.h). A record is checked against the host,
// never trusted:
//  - the bridge must exist; if it is gone the network is gone: what is left
//    (rules, files, its dnsmasq if it is still ours) is torn down;
//  - recorded addresses missing from the bridge are put back;
//  - the recorded dnsmasq must still be the same process (pid, start time,
//    command line); if it died or its pid now names another program, that
//    program is left alone and the network gets a new dnsmasq, as libvirt's
//    networkRefreshDaemons does for an active network without one (unless
//    its pid file names a dnsmasq running its very command: a supervised
//    restart the record missed);
//  - the network's rules must be in the kernel; missing ones are put back.
// Every repair and every network given up is reported by name. A network
// that cannot be taken over whole is torn down, never left half adopted, and
// so is a start that an earlier daemon did not finish (StartIntentRecord);
// one the driver cannot take at all is left untouched.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/firewall/nft_ruleset.h"
#include "driver/state/network_state.h"

namespace virtnat::driver {

struct AdoptHooks {
  CleanupHooks cleanup;  // tears down a record the host side has not taken over
  // Addresses on `ifname` as "ADDRESS/PREFIX".
  std::function<Result<std::vector<std::string>>(const std::string& ifname)> interface_addresses;
  std::function<Status(const std::string& ifname, const std::string& address)> add_address;
  // Whether the recorded dnsmasq is still that very process.
  std::function<bool(const DnsmasqStatus&)> dnsmasq_matches;
  // Whether the driver can take the network (its name and uuid are not
  // another network's); checked before anything on the host changes.
  std::function<Status(const StatusRecord&)> check_driver;
  // Takes the network over on the host side; with `dnsmasq_gone` (the
  // recorded dnsmasq no longer runs) it adopts the dnsmasq of the network's
  // pid file or, failing that, starts a new one.
  std::function<Status(const StatusRecord&, bool dnsmasq_gone)> adopt_host;
  // The dnsmasq serving the network once adopt_host succeeded, if any.
  std::function<std::optional<pid_t>(const std::string& name)> dnsmasq_pid;
  // Makes sure the network's rules are in the kernel; returns what was
  // missing and has been put back (empty: nothing was missing), other
  // networks' rules restored with them included.
  std::function<Result<std::vector<std::string>>(const StatusRecord&)> ensure_rules;
  // Marks the network active in the driver (after adopt_host).
  std::function<Status(const StatusRecord&)> adopt_driver;
  // Undoes adopt_host by tearing the network down.
  std::function<Status(const StatusRecord&)> release_host;
  std::function<Status(const std::string& name)> remove_record;
};

struct AdoptionReport {
  std::vector<std::string> adopted;     // names of networks taken over
  std::vector<std::string> cleaned_up;  // names of networks torn down
  // Names of networks the driver cannot take (a definition with its name
  // or uuid belongs to another network): left running as they are, record
  // kept, as libvirt leaves a status file it cannot load.
  std::vector<std::string> left_alone;
  std::vector<std::string> repairs;   // "network 'N': ..." what was put back
  std::vector<std::string> problems;  // "network 'N': ..." what is wrong
};

AdoptionReport AdoptRecordedNetworks(const std::vector<StatusRecord>& records,
                                     const AdoptHooks& hooks);

// Whether `a` and `b` name the same chains (rules aside) and map elements:
// a status record's firewall objects (firewall_record.h) against a plan's.
bool SameFirewallObjects(const NftNetworkRules& a, const NftNetworkRules& b);

}  // namespace virtnat::driver
