// A bring-up that fails at its last step (dnsmasq refuses to start) and is
// rolled back by the Reverter: the namespace and the files are exactly as
// before (links, addresses, routes, processes, directory contents).

#include "driver/realize/reverter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "driver/dnsmasq/dnsmasq_process.h"
#include "driver/link/bridge_netlink.h"
#include "driver/link/sysctl.h"
#include "tests/support/host/dnsmasq_process_fixture.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::DnsmasqTest;
using virtnat::testing::RunCommand;

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename());
  }
  return names;
}

TEST_F(DnsmasqTest, FailedBringUpLeavesTheNamespaceAsItWas) {
  // Operational state and DAD flags of the scene's own links settle on their
  // own; what the bring-up could leave behind is compared.
  const std::string state_command =
      "ip -o link show | sed -E 's/ state [A-Z]+//'; "
      "ip -o addr show | sed -E 's/ tentative//'; ip route show table all";
  const std::string before = host_.Exec(state_command).output;
  const std::set<std::string> files_before = Listing(dir_);
  const std::string conf = dir_ + "/br1.conf";

  host_.Run([&] {
    auto netlink = RealNetlink::Open();
    ASSERT_TRUE(netlink.ok());
    Netlink& nl = **netlink;
    Reverter revert;
    ASSERT_TRUE(nl.CreateBridge(BridgeSpec{"virbrd1", std::nullopt, 1400, true, 0}).ok());
    revert.Add([&nl] { return nl.DeleteLink("virbrd1"); });
    ASSERT_TRUE(Sysctl().ConfigureBridgeIpv6("virbrd1", false).ok());  // goes with the link
    ASSERT_TRUE(nl.AddAddress("virbrd1", {*IpAddress::Parse("10.10.0.1"), 24}).ok());
    ASSERT_TRUE(nl.SetLinkUp("virbrd1", true).ok());
    revert.Add([&nl] { return nl.SetLinkUp("virbrd1", false); });
    ASSERT_TRUE(nl.AddRoute("virbrd1",
                            {*IpAddress::Parse("10.11.0.0"), 16, *IpAddress::Parse("10.10.0.2"), 1})
                    .ok());

    std::ofstream(conf) << "pid-file=" << dir_ << "/br1.pid\n"
                        << "except-interface=lo\nbind-dynamic\ninterface=virbrd1\n"
                        << "enable-tftp\ntftp-root=/nonexistent/vn-tftp\n";
    revert.Add([&conf] {
      if (unlink(conf.c_str()) != 0) return Status(SystemErrorFromErrno(errno, "unlink " + conf));
      return Status::Ok();
    });
    DnsmasqCommand command;
    command.args = {"--conf-file=" + conf};
    command.pid_file = dir_ + "/br1.pid";
    DnsmasqProcess dnsmasq(command);
    Status s = dnsmasq.Start();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("unexpected exit status 3"), std::string::npos) << s.message();
    std::vector<Error> errors = revert.Revert();
    EXPECT_TRUE(errors.empty());
  });

  EXPECT_EQ(host_.Exec(state_command).output, before);
  EXPECT_EQ(Listing(dir_), files_before);
  EXPECT_EQ(RunCommand("ip netns pids " + host_.name()).output, "");
}

}  // namespace
}  // namespace virtnat::driver
