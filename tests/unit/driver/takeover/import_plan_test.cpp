#include "driver/takeover/import_plan.h"

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

std::string Net(const std::string& name, const std::string& forward, const std::string& bridge) {
  return "<network>\n  <name>" + name + "</name>\n  " + forward + "\n  <bridge name='" + bridge +
         "'/>\n  <ip address='10.9.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.9.0.2' "
         "end='10.9.0.9'/>\n    </dhcp>\n  </ip>\n</network>\n";
}

TEST(ImportPlan, EachNetworkGetsAVerdictAndTheReportSaysIt) {
  LibvirtImport from;
  from.networks.push_back(
      {"default", "/lv/default.xml", Net("default", "<forward mode='nat'/>", "virbr0"), true});
  from.networks.push_back(
      {"old", "/lv/old.xml", Net("old", "<forward mode='nat'/>", "virbr1"), false});
  from.networks.push_back({"host", "/lv/host.xml",
                           "<network>\n  <name>host</name>\n  <forward mode='bridge'/>\n  <bridge "
                           "name='br0'/>\n</network>\n",
                           false});
  from.networks.push_back({"broken", "/lv/broken.xml", "<network>", false});
  from.problems.push_back("/lv/autostart/gone.xml: autostart link without a definition; ignored");
  XmlCodec codec;
  std::vector<ImportVerdict> v =
      PlanImport(from, codec, Facts(), [](const std::string& name) { return name == "old"; }, {});
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].action, ImportVerdict::Action::kDefine);
  EXPECT_EQ(v[1].action, ImportVerdict::Action::kSkip);
  EXPECT_EQ(v[2].action, ImportVerdict::Action::kRefuse);
  EXPECT_EQ(v[3].action, ImportVerdict::Action::kRefuse);
  std::string dry = FormatImportReport(v, from.problems, true);
  EXPECT_EQ(dry.substr(0, dry.find('\n')),
            "default: will define with autostart (forward nat, bridge virbr0, dnsmasq)");
  EXPECT_NE(dry.find("old: skipped: virtnatd already defines it"), std::string::npos);
  EXPECT_NE(dry.find("host: cannot import /lv/host.xml: "), std::string::npos);
  EXPECT_NE(dry.find("broken: cannot import /lv/broken.xml: "), std::string::npos);
  EXPECT_NE(dry.find("ignored: /lv/autostart/gone.xml"), std::string::npos);
  std::string done = FormatImportReport(v, {}, false);
  EXPECT_EQ(done.substr(0, done.find('\n')),
            "default: defined with autostart (forward nat, bridge virbr0, dnsmasq)");
}

TEST(ImportPlan, AUuidTakenHereOrEarlierInTheImportIsRefused) {
  auto with_uuid = [](const std::string& name, const std::string& bridge, const std::string& uuid) {
    std::string xml = Net(name, "<forward mode='nat'/>", bridge);
    return xml.insert(xml.find("  <forward"), "  <uuid>" + uuid + "</uuid>\n");
  };
  const std::string u1 = "81ff0d90-c91e-6742-64da-4a736edb9a01";
  const std::string u2 = "81ff0d90-c91e-6742-64da-4a736edb9a02";
  LibvirtImport from;
  from.networks.push_back({"a", "/lv/a.xml", with_uuid("a", "virbr1", u1), false});
  from.networks.push_back({"b", "/lv/b.xml", with_uuid("b", "virbr2", u1), false});
  from.networks.push_back({"c", "/lv/c.xml", with_uuid("c", "virbr3", u2), false});
  XmlCodec codec;
  std::vector<ImportVerdict> v =
      PlanImport(from, codec, Facts(), [](const std::string&) { return false; }, {{u2, "mine"}});
  EXPECT_EQ(v[0].action, ImportVerdict::Action::kDefine);
  EXPECT_EQ(v[1].action, ImportVerdict::Action::kRefuse);
  EXPECT_EQ(v[1].detail, "its uuid " + u1 + " is the one of network 'a'");
  EXPECT_EQ(v[2].detail, "its uuid " + u2 + " is the one of network 'mine'");
}

}  // namespace
}  // namespace virtnat::driver
