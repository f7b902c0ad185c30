// Failed starts through the HostRealizer leave the host namespace exactly as
// it was: links, addresses, routes, `nft list ruleset`, processes and files
// compared before and after. Causes: dnsmasq refuses its configuration, the
// bridge name is taken, the subnet is already routed, the kernel rejects
// the firewall batch (a host port another network already forwards), and,
// through the daemon's asynchronous start, a dnsmasq that hangs at start-up.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <future>

#include "tests/support/host/realize_env.h"

namespace virtnat::testing {
namespace {

using driver::HostRealizer;

constexpr const char* kNat = R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>n1</name>
  <forward mode='nat'/>
  <bridge name='virbrf0' stp='off' delay='0'/>
  <ip address='10.40.0.1' prefix='24'>
    <dhcp><range start='10.40.0.100' end='10.40.0.199'/></dhcp>
  </ip>
  <vn:portForward guest='10.40.0.10'><vn:range start='8080' to='80'/></vn:portForward>
</network>)";

class RealizerFailureTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.ok()); }

  // The daemon's way: the start completes later on the realizer's loop.
  Status StartAsync(const xml::NetworkDef& def) {
    std::promise<Status> result;
    std::future<Status> outcome = result.get_future();
    env_.realizer().Call([&](HostRealizer& r) {
      r.StartAsync(def, [&result](Status s) { result.set_value(s); });
      return 0;
    });
    if (outcome.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << "the start of '" << def.name << "' never completed";
      std::abort();  // `result` is still referenced by the loop
    }
    return outcome.get();
  }

  // Starts `xml`, expects failure with `message` in it and no trace left.
  void ExpectCleanFailure(const std::string& xml, const std::string& message, bool async = false) {
    const std::string before = env_.Snapshot();
    xml::NetworkDef def = RealizeEnv::Def(xml);
    Status s = async ? StartAsync(def)
                     : env_.realizer().Call([&](HostRealizer& r) { return r.Start(def); });
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(message), std::string::npos) << s.message();
    EXPECT_EQ(env_.Snapshot(), before);
    EXPECT_EQ(env_.realizer().Call([&](HostRealizer& r) { return r.Applied(def.name); }), nullptr);
  }

  std::string Replace(std::string text, const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  RealizeEnv env_;
};

TEST_F(RealizerFailureTest, DnsmasqRejectingItsOptionsFailsWithItsOwnMessage) {
  std::string xml = Replace(kNat, "<network xmlns:vn='urn:virtnat:network:1'>",
                            "<network xmlns:vn='urn:virtnat:network:1' "
                            "xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>");
  xml = Replace(xml, "</network>",
                "<dnsmasq:options><dnsmasq:option value='no-such-option=1'/></dnsmasq:options>"
                "</network>");
  ASSERT_NO_FATAL_FAILURE(
      ExpectCleanFailure(xml, "unexpected exit status 1: \ndnsmasq: bad option"));
  ASSERT_NO_FATAL_FAILURE(
      ExpectCleanFailure(xml, "unexpected exit status 1: \ndnsmasq: bad option", true));
}

TEST_F(RealizerFailureTest, ADnsmasqHangingAtStartUpFailsAtTheTimeoutAndLeavesNothing) {
  // dnsmasq reads its configuration, as root, before it daemonizes: a FIFO
  // nobody writes holds it there.
  const std::string fifo = env_.dir() + "/hang.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string xml = Replace(kNat, "<network xmlns:vn='urn:virtnat:network:1'>",
                            "<network xmlns:vn='urn:virtnat:network:1' "
                            "xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>");
  xml = Replace(xml, "</network>",
                "<dnsmasq:options><dnsmasq:option value='conf-file=" + fifo +
                    "'/></dnsmasq:options></network>");
  ASSERT_NO_FATAL_FAILURE(ExpectCleanFailure(xml, ") did not finish within 5000 ms", true));
}

TEST_F(RealizerFailureTest, ATakenBridgeNameFailsLikeLibvirt) {
  ASSERT_EQ(env_.host().Exec("ip link add virbrf0 type veth peer name virbrf0p").exit_status, 0);
  ASSERT_NO_FATAL_FAILURE(
      ExpectCleanFailure(kNat, "error creating bridge interface virbrf0: File exists"));
}

TEST_F(RealizerFailureTest, ARoutedSubnetFailsLikeLibvirt) {
  ASSERT_EQ(env_.host()
                .Exec("ip link add up0 type veth peer name up1 && ip link set up0 up && "
                      "ip link set up1 up && ip addr add 10.40.0.5/24 dev up0")
                .exit_status,
            0);
  ASSERT_NO_FATAL_FAILURE(ExpectCleanFailure(kNat, "Network is already in use by interface up0"));
}

TEST_F(RealizerFailureTest, AFirewallConflictUndoesTheBridgeAndFiles) {
  // A first network holds tcp port 8080 of the host.
  std::string first = Replace(kNat, "<name>n1</name>", "<name>n0</name>");
  first = Replace(first, "virbrf0", "virbrf9");
  first = Replace(first, "<ip address='10.40.0.1' prefix='24'>",
                  "<ip address='10.41.0.1' prefix='24'>");
  first = Replace(first, "10.40.0.100' end='10.40.0.199", "10.41.0.100' end='10.41.0.199");
  first = Replace(first, "guest='10.40.0.10'", "guest='10.41.0.10'");
  xml::NetworkDef def0 = RealizeEnv::Def(first);
  Status s = env_.realizer().Call([&](HostRealizer& r) { return r.Start(def0); });
  ASSERT_TRUE(s.ok()) << s.message();
  // The second forwards the same port: the firewall refuses it (before the
  // kernel would reject the batch as a whole) and the start is undone.
  ASSERT_NO_FATAL_FAILURE(ExpectCleanFailure(
      kNat,
      "failed to apply firewall rules of network 'n1': host port tcp 8080 is already "
      "forwarded by network 'n0'"));
  ASSERT_TRUE(env_.realizer().Call([&](HostRealizer& r) { return r.Stop(def0); }).ok());
}

}  // namespace
}  // namespace virtnat::testing
