#pragma once
// What the daemon applied for one running network, as recorded in the run
// directory so that a restarted daemon can re-adopt the network or tear it
// down from the record (never from a definition that may have changed).
//
// On disk it is a small XML document of virtnat's own (libvirt's status XML
// holds neither the firewall objects nor the dnsmasq identity):
//
//   <virtnat-status version='1'>
//     <name value='NAME'/>
//     <bridge value='virbr0'/>
//     <address value='192.168.122.1/24'/>          (repeated, ADDRESS/PREFIX)
//     <firewall value='OPAQUE'/>
//     <dnsmasq pid='1234' starttime='567890'>
//       <arg value='/usr/sbin/dnsmasq'/>            (repeated, argv[0] first)
//     </dnsmasq>
//     <file value='/var/lib/virtnat/NAME.conf'/>    (repeated)
//     <extra key='KEY' value='VALUE'/>              (repeated)
//     <port>ESCAPED PORT XML</port>                 (repeated, one per port)
//     <definition>ESCAPED LIVE XML</definition>
//   </virtnat-status>
//
// Strings live in attributes with tab, newline and carriage return written
// as character references, so every string, blank ones included, reads back
// byte for byte; the definition is escaped text.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "driver/link/bridge.h"

namespace virtnat::driver {

struct DnsmasqStatus {
  pid_t pid = 0;                     // > 0
  uint64_t start_time = 0;           // /proc/PID/stat field 22 (process_identity.h)
  std::vector<std::string> cmdline;  // argv as started
  bool operator==(const DnsmasqStatus&) const = default;
};

struct StatusRecord {
  std::string name;
  std::string live_xml;                     // the live definition, as net-dumpxml prints it
  std::string bridge;                       // the bridge device created or adopted
  std::vector<InterfaceAddress> addresses;  // addresses put on the bridge
  std::string firewall;                     // opaque identifiers of the firewall objects
  std::optional<DnsmasqStatus> dnsmasq;
  // Files the network owns (dnsmasq's conf, hosts and pid files), removed
  // when it is torn down; recorded even while dnsmasq is between restarts.
  std::vector<std::string> files;
  std::map<std::string, std::string> extra;  // further facts the applier needs to undo
  // The network's ports, each as net-port-dumpxml prints it (plug and
  // merged settings included), so that a restarted daemon serves them as
  // they were; their number is the network's connection count.
  std::vector<std::string> ports;
  bool operator==(const StatusRecord&) const = default;
};

// Fails (VIR_ERR_INTERNAL_ERROR) for an empty name or live definition, for
// strings XML cannot carry (control characters other than tab, newline and
// carriage return), for an invalid address and for a dnsmasq entry without
// pid or command line.
Result<std::string> FormatStatusRecord(const StatusRecord& record);

// `label` names the document in error messages (its path). Addresses are
// parsed here, once; one that is not "ADDRESS/PREFIX" makes the record
// malformed.
Result<StatusRecord> ParseStatusRecord(std::string_view text, const std::string& label);

// "ADDRESS/PREFIX" as a record holds it, IPv6 compressed: "fd00:150::1/64".
std::string AddressText(const InterfaceAddress& address);

// The record written before a start touches the host (HostRealizerDeps::
// begin_start): it names the bridge and the rules the start is about to
// create, and no dnsmasq yet. A restarted daemon that finds one never
// re-adopts it: the start was cut off, and whatever it created is torn down.
// `firewall`: the firewall_record.h text of the planned rules.
StatusRecord StartIntentRecord(const std::string& name, const std::string& live_xml,
                               const std::string& bridge, const std::string& firewall);
bool IsStartIntent(const StatusRecord& record);

}  // namespace virtnat::driver
