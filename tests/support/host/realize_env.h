#pragma once
// The world of the realizer's integration tests, all in throw-away network
// namespaces: a "host" where a HostRealizer runs on its own GLib loop thread
// (dnsmasq restarts happen there), a "wan" beside it (host eth0
// 198.51.100.1/24 <-> wan eth0 198.51.100.2/24), and guests plugged into a
// bridge by veth pairs. Small Python servers answer each TCP connection
// with the address they saw it come from. Everything (namespaces, their
// processes, the temporary directory) goes when the object does, also after
// a failed assertion.

#include <glib.h>
#include <sys/types.h>

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/glib_handle.h"
#include "driver/realize/host_realizer.h"
#include "tests/support/host/netns.h"
#include "xml/network_def.h"

namespace virtnat::testing {

// The realizer on a loop thread inside `ns`.
class RealizerHost {
 public:
  RealizerHost(const NetNs& ns, const std::string& state_dir);
  ~RealizerHost();
  RealizerHost(const RealizerHost&) = delete;
  RealizerHost& operator=(const RealizerHost&) = delete;

  bool ok() const { return ok_; }
  // Runs `fn` with the realizer on the loop thread and waits for it.
  template <typename Fn>
  auto Call(Fn fn) -> std::invoke_result_t<Fn&, driver::HostRealizer&> {
    using R = std::invoke_result_t<Fn&, driver::HostRealizer&>;
    std::optional<R> result;
    RunOnLoop([&] { result.emplace(fn(*realizer_)); });
    return std::move(*result);
  }

 private:
  void RunOnLoop(std::function<void()> task);
  void Main(const std::string& ns_name, const std::string& state_dir, std::promise<bool>* ready);

  GMainContextPtr context_;
  GMainLoopPtr loop_;
  std::unique_ptr<driver::Netlink> netlink_;
  std::unique_ptr<driver::Firewall> firewall_;
  std::unique_ptr<driver::HostFacts> facts_;
  std::unique_ptr<driver::Sysctl> sysctl_;
  std::unique_ptr<driver::Qos> qos_;
  std::unique_ptr<driver::HostRealizer> realizer_;
  std::thread thread_;
  bool ok_ = false;
};

class RealizeEnv {
 public:
  RealizeEnv();
  ~RealizeEnv();

  bool ok() const { return ok_; }
  NetNs& host() { return host_; }
  NetNs& wan() { return wan_; }
  RealizerHost& realizer() { return *realizer_; }
  const std::string& dir() const { return dir_; }

  // Parses and validates a definition (as the object layer would hand it).
  static xml::NetworkDef Def(const std::string& xml);

  // A new guest namespace whose eth0 (with `mac`) is a port of `bridge`.
  NetNs& AddGuest(const std::string& bridge, const std::string& mac);
  // udhcpc on the guest's eth0; returns "A.B.C.D/P" or "" (a test failure).
  std::string Lease(NetNs& guest);
  // Answers TCP connections on address:port in `ns` with the peer address.
  void StartServer(NetNs& ns, const std::string& address, int port);
  // What the server at address:port told a client in `ns`, or "refused" /
  // "timeout".
  std::string Connect(NetNs& ns, const std::string& address, int port);

  // Links, addresses, rules, processes and files of the host namespace and
  // the state directory, as text to compare before and after.
  std::string Snapshot();

 private:
  NetNs host_{"rhost"};
  NetNs wan_{"rwan"};
  std::vector<std::unique_ptr<NetNs>> guests_;
  std::vector<pid_t> servers_;
  std::string dir_;
  std::unique_ptr<RealizerHost> realizer_;
  bool ok_ = false;
};

// Trailing newlines removed.
std::string Trim(std::string s);

}  // namespace virtnat::testing
