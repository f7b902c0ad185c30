#pragma once
// FakeNetlink: an in-memory Netlink for unit tests of the code that drives
// it. It records every call as a line of text, keeps the links it was asked
// to create (refusing duplicates and unknown links with the kernel's errors,
// worded as RealNetlink words them), and fails a chosen call on request.

#include <map>
#include <string>
#include <vector>

#include "driver/link/bridge.h"

namespace virtnat::driver {

struct FakeLink {
  BridgeSpec spec;
  bool up = false;
  std::vector<std::string> addresses;  // "192.168.122.1/24"
  std::vector<std::string> routes;     // "10.0.0.0/24 via 192.168.122.2 metric 1"
};

class FakeNetlink final : public Netlink {
 public:
  Status CreateBridge(const BridgeSpec& spec) override;
  Status AddAddress(const std::string& ifname, const InterfaceAddress& address) override;
  Status SetLinkUp(const std::string& ifname, bool up) override;
  Status AddRoute(const std::string& ifname, const StaticRoute& route) override;
  Status DeleteLink(const std::string& ifname) override;

  // Every call so far, e.g. "CreateBridge virbr0 mac=52:54:00:12:34:56 mtu=0
  // stp=on delay=0", "AddAddress virbr0 192.168.122.1/24", "SetLinkUp virbr0
  // up", "AddRoute virbr0 10.0.0.0/24 via 192.168.122.2 metric 1",
  // "DeleteLink virbr0". Failed calls are recorded too.
  const std::vector<std::string>& calls() const { return calls_; }
  const std::map<std::string, FakeLink>& links() const { return links_; }

  // The next call whose text starts with `prefix` fails with `error` and
  // changes nothing.
  void FailOn(std::string prefix, Error error);

 private:
  Status Record(const std::string& call);

  std::vector<std::string> calls_;
  std::map<std::string, FakeLink> links_;
  std::vector<std::pair<std::string, Error>> failures_;
};

}  // namespace virtnat::driver
