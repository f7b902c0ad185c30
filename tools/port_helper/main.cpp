// virtnat-port (also installed as virtnat-ifup and virtnat-ifdown): QEMU's
// and libvirt's tap script for virtnatd networks. `up` creates a port on the
// network through the network driver's port API (virNetworkPortCreateXML,
// so `virsh net-port-list` shows the guest) and plugs the tap into the
// network's bridge with the port's settings; `down` finds the port by the
// guest's MAC, unplugs the tap and deletes the port. See virtnat-port(8).
//
// It is a client of the network driver through libvirt's own C library
// (libvirt0): virtnat's rpc/ is the server side only, and libvirt's client
// gives every URI form (network:///system, network+unix:///…?socket=,
// network+ssh://…), its authentication and its error reporting for free.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "driver/os/process_identity.h"
#include "tools/port_helper/port_request.h"
#include "tools/port_helper/tap_plug.h"
#include "xml/network_parse.h"

namespace {

using namespace virtnat;
using namespace virtnat::port_helper;

struct ConnectCloser {
  void operator()(virConnectPtr p) const noexcept { virConnectClose(p); }
};
struct NetworkFreer {
  void operator()(virNetworkPtr p) const noexcept { virNetworkFree(p); }
};
struct PortFreer {
  void operator()(virNetworkPortPtr p) const noexcept { virNetworkPortFree(p); }
};
using ConnectPtr = std::unique_ptr<virConnect, ConnectCloser>;
using NetworkPtr = std::unique_ptr<virNetwork, NetworkFreer>;
using PortPtr = std::unique_ptr<virNetworkPort, PortFreer>;
struct CharFreer {
  void operator()(char* p) const noexcept { std::free(p); }
};
using CharPtr = std::unique_ptr<char, CharFreer>;

// libvirt's last error, as virsh prints it (its message has its prefix).
Error LibvirtError(const std::string& fallback) {
  const virError* err = virGetLastError();
  if (!err || !err->message) return InternalError(fallback);
  return Error{err->code, err->domain, err->message};
}

xml::Uuid RandomUuid() {
  std::random_device random;
  xml::Uuid uuid{};
  for (auto& byte : uuid) byte = static_cast<uint8_t>(random());
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x40);  // version 4
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);  // variant 1
  return uuid;
}

struct Network {
  ConnectPtr conn;
  NetworkPtr net;
  xml::NetworkDef def;
};

Result<Network> OpenNetwork(const PortRequest& request) {
  Network out;
  out.conn.reset(virConnectOpen(request.uri.c_str()));
  if (!out.conn) return LibvirtError("cannot connect to " + request.uri);
  out.net.reset(virNetworkLookupByName(out.conn.get(), request.network.c_str()));
  if (!out.net) return LibvirtError("no network '" + request.network + "'");
  if (virNetworkIsActive(out.net.get()) != 1) {
    return OperationInvalid("network '" + request.network + "' is not running (virsh net-start " +
                            request.network + ")");
  }
  CharPtr xml(virNetworkGetXMLDesc(out.net.get(), 0));
  if (!xml) return LibvirtError("cannot read network '" + request.network + "'");
  ASSIGN_OR_RETURN(out.def, xml::ParseNetworkXml(xml.get()));
  return out;
}

Result<std::string> PortXml(virNetworkPortPtr port) {
  CharPtr xml(virNetworkPortGetXMLDesc(port, 0));
  if (!xml) return LibvirtError("cannot read a port");
  return std::string(xml.get());
}

// The MAC and owner the caller did not give: QEMU's command line when QEMU
// runs this script, else the tap's own address (the tap still exists when
// QEMU runs its downscript; libvirt runs it after QEMU closed the tap, and
// `down` then finds the port by its owner, named after the tap).
Status Complete(PortRequest& request) {
  GuestFacts guest;
  if (Result<std::vector<std::string>> parent = driver::ReadProcessCmdline(getppid());
      parent.ok()) {
    guest = GuestFromQemuCommandLine(*parent, request.tap);
  }
  std::string tap_mac;
  if (request.mac.empty() && guest.mac.empty()) {
    Result<std::string> mac = TapMac(request.tap);
    if (!mac.ok() && request.action == PortAction::kUp) {
      return mac.status().WithContext("no MAC given (--mac, VIRTNAT_MAC) and none readable");
    }
    if (mac.ok()) tap_mac = *mac;
  }
  CompleteRequest(request, guest, tap_mac);
  return Status::Ok();
}

Status Up(PortRequest& request) {
  RETURN_IF_ERROR(Complete(request));
  ASSIGN_OR_RETURN(Network network, OpenNetwork(request));
  std::string xml = BuildPortXml(request, RandomUuid(), RandomUuid());
  PortPtr port(virNetworkPortCreateXML(network.net.get(), xml.c_str(), 0));
  if (!port) return LibvirtError("cannot create a port on network '" + request.network + "'");
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(std::string port_xml, PortXml(port.get()));
    ASSIGN_OR_RETURN(TapSettings settings, SettingsForTap(network.def, port_xml));
    return PlugTap(request.network, request.tap, settings);
  }();
  if (!status.ok()) virNetworkPortDelete(port.get(), 0);
  return status;
}

Status Down(PortRequest& request) {
  RETURN_IF_ERROR(Complete(request));
  ASSIGN_OR_RETURN(Network network, OpenNetwork(request));
  virNetworkPortPtr* ports = nullptr;
  int count = virNetworkListAllPorts(network.net.get(), &ports, 0);
  if (count < 0) return LibvirtError("cannot list the ports of '" + request.network + "'");
  std::vector<PortPtr> owned;
  for (int i = 0; i < count; ++i) owned.emplace_back(ports[i]);
  std::free(ports);
  Status first;
  int found = 0;
  for (PortPtr& port : owned) {
    Result<std::string> port_xml = PortXml(port.get());
    if (!port_xml.ok() || !PortMatches(request, *port_xml)) continue;
    ++found;
    Result<TapSettings> settings = SettingsForTap(network.def, *port_xml);
    Status status =
        settings.ok() ? UnplugTap(request.network, request.tap, *settings) : settings.status();
    if (virNetworkPortDelete(port.get(), 0) != 0 && status.ok()) {
      status = LibvirtError("cannot delete the port");
    }
    if (first.ok()) first = status;
  }
  if (found == 0 && !request.mac.empty()) {
    return OperationInvalid("network '" + request.network + "' has no port with MAC " +
                            request.mac + " (tap '" + request.tap + "')");
  }
  if (found == 0) {
    return OperationInvalid("network '" + request.network + "' has no port owned by '" +
                            request.tap + "', and tap '" + request.tap +
                            "' is gone: give the guest's MAC (--mac, VIRTNAT_MAC)");
  }
  return first;
}

}  // namespace

int main(int argc, char** argv) {
  // libvirt prints its errors itself unless told otherwise; we print them once.
  virSetErrorFunc(nullptr, [](void*, virErrorPtr) {});
  std::vector<std::string> args(argv, argv + argc);
  Result<PortRequest> request =
      ParsePortRequest(args, [](const char* name) { return std::getenv(name); });
  if (!request.ok()) {
    std::cerr << "virtnat-port: " << request.error().message;
    return 2;
  }
  Status status = request->action == PortAction::kUp ? Up(*request) : Down(*request);
  if (!status.ok()) {
    std::cerr << "virtnat-port: " << (request->action == PortAction::kUp ? "up" : "down") << " "
              << request->tap << " on " << request->network << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}
