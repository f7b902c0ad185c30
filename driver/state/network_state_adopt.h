#pragma once
// Re-adoption of the networks an earlier daemon left running, from their
// status records (status_record.h), each read once into a RecordedNetwork
// (recorded_network.h). A record is checked against the host, never
// trusted:
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
//
// The decisions and the reporting are here, pure; every effect goes
// through an AdoptionHost (HostDriverParts' in host_driver.h, a fake in
// tests/support/fake_adoption_host.h).

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/link/bridge.h"
#include "driver/state/recorded_network.h"
#include "driver/state/status_record.h"
#include "driver/state/status_store.h"

namespace virtnat::driver {

// The host, the driver and the status store as re-adoption changes them.
class AdoptionHost {
 public:
  virtual ~AdoptionHost() = default;

  // Called once with every record before any is adopted or torn down: the
  // firewall takes over the rules they name (it drops its shared table with
  // the last network it knows of), with their plans' rules where the
  // objects agree, so a rebuild of the table keeps every network whole.
  virtual void TakeRecordedRules(const std::vector<RecordedNetwork>& networks) = 0;
  virtual bool InterfaceExists(const std::string& ifname) = 0;
  virtual Result<std::vector<InterfaceAddress>> InterfaceAddresses(const std::string& ifname) = 0;
  virtual Status AddAddress(const std::string& ifname, const InterfaceAddress& address) = 0;
  // Whether the recorded dnsmasq is still that very process.
  virtual bool DnsmasqMatches(const DnsmasqStatus& dnsmasq) = 0;
  // Whether the driver can take the network (its name and uuid are not
  // another network's); checked before anything on the host changes.
  virtual Status CheckDriver(const xml::NetworkDef& live) = 0;
  // Takes the network over on the host side from its plan. REQUIRES:
  // net.plan. With `dnsmasq_gone` (the recorded dnsmasq no longer runs) it
  // adopts the dnsmasq of the network's pid file or, failing that, starts
  // a new one.
  virtual Status AdoptHost(const RecordedNetwork& net, bool dnsmasq_gone) = 0;
  // The dnsmasq serving the network once AdoptHost succeeded, if any.
  virtual std::optional<pid_t> DnsmasqPid(const std::string& network) = 0;
  // Makes sure the network's rules (its plan's) are in the kernel; returns
  // what was missing and has been put back (empty: nothing was missing),
  // other networks' rules restored with them included.
  virtual Result<std::vector<std::string>> EnsureRules(const RecordedNetwork& net) = 0;
  // Marks the network active in the driver with its live definition (after
  // AdoptHost) and takes back its recorded ports (net.record.ports; a port
  // that cannot be taken back is logged and left out). REQUIRES: net.def.
  virtual Status AdoptDriver(const RecordedNetwork& net) = 0;
  // Undoes AdoptHost by tearing the network down.
  virtual Status ReleaseHost(const RecordedNetwork& net) = 0;
  // Tears down what the record says is left (CleanUpRecordedNetwork); one
  // line per failure, naming the network.
  virtual std::vector<std::string> CleanUp(const RecordedNetwork& net) = 0;
  virtual Status RemoveRecord(const std::string& network) = 0;
  // Rewrites the record of an adopted network from what runs now (a new
  // dnsmasq's pid, say); problems are the recorder's to report.
  virtual void RewriteRecord(const std::string& network) = 0;
  // A network torn down that the driver does not know (a transient one) is
  // gone for good: what outlives a stop goes too (NetworkRealizer::Forget).
  // Does nothing for a network the driver knows.
  virtual Status ForgetUnknown(const std::string& network) = 0;

  enum class LogLevel { kInfo, kWarning };
  virtual void Log(LogLevel level, const std::string& message) = 0;
};

struct AdoptionReport {
  std::vector<std::string> adopted;     // names of networks taken over
  std::vector<std::string> cleaned_up;  // names of networks torn down
  // Names of networks the driver cannot take (a definition with its name
  // or uuid belongs to another network, or the live definition does not
  // parse): left running as they are, record kept, as libvirt leaves a
  // status file it cannot load.
  std::vector<std::string> left_alone;
  std::vector<std::string> repairs;   // "network 'N': ..." what was put back
  std::vector<std::string> problems;  // "network 'N': ..." what is wrong
};

AdoptionReport AdoptRecordedNetworks(const std::vector<RecordedNetwork>& networks,
                                     AdoptionHost& host);

// What the daemon does at start-up with the records `loaded` (StatusStore::
// LoadAll) holds: each is read once (ReadRecordedNetwork, planned with
// `facts`), the firewall takes their rules (TakeRecordedRules), they are
// adopted or torn down (AdoptRecordedNetworks), adopted ones get their
// records rewritten and torn-down ones the driver does not know are
// forgotten. Everything is logged through host.Log: adoptions as info,
// skipped records, repairs and problems as warnings.
void AdoptOrCleanUp(Result<LoadedStatus> loaded, DefinitionCodec& codec,
                    const NetworkPlanFacts& facts, AdoptionHost& host);

}  // namespace virtnat::driver
