#pragma once
// The kernel side of a network's bridge: create it with its link attributes,
// give it addresses and routes, bring it up, delete it. Netlink is the
// interface the applier uses; RealNetlink talks to the kernel through
// libnl-3 (never by running `ip` or `brctl`), FakeNetlink (bridge_fake.h)
// records calls for unit tests.
//
// Errors are SYSTEM_ERROR with the kernel's errno text, worded as libvirt's:
// "error creating bridge interface virbrx9: File exists".

#include <memory>
#include <optional>
#include <string>

#include "common/ip_address.h"
#include "common/status.h"
#include "driver/nl_ptr.h"
#include "xml/network_def.h"

namespace virtnat::driver {

struct BridgeSpec {
  std::string name;
  std::optional<xml::MacAddress> mac;  // absent: the kernel picks one
  unsigned mtu = 0;                    // 0: kernel default
  bool stp = true;
  unsigned long delay_seconds = 0;  // forward delay; the kernel raises it to 2 s with STP
};

struct InterfaceAddress {
  IpAddress address;
  unsigned prefix = 0;
};

struct StaticRoute {
  IpAddress destination;  // network address
  unsigned prefix = 0;
  IpAddress gateway;
  unsigned metric = 1;  // libvirt's default when <route metric> is absent
};

class Netlink {
 public:
  virtual ~Netlink() = default;

  // Creates the bridge down, with all of `spec` in place: either every
  // attribute is set or no bridge is left behind.
  virtual Status CreateBridge(const BridgeSpec& spec) = 0;
  // IPv4 addresses get the broadcast address of their subnet.
  virtual Status AddAddress(const std::string& ifname, const InterfaceAddress& address) = 0;
  virtual Status SetLinkUp(const std::string& ifname, bool up) = 0;
  virtual Status AddRoute(const std::string& ifname, const StaticRoute& route) = 0;
  // Deleting a link also drops its addresses and routes.
  virtual Status DeleteLink(const std::string& ifname) = 0;
};

class RealNetlink final : public Netlink {
 public:
  // Opens the netlink socket: every later call acts on the network
  // namespace of the thread calling Open().
  static Result<std::unique_ptr<RealNetlink>> Open();

  Status CreateBridge(const BridgeSpec& spec) override;
  Status AddAddress(const std::string& ifname, const InterfaceAddress& address) override;
  Status SetLinkUp(const std::string& ifname, bool up) override;
  Status AddRoute(const std::string& ifname, const StaticRoute& route) override;
  Status DeleteLink(const std::string& ifname) override;

 private:
  explicit RealNetlink(NlSockPtr sock) : sock_(std::move(sock)) {}
  Status SetMtu(const std::string& ifname, unsigned mtu);

  NlSockPtr sock_;
};

}  // namespace virtnat::driver
