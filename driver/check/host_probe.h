#pragma once
// Gathers the facts `virtnatd --check` judges (host_check.h) from this
// process's view of the host: its credentials, the kernel, dnsmasq, /proc/sys,
// the nftables ruleset and libvirt's network definitions. Reads only.

#include <string>

#include "driver/check/host_check.h"

namespace virtnat::driver {

struct HostProbeInput {
  std::string dnsmasq_binary = "dnsmasq";  // a name is looked up on PATH
  std::string config_dir = "/etc/virtnat";
  std::string libvirt_network_dir = "/etc/libvirt/qemu/networks";
};

HostCheckFacts ProbeHost(const HostProbeInput& input);

// Probes, prints the judged lines on stdout; returns the exit code.
int RunHostCheck(const HostProbeInput& input);

// dnsmasq as configured, found on PATH as libvirt finds it, by its real path
// (a running dnsmasq's command line is compared with it on re-adoption).
// Empty, with a warning logged, when it is not there.
std::string FindDnsmasq(const std::string& configured);

// Whether this process may create bridges and firewall rules (root or
// CAP_NET_ADMIN in its effective set): the daemon refuses to start without.
bool HasNetworkPrivilege();

}  // namespace virtnat::driver
