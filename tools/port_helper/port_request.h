#pragma once
// virtnat-port's pure side: what the command line, the program's name and
// the environment ask for, what a QEMU parent's command line says about the
// guest behind a tap, the <networkport> document to create, and how the tap
// is to be plugged (bridge, MTU, isolation, bandwidth) given the network's
// and the port's XML.
//
// Names and sources, first found wins:
//   action   `up`/`down` argument, or the program name virtnat-ifup /
//            virtnat-ifdown (optionally `@NETWORK`: virtnat-ifup@lab)
//   network  --network, the `@NETWORK` of the program name, VIRTNAT_NETWORK,
//            "default"
//   MAC      --mac, VIRTNAT_MAC, the QEMU parent's -device/-nic for the tap,
//            the tap's own address
//   owner    --owner-name/--owner-uuid, VIRTNAT_OWNER_NAME/_UUID, the QEMU
//            parent's -name/-uuid; else the tap's name and a new uuid
//   URI      --connect, VIRTNAT_CONNECT, network:///system

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::port_helper {

enum class PortAction { kUp, kDown };

struct PortRequest {
  PortAction action = PortAction::kUp;
  std::string network;
  std::string tap;
  std::string mac;         // normalized (lowercase); empty: not given
  std::string owner_name;  // empty: not given
  std::string owner_uuid;  // normalized; empty: not given
  std::string uri;
};

using GetEnv = std::function<const char*(const char*)>;

inline constexpr const char* kUsage =
    "usage: virtnat-port up|down [--network NAME] [--mac MAC] [--owner-name NAME]\n"
    "                            [--owner-uuid UUID] [--connect URI] TAP\n"
    "       virtnat-ifup[@NETWORK] [OPTIONS] TAP\n"
    "       virtnat-ifdown[@NETWORK] [OPTIONS] TAP\n";

// `args` is the whole argv (args[0] the program name). Extra arguments after
// TAP are ignored (scripts may be called with more). Errors name the
// argument and the fix.
Result<PortRequest> ParsePortRequest(const std::vector<std::string>& args, const GetEnv& env);

// What a QEMU command line says about the guest using `tap`: -name, -uuid,
// and the MAC of the device whose -netdev tap has ifname=TAP (or of the
// only tap netdev without an ifname, which QEMU names itself), or of a
// -nic tap. Empty fields where it says nothing; all empty when `args` is not
// QEMU's (its program name has no "qemu" or "kvm").
struct GuestFacts {
  std::string name;
  std::string uuid;
  std::string mac;
};
GuestFacts GuestFromQemuCommandLine(const std::vector<std::string>& args, const std::string& tap);

// Fills the request's empty MAC and owner from `guest`, then the MAC from
// `tap_mac` and the owner name from the tap's name.
void CompleteRequest(PortRequest& request, const GuestFacts& guest, const std::string& tap_mac);

// The <networkport> to create: port uuid `port_uuid`, owner (name and uuid;
// `owner_uuid` when the request has none) and MAC.
std::string BuildPortXml(const PortRequest& request, const xml::Uuid& port_uuid,
                         const xml::Uuid& owner_uuid);

// How the tap is plugged.
struct TapSettings {
  std::string bridge;
  unsigned mtu = 0;  // 0: the bridge's
  bool isolated = false;
  std::optional<xml::Bandwidth> bandwidth;
  bool operator==(const TapSettings&) const = default;
};

// From the running network and the created port's XML: the bridge (the
// port's plug, else the network's), the network's MTU, isolation (the
// port's <port isolated>, else the network's, as libvirt defaults a port),
// the port's average, peak and burst (a floor is the network's to guarantee
// on its bridge, not the tap's). Fails for a network whose ports are not
// plugged into a bridge (a forward mode other than nat, route, open, bridge
// or none).
Result<TapSettings> SettingsForTap(const xml::NetworkDef& net, std::string_view port_xml);

// The MAC of a <networkport>, normalized; empty when it has none.
std::string PortMac(std::string_view port_xml);
// The owner name of a <networkport>; empty when it has none.
std::string PortOwnerName(std::string_view port_xml);

// Whether `down` deletes the port `port_xml`: the one with the request's
// MAC; without a MAC (the tap is gone, as when libvirt runs the downscript
// after QEMU closed it, and none was given), the one whose owner is named
// after the tap, which is how `up` names a port it knows no guest name for.
bool PortMatches(const PortRequest& request, std::string_view port_xml);

}  // namespace virtnat::port_helper
