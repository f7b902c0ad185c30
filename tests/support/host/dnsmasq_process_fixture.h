#pragma once
// The scene for dnsmasq tests: a "host" namespace with the bridge virbrd0
// (10.9.0.1/24, STP off) and a "guest" namespace whose eth0 (MAC kGuestMac)
// is plugged into it by a veth pair; a scratch directory (mode 0755: the
// dnsmasq user reads hosts files there) for confs, pid and lease files.
// TearDown kills any dnsmasq a failed test left, by the pid in its pid file,
// before the namespaces go.

#include <glib.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "driver/dnsmasq/dnsmasq_process.h"
#include "tests/support/host/netns.h"

namespace virtnat::testing {

inline constexpr const char* kBridge = "virbrd0";
inline constexpr const char* kGuestMac = "52:54:00:aa:00:01";

class DnsmasqTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A dnsmasq command for the bridge with a hand-written conf DIR/NAME.conf
  // (DHCP 10.9.0.100-150, lease file DIR/NAME.leases, pid file
  // DIR/NAME.pid); `extra` lines are appended to the conf.
  driver::DnsmasqCommand Command(const std::string& name, const std::string& extra = "");

  // Runs udhcpc in the guest; returns the address it configured ("10.9.0.x/24"),
  // or "" after recording a failure. About 3 s: dnsmasq pings an address
  // before it offers it.
  std::string GuestLease();

  // Iterates `context` until `done` or the timeout.
  static void IterateUntil(GMainContext* context, const std::function<bool()>& done,
                           std::chrono::milliseconds timeout);

  NetNs host_{"dnsh"};
  NetNs guest_{"dnsg"};
  std::string dir_;
};

}  // namespace virtnat::testing
