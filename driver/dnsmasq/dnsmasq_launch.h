#pragma once
// Launching dnsmasq once, as libvirt does: dnsmasq daemonizes, and its
// launching process exits only after the daemon has bound its sockets and
// written its pid file; startup errors (address in use, bad option, bad TFTP
// root) come back as that process's exit status and stderr, so a start fails
// with dnsmasq's own message. Unlike libvirt we wait for the exit, not for
// EOF on stderr (a `log-facility=-` daemon keeps it open forever), and the
// wait is bounded. A foreground dnsmasq (--keep-in-foreground) would stay
// our child, but it cannot be checked: it writes its pid file before its last
// startup checks and reports their failures only to syslog (dnsmasq 2.90
// with a bad tftp-root: pid file written, then exit 3 with nothing on
// stderr). So the launch refuses it.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "driver/os/process.h"

namespace virtnat::driver {

struct DnsmasqCommand {
  std::string network;  // the network it serves, for messages; may be empty
  std::string binary = "/usr/sbin/dnsmasq";
  std::vector<std::string> args;  // after the binary, e.g. "--conf-file=PATH"
  std::vector<std::string> env;   // the complete environment
  // Where the configuration makes dnsmasq write its pid ("pid-file=").
  std::string pid_file;
  std::string user;  // empty: DnsmasqUser()
  // The lease database the configuration names and the bridge served, for
  // the lease publisher (lease_publisher.h); not part of the command run.
  std::string lease_file;
  std::string bridge;
};

// "dnsmasq" if that user exists, else "nobody".
std::string DnsmasqUser();

// binary, args..., and --user=USER unless the args already name a user.
std::vector<std::string> DnsmasqArgv(const DnsmasqCommand& command);

// The pid dnsmasq wrote to its pid file `path`.
Result<pid_t> ReadDnsmasqPid(const std::string& path);

// Runs dnsmasq once and returns the daemon it left running, blocking up to
// `timeout`. Refuses args that keep dnsmasq in the foreground (-k,
// --keep-in-foreground, -d, --no-daemon). On failure nothing of the attempt
// is left (process, pid file) and the error is INTERNAL_ERROR in libvirt's
// words: "Child process (ENV CMD) unexpected exit status 2: \ndnsmasq: ...".
Result<Pidfd> LaunchDnsmasq(const DnsmasqCommand& command, std::chrono::milliseconds timeout);

// The parts of LaunchDnsmasq for callers that wait on their own loop:
// Begin spawns; Finish, once the launcher has exited, reads its status,
// stderr (`err`: what was read before) and the pid file; Cancel ends a
// launch that is not wanted any more (or took too long). After a failed
// Finish or a Cancel no process and no pid file of the attempt is left.
Result<SpawnedChild> BeginDnsmasqLaunch(const DnsmasqCommand& command);
Result<Pidfd> FinishDnsmasqLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher,
                                  std::string err);
void CancelDnsmasqLaunch(const DnsmasqCommand& command, const SpawnedChild& launcher);
// The error of a launch cancelled because it outlasted `timeout`.
Error DnsmasqLaunchTimeout(const DnsmasqCommand& command, std::chrono::milliseconds timeout);

}  // namespace virtnat::driver
