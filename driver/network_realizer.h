#pragma once
// Host effects of a network, injected into the object layer. The in-memory
// driver uses NullRealizer (no effects); the real driver plugs in bridge,
// firewall and dnsmasq behind this interface.

#include <functional>
#include <vector>

#include "common/status.h"
#include "driver/network_driver.h"
#include "driver/ports/device_pool.h"
#include "xml/network_def.h"

namespace virtnat::driver {

// A port's inbound floor (network_port.h's PortDef, the parts the host
// needs).
struct PortFloor {
  xml::MacAddress mac{};
  unsigned long long floor = 0;  // kbytes/s
  unsigned class_id = 0;         // 3 and up
};

class NetworkRealizer {
 public:
  virtual ~NetworkRealizer() = default;
  // Brings the network up, blocking until it is; on error nothing is left
  // behind.
  virtual Status Start(const xml::NetworkDef& def) = 0;
  using StartDone = std::function<void(Status)>;
  // Brings the network up without blocking the loop on its children: `done`
  // gets the outcome exactly once, during this call (this default: the
  // realizers without slow steps) or later on the loop, after the network is
  // fully up or, on error, fully undone. If the realizer is destroyed first
  // the start is undone and `done` is not called.
  virtual void StartAsync(const xml::NetworkDef& def, StartDone done) { done(Start(def)); }
  // Tears it down (best effort; errors are reported but the object stops).
  virtual Status Stop(const xml::NetworkDef& def) = 0;
  // Applies a changed live definition to a running network.
  virtual Status Reload(const xml::NetworkDef& old_def, const xml::NetworkDef& new_def) = 0;
  // As Reload, without blocking the loop on a restarted child; `done` as
  // for StartAsync (on error the network runs as before).
  virtual void ReloadAsync(const xml::NetworkDef& old_def, const xml::NetworkDef& new_def,
                           StartDone done) {
    done(Reload(old_def, new_def));
  }
  // Current DHCP leases of a running network.
  virtual Result<std::vector<NetworkDhcpLease>> Leases(const xml::NetworkDef& def) = 0;
  // The virtual functions of SR-IOV physical function `pf`, for the device
  // pool of a network that names it (device_pool.h); this default: a host
  // without SR-IOV devices.
  virtual Result<std::vector<VirtualFunction>> VirtualFunctions(const std::string& pf) {
    (void)pf;
    return std::vector<VirtualFunction>{};
  }
  // Checks of a new definition against the host's devices, made when it is
  // defined or created (libvirt's networkValidate: a hostdev pool's PCI
  // addresses are SR-IOV VFs); this default: none.
  virtual Status CheckHostDevices(const xml::NetworkDef& def) {
    (void)def;
    return Status::Ok();
  }
  // True if a host interface with this name exists (bridge name choice).
  virtual bool InterfaceExists(const std::string& name) = 0;
  // The network will not run again (transient and stopped, or undefined
  // while inactive): drops what a stopped network keeps (its leases).
  virtual Status Forget(const std::string& network) {
    (void)network;
    return Status::Ok();
  }
  // Guarantees `port` its floor on the running network `def` (libvirt's
  // virNetDevBandwidthPlug and the new rate of class 1:2), `floor_sum` the
  // floors of the network's ports with this one. Plugging a port whose
  // class is there already brings it to the plan. This default: a realizer
  // that cannot, which says so.
  virtual Status PlugFloor(const xml::NetworkDef& def, const PortFloor& port,
                           unsigned long long floor_sum) {
    (void)port;
    (void)floor_sum;
    return OperationUnsupported("cannot guarantee an inbound 'floor' on network '" + def.name +
                                "' here");
  }
  // Removes the port's floor again (virNetDevBandwidthUnplug), `floor_sum`
  // the floors left. Best effort.
  virtual Status UnplugFloor(const xml::NetworkDef& def, const PortFloor& port,
                             unsigned long long floor_sum) {
    (void)def;
    (void)port;
    (void)floor_sum;
    return Status::Ok();
  }
};

class NullRealizer : public NetworkRealizer {
 public:
  Status Start(const xml::NetworkDef&) override { return Status::Ok(); }
  Status Stop(const xml::NetworkDef&) override { return Status::Ok(); }
  Status Reload(const xml::NetworkDef&, const xml::NetworkDef&) override { return Status::Ok(); }
  Result<std::vector<NetworkDhcpLease>> Leases(const xml::NetworkDef&) override {
    return std::vector<NetworkDhcpLease>{};
  }
  bool InterfaceExists(const std::string&) override { return false; }
  Status PlugFloor(const xml::NetworkDef&, const PortFloor&, unsigned long long) override {
    return Status::Ok();
  }
};

}  // namespace virtnat::driver
