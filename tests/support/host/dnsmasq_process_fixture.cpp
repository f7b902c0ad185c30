#include "tests/support/host/dnsmasq_process_fixture.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "driver/link/bridge_netlink.h"

namespace virtnat::testing {

using driver::BridgeSpec;
using driver::RealNetlink;
using std::chrono::milliseconds;

void DnsmasqTest::SetUp() {
  char tmpl[] = "/tmp/vn-dnsmasq-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  std::filesystem::permissions(
      dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                std::filesystem::perms::others_exec);
  ASSERT_TRUE(host_.ok() && guest_.ok());
  host_.Run([] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    // STP off: with it the port would drop the first DISCOVERs for 2 x 2 s.
    ASSERT_TRUE((*netlink)->CreateBridge(BridgeSpec{kBridge, std::nullopt, 0, false, 0}).ok());
    ASSERT_TRUE((*netlink)->AddAddress(kBridge, {*IpAddress::Parse("10.9.0.1"), 24}).ok());
    ASSERT_TRUE((*netlink)->SetLinkUp(kBridge, true).ok());
  });
  ASSERT_TRUE(AddVethPair(host_, "vnet0", guest_, "eth0"));
  ASSERT_EQ(host_.Exec(std::string("ip link set vnet0 master ") + kBridge).exit_status, 0);
  ASSERT_EQ(guest_.Exec(std::string("ip link set eth0 address ") + kGuestMac).exit_status, 0);
  std::ofstream(dir_ + "/udhcpc.sh") << "#!/bin/sh\n"
                                        "case \"$1\" in bound|renew)\n"
                                        "  ip addr flush dev \"$interface\"\n"
                                        "  ip addr add \"$ip/$mask\" dev \"$interface\";;\n"
                                        "esac\n";
  std::filesystem::permissions(dir_ + "/udhcpc.sh", std::filesystem::perms::owner_all);
}

void DnsmasqTest::TearDown() {
  if (dir_.empty()) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".pid") continue;
    std::ifstream in(entry.path());
    pid_t pid = 0;
    if (in >> pid && pid > 1 && pid != getpid()) kill(pid, SIGKILL);
  }
  std::filesystem::remove_all(dir_);
}

driver::DnsmasqCommand DnsmasqTest::Command(const std::string& name, const std::string& extra) {
  std::ofstream(dir_ + "/" + name + ".conf")
      << "strict-order\n"
      << "pid-file=" << dir_ << "/" << name << ".pid\n"
      << "except-interface=lo\n"
      << "bind-dynamic\n"
      << "interface=" << kBridge << "\n"
      << "dhcp-range=10.9.0.100,10.9.0.150,255.255.255.0\n"
      << "dhcp-leasefile=" << dir_ << "/" << name << ".leases\n"
      << "dhcp-authoritative\n"
      << extra;
  driver::DnsmasqCommand command;
  command.args = {"--conf-file=" + dir_ + "/" + name + ".conf"};
  command.env = {std::string("VIR_BRIDGE_NAME=") + kBridge};
  command.pid_file = dir_ + "/" + name + ".pid";
  return command;
}

std::string DnsmasqTest::GuestLease() {
  guest_.Exec("ip addr flush dev eth0");
  // Up to 20 tries, for a loaded machine.
  CommandResult r =
      guest_.Exec("busybox udhcpc -i eth0 -n -q -f -t 20 -T 1 -s " + dir_ + "/udhcpc.sh");
  if (r.exit_status != 0) {
    ADD_FAILURE() << "udhcpc: " << r.output;
    return "";
  }
  CommandResult addr = guest_.Exec("ip -4 -o addr show dev eth0 | awk '{print $4}'");
  std::string out = addr.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void DnsmasqTest::IterateUntil(GMainContext* context, const std::function<bool()>& done,
                               milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    while (g_main_context_iteration(context, FALSE)) {
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

}  // namespace virtnat::testing
