#pragma once
// The dnsmasq instance of one network as a value: configuration file text,
// dhcp-hostsfile and addn-hosts contents, and the command line
// (host-effects.md §4). Planning does no I/O; the applier writes the files
// and starts the process.
//
// The configuration is line for line what libvirt writes for the same
// definition (differences and their reasons: tests/data/dnsmasq/
// known-differences.md). virtnat differs in how dnsmasq runs:
//  - ONE process per network. libvirt passes --dhcp-script, which makes
//    dnsmasq keep a second, root process to run its lease helper.
//  - Leases are dnsmasq's own lease database, --dhcp-leasefile=PATHS.lease_file
//    (dnsmasq opens it before it drops privileges, keeps it open and rewrites
//    it in place), in dnsmasq's lease-file format. The lease listing reads that
//    file; dnsmasq re-reads it when it restarts, so leases survive a crash or
//    restart of dnsmasq. libvirt instead keeps a JSON file written by
//    libvirt_leaseshelper and runs dnsmasq with --leasefile-ro.
//  - dnsmasq runs unprivileged: it starts as root (to bind port 53/67 and
//    open its files) and switches to --user/--group, keeping only the
//    capabilities it needs, as Debian's libvirt setup runs it.
//    File access (dnsmasq 2.90, checked in a namespace): the configuration
//    and the lease file are opened before the switch (0600 root is fine; the
//    lease file stays open and is rewritten through that descriptor); the
//    dhcp-hostsfile and addn-hosts are read after it, at start and on every
//    SIGHUP, so they must be readable by the dnsmasq user (0644 in a
//    directory it can traverse); the pid file is created as root and handed
//    to the user.
//  - dnsmasq daemonizes as under libvirt (its launcher's exit status and
//    stderr carry its startup errors) and is then found by its pid file and
//    supervised through a pidfd (dnsmasq_process.h); a restarted daemon
//    adopts it through the same pid file.

#include <string>
#include <vector>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct DnsmasqPaths {
  std::string binary = "/usr/sbin/dnsmasq";
  std::string conf_file;        // --conf-file=
  std::string hosts_file;       // dhcp-hostsfile= (written only into the conf)
  std::string addn_hosts_file;  // addn-hosts=
  std::string pid_file;         // pid-file=; empty: no line (libvirt's test corpus)
  std::string lease_file;       // --dhcp-leasefile=; empty: not on the command line
};

// The facts the definition does not hold.
struct DnsmasqFacts {
  std::string bridge;  // interface=; empty: the definition's <bridge name>
  DnsmasqPaths paths;
  std::string user;   // --user=; empty: not on the command line
  std::string group;  // --group=; empty: not on the command line
};

struct DnsmasqPlan {
  // Whether dnsmasq runs at all: the network has an <ip> and DHCP (a range
  // or a host), a TFTP root, or DNS not disabled. The texts below are
  // rendered either way.
  bool needed = false;
  std::string conf;               // mode 0600
  std::string hosts_file;         // dhcp-hostsfile content; "" when no static DHCP host
  std::string addn_hosts;         // addn-hosts content; "" when no DNS host
  std::vector<std::string> argv;  // argv[0] is paths.binary
};

// REQUIRES: `def` parsed and validated (network_validate.h). Fails with
// libvirt's error where libvirt fails to write the configuration (a PTR zone
// for an unsuitable prefix, two DHCP blocks of one family, a bad range), and
// with VIR_ERR_CONFIG_UNSUPPORTED for any value that would inject a line or a
// field into dnsmasq's files (dnsmasq_safety.h).
Result<DnsmasqPlan> PlanDnsmasq(const xml::NetworkDef& def, const DnsmasqFacts& facts);

// True when the network needs a dnsmasq (DnsmasqPlan::needed).
bool NeedsDnsmasq(const xml::NetworkDef& def);

// libvirt's file names: DIR/NAME.conf, .hostsfile, .addnhosts with NAME
// XML-escaped as libvirt does (a"b -> a&quot;b), RUN_DIR/NAME.pid, and
// DIR/NAME.leases for the lease database.
DnsmasqPaths MakeDnsmasqPaths(const std::string& dir, const std::string& run_dir,
                              const std::string& name);

// "local=/..." zone for an <ip localPtr='yes'>: "122.168.192.in-addr.arpa" or
// the nibbles of an IPv6 prefix + ".ip6.arpa". Fails like libvirt when the
// prefix is not a multiple of 8 (IPv4) or 4 (IPv6).
Result<std::string> PtrDomain(const IpAddress& address, unsigned prefix);

}  // namespace virtnat::driver
