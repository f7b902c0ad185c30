#include "driver/takeover/takeover_plan.h"

#include <gtest/gtest.h>

#include "driver/objects/xml_codec.h"

namespace virtnat::driver {
namespace {

NetworkPlanFacts Facts() {
  NetworkPlanFacts facts;
  facts.state_dir = "/var/lib/virtnat/dnsmasq";
  facts.run_dir = "/run/virtnat";
  return facts;
}

constexpr const char* kNet = R"(<network>
  <name>tk</name>
  <uuid>6a1f3c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b</uuid>
  <forward mode='nat'/>
  <bridge name='vntk0' stp='on' delay='0'/>
  <mac address='52:54:00:aa:bb:01'/>
  <ip address='10.78.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.78.0.100' end='10.78.0.199'/>
    </dhcp>
  </ip>
</network>
)";

std::string StatusDoc(const std::string& network) {
  return "<networkstatus>\n  <class_id bitmap='0-2'/>\n  <floor sum='0'/>\n" + network +
         "</networkstatus>\n";
}

TakeOverFacts OneNetwork() {
  TakeOverFacts facts;
  LibvirtRunningNetwork net;
  net.name = "tk";
  net.status_path = "/run/libvirt/network/tk.xml";
  net.status_xml = StatusDoc(kNet);
  net.config_xml = kNet;
  net.autostart = true;
  net.dnsmasq = 4242;
  facts.networks.push_back(net);
  facts.interfaces = {"lo", "vntk0"};
  facts.lease_files["vntk0"] = {
      "/var/lib/libvirt/dnsmasq/vntk0.status",
      R"([{"ip-address": "10.78.0.135", "mac-address": "52:54:00:78:00:01", "expiry-time": 5}])"};
  return facts;
}

class PlanTakeOverTest : public ::testing::Test {
 protected:
  TakeOverPlan Plan(const TakeOverFacts& facts, ::virtnat::Status check = ::virtnat::Status::Ok()) {
    return PlanTakeOver(facts, codec_, Facts(), [check](const xml::NetworkDef&) { return check; });
  }
  XmlCodec codec_;
};

TEST_F(PlanTakeOverTest, ARunningNatNetworkIsTakenWithItsLeases) {
  TakeOverPlan plan = Plan(OneNetwork());
  ASSERT_TRUE(plan.refusals.empty()) << plan.refusals.front();
  ASSERT_EQ(plan.networks.size(), 1u);
  const NetworkTakeOver& n = plan.networks[0];
  EXPECT_EQ(n.plan.bridge.name, "vntk0");
  EXPECT_TRUE(n.autostart);
  EXPECT_EQ(n.leases, 1u);
  EXPECT_EQ(n.lease_database, "5 52:54:00:78:00:01 10.78.0.135 * *\n");
  EXPECT_EQ(n.libvirt_dnsmasq, 4242);
}

TEST_F(PlanTakeOverTest, EveryReasonToRefuseIsNamed) {
  TakeOverFacts running = OneNetwork();
  running.libvirt_daemon = "libvirtd, pid 7";
  EXPECT_NE(Plan(running).refusals.at(0).find("libvirtd, pid 7"), std::string::npos);

  TakeOverFacts no_bridge = OneNetwork();
  no_bridge.interfaces.erase("vntk0");
  EXPECT_NE(Plan(no_bridge).refusals.at(0).find("bridge 'vntk0' is gone"), std::string::npos);

  TakeOverFacts no_dnsmasq = OneNetwork();
  no_dnsmasq.networks[0].dnsmasq.reset();
  EXPECT_NE(Plan(no_dnsmasq).refusals.at(0).find("dnsmasq for it does not run"), std::string::npos);

  TakeOverFacts bridge_mode = OneNetwork();
  std::string xml = kNet;
  xml.replace(xml.find("<forward mode='nat'/>"), 21, "<forward mode='bridge'/>");
  bridge_mode.networks[0].status_xml = StatusDoc(xml);
  bridge_mode.networks[0].config_xml = xml;
  TakeOverPlan refused = Plan(bridge_mode);
  ASSERT_EQ(refused.refusals.size(), 1u);
  EXPECT_EQ(refused.refusals[0].rfind("network 'tk': ", 0), 0u) << refused.refusals[0];
  EXPECT_TRUE(refused.networks.empty());

  TakeOverFacts other_uuid = OneNetwork();
  other_uuid.networks[0].config_xml.replace(other_uuid.networks[0].config_xml.find("6a1f"), 4,
                                            "0000");
  EXPECT_NE(Plan(other_uuid).refusals.at(0).find("different uuids"), std::string::npos);

  TakeOverFacts bad_leases = OneNetwork();
  bad_leases.lease_files["vntk0"].second = "not json";
  EXPECT_NE(Plan(bad_leases).refusals.at(0).find("vntk0.status"), std::string::npos);

  EXPECT_NE(Plan(OneNetwork(), OperationFailed("uuid taken")).refusals.at(0).find("uuid taken"),
            std::string::npos);
}

// Records each call; fails the one named.
class FakeTakeOver : public TakeOverHost {
 public:
  std::vector<std::string> calls;
  std::string fail;

  ::virtnat::Status Call(const std::string& what) {
    calls.push_back(what);
    if (what == fail) return OperationFailed("injected");
    return ::virtnat::Status::Ok();
  }
  ::virtnat::Status Define(const NetworkTakeOver& n) override { return Call("define " + n.name); }
  ::virtnat::Status Undefine(const NetworkTakeOver& n) override {
    return Call("undefine " + n.name);
  }
  ::virtnat::Status WriteLeases(const NetworkTakeOver& n) override {
    return Call("leases " + n.name);
  }
  ::virtnat::Status RemoveLeases(const NetworkTakeOver& n) override {
    return Call("unleases " + n.name);
  }
  ::virtnat::Status ApplyRules(const NetworkTakeOver& n) override {
    return Call("rules " + n.name);
  }
  ::virtnat::Status RemoveRules(const NetworkTakeOver& n) override {
    return Call("unrules " + n.name);
  }
  ::virtnat::Status RemoveLibvirtFirewall() override { return Call("libvirt-fw off"); }
  ::virtnat::Status RestoreLibvirtFirewall() override { return Call("libvirt-fw on"); }
  ::virtnat::Status StopLibvirtDnsmasq(const NetworkTakeOver& n) override {
    return Call("lv-dnsmasq off " + n.name);
  }
  ::virtnat::Status RestartLibvirtDnsmasq(const NetworkTakeOver& n) override {
    return Call("lv-dnsmasq on " + n.name);
  }
  ::virtnat::Status StartDnsmasq(const NetworkTakeOver& n) override {
    return Call("dnsmasq on " + n.name);
  }
  ::virtnat::Status StopDnsmasq(const NetworkTakeOver& n) override {
    return Call("dnsmasq off " + n.name);
  }
  ::virtnat::Status RetireLibvirtState(const NetworkTakeOver& n) override {
    return Call("retire " + n.name);
  }
  ::virtnat::Status RestoreLibvirtState(const NetworkTakeOver& n) override {
    return Call("unretire " + n.name);
  }
  ::virtnat::Status Record(const NetworkTakeOver& n) override { return Call("record " + n.name); }
};

TEST_F(PlanTakeOverTest, StepsRunInOrder) {
  TakeOverPlan plan = Plan(OneNetwork());
  FakeTakeOver host;
  StepsReport report = RunSwitchSteps(TakeOverSteps(plan, host));
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"define tk", "leases tk", "rules tk",
                                                  "libvirt-fw off", "lv-dnsmasq off tk",
                                                  "dnsmasq on tk", "retire tk", "record tk"}));
}

TEST_F(PlanTakeOverTest, AFailureUndoesEverythingBeforeIt) {
  TakeOverPlan plan = Plan(OneNetwork());
  FakeTakeOver host;
  host.fail = "dnsmasq on tk";
  StepsReport report = RunSwitchSteps(TakeOverSteps(plan, host));
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(host.calls, (std::vector<std::string>{
                            "define tk", "leases tk", "rules tk", "libvirt-fw off",
                            "lv-dnsmasq off tk", "dnsmasq on tk", "lv-dnsmasq on tk",
                            "libvirt-fw on", "unrules tk", "unleases tk", "undefine tk"}));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0],
            "cannot start virtnatd's dnsmasq for network 'tk': operation failed: injected");
}

TEST_F(PlanTakeOverTest, AnUndoThatFailsIsReportedAndTheRestStillRuns) {
  TakeOverPlan plan = Plan(OneNetwork());
  FakeTakeOver host;
  host.fail = "retire tk";
  // The undo of the firewall fails too.
  struct Twice : FakeTakeOver {
    ::virtnat::Status RestoreLibvirtFirewall() override {
      calls.push_back("libvirt-fw on");
      return OperationFailed("iptables-restore failed");
    }
  } twice;
  twice.fail = "retire tk";
  StepsReport report = RunSwitchSteps(TakeOverSteps(plan, twice));
  EXPECT_FALSE(report.ok);
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_NE(report.problems[1].find("cannot undo 'remove libvirt's firewall rules'"),
            std::string::npos);
  EXPECT_EQ(twice.calls.back(), "undefine tk");
}

TEST(HandBack, TheExtensionIsRefusedByName) {
  EXPECT_TRUE(CheckHandBack("tk", kNet, kNet).ok());
  std::string ext = std::string(kNet).insert(
      std::string(kNet).find("</network>"),
      "  <vn:portForward xmlns:vn='urn:virtnat:network:1' guest='10.78.0.5'/>\n");
  ::virtnat::Status st = CheckHandBack("tk", ext, kNet);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_NE(st.message().find("urn:virtnat:network:1"), std::string::npos);
  EXPECT_NE(st.message().find("network 'tk'"), std::string::npos);
}

class FakeHandBack : public HandBackHost {
 public:
  std::vector<std::string> calls;
  std::string fail;
  ::virtnat::Status Call(const std::string& what) {
    calls.push_back(what);
    return what == fail ? OperationFailed("injected") : ::virtnat::Status::Ok();
  }
  ::virtnat::Status WriteLibvirtState(const NetworkHandBack& n) override {
    return Call("write " + n.name);
  }
  ::virtnat::Status RemoveLibvirtState(const NetworkHandBack& n) override {
    return Call("unwrite " + n.name);
  }
  ::virtnat::Status RemoveRules(const NetworkHandBack& n) override {
    return Call("unrules " + n.name);
  }
  ::virtnat::Status RestoreRules(const NetworkHandBack& n) override {
    return Call("rules " + n.name);
  }
  ::virtnat::Status StopDnsmasq(const NetworkHandBack& n) override {
    return Call("dnsmasq off " + n.name);
  }
  ::virtnat::Status Forget(const NetworkHandBack& n) override { return Call("forget " + n.name); }
};

TEST(HandBack, StepsAndTheirUndo) {
  std::vector<NetworkHandBack> nets(2);
  nets[0].name = "a";
  nets[1].name = "b";
  FakeHandBack host;
  EXPECT_TRUE(RunSwitchSteps(HandBackSteps(nets, host)).ok);
  EXPECT_EQ(host.calls,
            (std::vector<std::string>{"write a", "write b", "unrules a", "dnsmasq off a",
                                      "unrules b", "dnsmasq off b", "forget a", "forget b"}));
  FakeHandBack failing;
  failing.fail = "unrules b";
  EXPECT_FALSE(RunSwitchSteps(HandBackSteps(nets, failing)).ok);
  EXPECT_EQ(failing.calls,
            (std::vector<std::string>{"write a", "write b", "unrules a", "dnsmasq off a",
                                      "unrules b", "rules a", "unwrite b", "unwrite a"}));
}

}  // namespace
}  // namespace virtnat::driver
