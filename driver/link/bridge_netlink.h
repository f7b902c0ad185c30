#pragma once
// Netlink (bridge.h) on the kernel, through libnl-3's route socket.

#include <memory>
#include <string>

#include "common/status.h"
#include "driver/link/bridge.h"
#include "driver/link/nl_ptr.h"

namespace virtnat::driver {

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
