// The event filter on a real dnsmasq (dnsmasq_event_filter.h): it is on the
// socket after every launch, dnsmasq still follows its own bridge's
// addresses (bind-dynamic), and other bridges' changes no longer wake it.

#include "driver/dnsmasq/dnsmasq_event_filter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/glib_handle.h"
#include "common/unique_fd.h"
#include "driver/dnsmasq/dnsmasq_process.h"
#include "tests/support/host/dnsmasq_process_fixture.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using virtnat::testing::DnsmasqTest;
using virtnat::testing::kBridge;
using virtnat::testing::NetNs;

// The filter on `pid`'s route-netlink socket, read back from the kernel;
// nullopt if it has no such socket.
std::optional<std::vector<sock_filter>> FilterOf(pid_t pid) {
  Result<Pidfd> process = Pidfd::Open(pid);
  if (!process.ok()) return std::nullopt;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    int number = std::stoi(entry.path().filename().string());
    UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_getfd, process->fd(), number, 0)));
    int domain = 0, protocol = 0;
    socklen_t len = sizeof(int);
    if (!fd || getsockopt(fd.get(), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
        domain != AF_NETLINK) {
      continue;
    }
    len = sizeof(int);
    getsockopt(fd.get(), SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
    if (protocol != NETLINK_ROUTE) continue;
    // SO_GET_FILTER counts instructions, not bytes.
    socklen_t count = 0;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_GET_FILTER, nullptr, &count) != 0) return {{}};
    std::vector<sock_filter> code(count);
    if (count && getsockopt(fd.get(), SOL_SOCKET, SO_GET_FILTER, code.data(), &count) != 0) {
      return {{}};
    }
    return code;
  }
  return std::nullopt;
}

bool SameProgram(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0;
}

long WakeUps(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(24));
  }
  return -1;
}

// Whether a DNS query to `server` port 53, sent from the calling thread's
// namespace, gets any reply (dnsmasq refuses the name: a reply all the same).
bool DnsAnswers(const std::string& server) {
  UniqueFd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(53);
  inet_pton(AF_INET, server.c_str(), &to.sin_addr);
  const unsigned char query[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0, 0, 0, 0, 0,
                                 0,    4,    't',  'e',  's', 't', 0, 0, 1, 0, 1};
  if (sendto(s.get(), query, sizeof(query), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) < 0) {
    return false;
  }
  pollfd p{s.get(), POLLIN, 0};
  return poll(&p, 1, 2000) == 1;
}

class DnsmasqEventFilterTest : public DnsmasqTest {
 protected:
  DnsmasqCommand Filtered(const std::string& name) {
    DnsmasqCommand command = Command(name);
    command.network = name;
    command.bridge = kBridge;
    return command;
  }
  std::vector<sock_filter> Expected() {
    return host_.Run([] { return DnsmasqEventFilter(if_nametoindex(kBridge)); });
  }
  // Adds and removes a bridge with an address `times` times.
  void ChurnAnotherBridge(int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_EQ(host_
                    .Exec("ip link add vnother type bridge && "
                          "ip addr add 10.77.0.1/24 dev vnother && ip link set vnother up && "
                          "sleep 0.1 && ip link del vnother && sleep 0.1")
                    .exit_status,
                0);
    }
  }
};

TEST_F(DnsmasqEventFilterTest, EveryLaunchFiltersAndRestartsToo) {
  const std::vector<sock_filter> expected = Expected();
  host_.Run([&] {
    GMainContextPtr owned(g_main_context_new());
    DnsmasqProcess dnsmasq(Filtered("net"), owned.get());
    ASSERT_TRUE(dnsmasq.Start().ok());
    pid_t first = *dnsmasq.pid();
    std::optional<std::vector<sock_filter>> filter = FilterOf(first);
    ASSERT_TRUE(filter.has_value());
    EXPECT_TRUE(SameProgram(*filter, expected)) << filter->size() << " instructions";

    kill(first, SIGKILL);
    IterateUntil(
        owned.get(), [&] { return dnsmasq.pid() && *dnsmasq.pid() != first; }, milliseconds(5000));
    ASSERT_TRUE(dnsmasq.pid() && *dnsmasq.pid() != first);
    filter = FilterOf(*dnsmasq.pid());
    ASSERT_TRUE(filter.has_value());
    EXPECT_TRUE(SameProgram(*filter, expected));
    EXPECT_TRUE(dnsmasq.Stop().ok());
  });
}

TEST_F(DnsmasqEventFilterTest, DnsmasqStillFollowsItsOwnBridgesAddresses) {
  ASSERT_EQ(guest_.Exec("ip addr add 10.9.0.50/24 dev eth0").exit_status, 0);
  host_.Run([&] {
    DnsmasqProcess dnsmasq(Filtered("net"));
    ASSERT_TRUE(dnsmasq.Start().ok());
    EXPECT_TRUE(guest_.Run([] { return DnsAnswers("10.9.0.1"); }));
    EXPECT_FALSE(guest_.Run([] { return DnsAnswers("10.9.0.77"); }));

    // bind-dynamic: an address added later is served, a removed one is not.
    ASSERT_EQ(host_.Exec(std::string("ip addr add 10.9.0.77/24 dev ") + kBridge).exit_status, 0);
    bool served = false;
    for (int i = 0; i < 20 && !served; ++i)
      served = guest_.Run([] { return DnsAnswers("10.9.0.77"); });
    EXPECT_TRUE(served);
    ASSERT_EQ(host_.Exec(std::string("ip addr del 10.9.0.77/24 dev ") + kBridge).exit_status, 0);
    std::this_thread::sleep_for(milliseconds(300));
    EXPECT_FALSE(guest_.Run([] { return DnsAnswers("10.9.0.77"); }));
    EXPECT_TRUE(guest_.Run([] { return DnsAnswers("10.9.0.1"); }));
    EXPECT_TRUE(dnsmasq.Stop().ok());
  });
}

// CVE-2012-3411: dnsmasq must not answer DNS from outside its network. The
// filter changes what dnsmasq hears of the host's interfaces, never this.
TEST_F(DnsmasqEventFilterTest, QueriesFromOutsideTheNetworkStayUnanswered) {
  NetNs wan("dnsw");
  ASSERT_TRUE(wan.ok());
  ASSERT_TRUE(virtnat::testing::AddVethPair(host_, "uplink0", wan, "eth0"));
  ASSERT_EQ(host_.Exec("ip addr add 10.66.0.1/24 dev uplink0").exit_status, 0);
  ASSERT_EQ(wan.Exec("ip addr add 10.66.0.2/24 dev eth0 && ip route add 10.9.0.0/24 via 10.66.0.1")
                .exit_status,
            0);
  ASSERT_EQ(guest_.Exec("ip addr add 10.9.0.50/24 dev eth0").exit_status, 0);
  host_.Run([&] {
    DnsmasqProcess dnsmasq(Filtered("net"));
    ASSERT_TRUE(dnsmasq.Start().ok());
    EXPECT_TRUE(guest_.Run([] { return DnsAnswers("10.9.0.1"); }));
    // Sent to the bridge's address through the uplink: delivered to the host,
    // refused by dnsmasq's arrival-interface check (bind-dynamic).
    EXPECT_FALSE(wan.Run([] { return DnsAnswers("10.9.0.1"); }));
    // Nor does an address of the uplink get a listener.
    EXPECT_FALSE(wan.Run([] { return DnsAnswers("10.66.0.1"); }));
    EXPECT_TRUE(dnsmasq.Stop().ok());
  });
}

TEST_F(DnsmasqEventFilterTest, OtherBridgesNoLongerWakeIt) {
  host_.Run([&] {
    DnsmasqProcess filtered(Filtered("net"));
    ASSERT_TRUE(filtered.Start().ok());
    // A dnsmasq without the filter (no bridge named) on a second bridge.
    ASSERT_EQ(host_
                  .Exec("ip link add virbrd1 type bridge && ip addr add 10.8.0.1/24 dev virbrd1 "
                        "&& ip link set virbrd1 up")
                  .exit_status,
              0);
    DnsmasqCommand control = Command("control");
    std::ofstream(dir_ + "/control.conf") << "pid-file=" << control.pid_file << "\n"
                                          << "except-interface=lo\nbind-dynamic\n"
                                          << "interface=virbrd1\n"
                                          << "dhcp-range=10.8.0.100,10.8.0.150,255.255.255.0\n";
    DnsmasqProcess unfiltered(control);
    ASSERT_TRUE(unfiltered.Start().ok());
    // The bridges' own link-local addresses leave DAD about a second after
    // they came up; that event is theirs and wakes each dnsmasq once.
    for (int i = 0; i < 50 && !host_.Exec("ip -6 addr show tentative").output.empty(); ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    std::this_thread::sleep_for(milliseconds(200));
    const long filtered_before = WakeUps(*filtered.pid());
    const long unfiltered_before = WakeUps(*unfiltered.pid());

    constexpr int kCycles = 3;
    ChurnAnotherBridge(kCycles);
    std::this_thread::sleep_for(milliseconds(200));
    const long filtered_wakeups = WakeUps(*filtered.pid()) - filtered_before;
    const long unfiltered_wakeups = WakeUps(*unfiltered.pid()) - unfiltered_before;
    // Each cycle adds, and deletes, an address and its routes: the unfiltered
    // dnsmasq wakes for most of them; the filtered one at most once per
    // cycle, for the new subnet route (dnsmasq re-sends a pending query).
    EXPECT_LE(filtered_wakeups, kCycles);
    EXPECT_GE(unfiltered_wakeups, 2 * kCycles);
    EXPECT_TRUE(filtered.Stop().ok());
    EXPECT_TRUE(unfiltered.Stop().ok());
  });
}

}  // namespace
}  // namespace virtnat::driver
