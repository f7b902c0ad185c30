#pragma once
// The host side of switching between libvirt and virtnatd (takeover_plan.h
// decides): what libvirt's network driver left on the host, read from its
// directories, /proc and the interfaces; and the real TakeOverHost and
// HandBackHost over the parts virtnatd's daemon is built from.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/host_driver.h"
#include "driver/takeover/takeover_plan.h"

namespace virtnat::driver {

// Where libvirt's network driver keeps its state (its system instance).
struct LibvirtDirs {
  std::string config_dir = "/etc/libvirt/qemu/networks";  // NAME.xml, autostart/
  std::string run_dir = "/run/libvirt/network";           // NAME.xml status, NAME.pid
  std::string lease_dir = "/var/lib/libvirt/dnsmasq";     // BRIDGE.status
};

// Runs `argv` (argv[0] searched on PATH) and returns its stdout; an exit
// other than 0 is an error naming the command and quoting its stderr.
// `env`: the complete environment ("NAME=value"); nullopt: ours.
Result<std::string> RunProgram(const std::vector<std::string>& argv,
                               const std::optional<std::vector<std::string>>& env = std::nullopt);

// The networks libvirt runs (a status file in its run directory), each
// with its definition, autostart mark and dnsmasq, and the host's facts.
Result<TakeOverFacts> GatherTakeOverFacts(const LibvirtDirs& dirs);

using Say = std::function<void(const std::string& line)>;

// `keep_dir` holds libvirt's files put aside while virtnatd runs the
// networks (STATE_DIR/libvirt). `say` hears what happens, among it how
// long each network was without DHCP and DNS.
std::unique_ptr<TakeOverHost> MakeTakeOverHost(HostDriverParts& parts, NetworkObjects& objects,
                                               NetworkStateRecorder& recorder,
                                               const LibvirtDirs& dirs, const std::string& keep_dir,
                                               Say say);

// The networks virtnatd runs (its status records), as they go back.
Result<std::vector<NetworkHandBack>> GatherHandBack(HostDriverParts& parts, NetworkObjects& objects,
                                                    DefinitionCodec& codec);

std::unique_ptr<HandBackHost> MakeHandBackHost(HostDriverParts& parts, DefinitionCodec& codec,
                                               const LibvirtDirs& dirs,
                                               const std::string& keep_dir);

}  // namespace virtnat::driver
