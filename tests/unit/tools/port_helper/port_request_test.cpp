#include "tools/port_helper/port_request.h"

#include <gtest/gtest.h>

#include <map>

#include "xml/network_parse.h"

namespace virtnat::port_helper {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  GetEnv get() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

PortRequest Parse(const std::vector<std::string>& args, const Env& env = {}) {
  Result<PortRequest> r = ParsePortRequest(args, env.get());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : PortRequest{};
}

TEST(PortRequestTest, QemuScriptNamesGiveActionAndDefaults) {
  PortRequest up = Parse({"/usr/bin/virtnat-ifup", "tap0"});
  EXPECT_EQ(up.action, PortAction::kUp);
  EXPECT_EQ(up.tap, "tap0");
  EXPECT_EQ(up.network, "default");
  EXPECT_EQ(up.uri, "network:///system");
  EXPECT_EQ(up.mac, "");
  EXPECT_EQ(Parse({"virtnat-ifdown", "tap0"}).action, PortAction::kDown);
}

TEST(PortRequestTest, NetworkFromOptionThenNameThenEnvironment) {
  Env env{{{"VIRTNAT_NETWORK", "fromenv"}}};
  EXPECT_EQ(Parse({"virtnat-ifup", "tap0"}, env).network, "fromenv");
  EXPECT_EQ(Parse({"/etc/x/virtnat-ifup@lab-1", "tap0"}, env).network, "lab-1");
  EXPECT_EQ(Parse({"virtnat-ifdown@lab", "tap0"}).action, PortAction::kDown);
  EXPECT_EQ(Parse({"virtnat-ifup@lab", "--network", "opt", "tap0"}, env).network, "opt");
}

TEST(PortRequestTest, PortCommandWithOptions) {
  Env env{{{"VIRTNAT_MAC", "52:54:00:00:00:99"}, {"VIRTNAT_CONNECT", "test:///x"}}};
  PortRequest r = Parse({"virtnat-port", "down", "--mac", "52:54:00:AB:CD:EF", "--owner-name",
                         "vm1", "--owner-uuid", "C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "vnet3"},
                        env);
  EXPECT_EQ(r.action, PortAction::kDown);
  EXPECT_EQ(r.tap, "vnet3");
  EXPECT_EQ(r.mac, "52:54:00:ab:cd:ef");
  EXPECT_EQ(r.owner_name, "vm1");
  EXPECT_EQ(r.owner_uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  EXPECT_EQ(r.uri, "test:///x");
  EXPECT_EQ(Parse({"virtnat-port", "up", "vnet3"}, env).mac, "52:54:00:00:00:99");
}

TEST(PortRequestTest, ExtraArgumentsAfterTheTapAreIgnored) {
  EXPECT_EQ(Parse({"virtnat-ifup", "tap0", "extra"}).tap, "tap0");
}

TEST(PortRequestTest, BadInputIsAUsageError) {
  auto message = [](const std::vector<std::string>& args) {
    Result<PortRequest> r = ParsePortRequest(args, Env{}.get());
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_NE(message({"virtnat-port", "tap0"}).find("say up or down"), std::string::npos);
  EXPECT_NE(message({"virtnat-ifup"}).find("no tap device given"), std::string::npos);
  EXPECT_NE(message({"virtnat-ifup", "--mac", "zz", "tap0"}).find("'zz' is not a MAC address"),
            std::string::npos);
  EXPECT_NE(message({"virtnat-ifup", "--owner-uuid", "x", "t"}).find("'x' is not a UUID"),
            std::string::npos);
  EXPECT_NE(message({"virtnat-ifup", "--bogus", "t"}).find("unknown option --bogus"),
            std::string::npos);
  EXPECT_NE(message({"virtnat-ifup", "--network"}).find("--network needs a value"),
            std::string::npos);
  EXPECT_NE(message({"virtnat-ifup", "a-name-much-too-long"}).find("not an interface name"),
            std::string::npos);
}

TEST(GuestFromQemuTest, NamedTapNetdevGivesItsDeviceMac) {
  GuestFacts g = GuestFromQemuCommandLine(
      {"/usr/bin/qemu-system-x86_64", "-name", "guest=web,debug-threads=on", "-uuid",
       "C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "-netdev", "tap,id=n0,ifname=vnet0,script=x",
       "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01", "-netdev",
       "tap,id=n1,ifname=vnet1", "-device", "e1000,netdev=n1,mac=52:54:00:00:00:02"},
      "vnet1");
  EXPECT_EQ(g.name, "web");
  EXPECT_EQ(g.uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  EXPECT_EQ(g.mac, "52:54:00:00:00:02");
}

TEST(GuestFromQemuTest, OnlyUnnamedTapAndNicForms) {
  EXPECT_EQ(
      GuestFromQemuCommandLine({"qemu-system-x86_64", "-name", "plain", "--netdev", "tap,id=a",
                                "-device", "virtio-net,netdev=a,mac=52:54:00:0:0:5"},
                               "tap0")
          .mac,
      "52:54:00:00:00:05");
  EXPECT_EQ(GuestFromQemuCommandLine({"qemu-system-x86_64", "-name", "plain"}, "tap0").name,
            "plain");
  EXPECT_EQ(
      GuestFromQemuCommandLine({"kvm", "-nic", "tap,ifname=t9,mac=52:54:00:00:00:09"}, "t9").mac,
      "52:54:00:00:00:09");
  // Two unnamed tap netdevs: which one is this tap is unknown.
  EXPECT_EQ(
      GuestFromQemuCommandLine({"qemu-system-x86_64", "-netdev", "tap,id=a", "-netdev", "tap,id=b",
                                "-device", "e1000,netdev=a,mac=52:54:00:00:00:01"},
                               "tap0")
          .mac,
      "");
}

TEST(GuestFromQemuTest, NotQemuSaysNothing) {
  GuestFacts g = GuestFromQemuCommandLine({"/usr/sbin/libvirtd", "-name", "x"}, "t");
  EXPECT_EQ(g.name, "");
  EXPECT_EQ(g.mac, "");
}

TEST(CompleteRequestTest, ExplicitThenGuestThenTap) {
  PortRequest r = Parse({"virtnat-ifup", "tap0"});
  CompleteRequest(r, GuestFacts{"web", "c7a5fdbd-edaf-9455-926a-d65c16db1809", "52:54:00:00:00:01"},
                  "fe:00:00:00:00:01");
  EXPECT_EQ(r.mac, "52:54:00:00:00:01");
  EXPECT_EQ(r.owner_name, "web");
  EXPECT_EQ(r.owner_uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  PortRequest bare = Parse({"virtnat-ifup", "tap0"});
  CompleteRequest(bare, GuestFacts{}, "FE:00:00:00:00:01");
  EXPECT_EQ(bare.mac, "fe:00:00:00:00:01");
  EXPECT_EQ(bare.owner_name, "tap0");
  EXPECT_EQ(bare.owner_uuid, "");
}

TEST(BuildPortXmlTest, OwnerAndMac) {
  PortRequest r =
      Parse({"virtnat-ifup", "--mac", "52:54:00:00:00:01", "--owner-name", "a&b", "tap0"});
  xml::Uuid port{}, owner{};
  port[15] = 1;
  owner[15] = 2;
  EXPECT_EQ(BuildPortXml(r, port, owner),
            "<networkport>\n"
            "  <uuid>00000000-0000-0000-0000-000000000001</uuid>\n"
            "  <owner>\n"
            "    <name>a&amp;b</name>\n"
            "    <uuid>00000000-0000-0000-0000-000000000002</uuid>\n"
            "  </owner>\n"
            "  <mac address='52:54:00:00:00:01'/>\n"
            "</networkport>\n");
}

xml::NetworkDef Net(const std::string& extra) {
  Result<xml::NetworkDef> def =
      xml::ParseNetworkXml("<network><name>n</name><forward mode='nat'/><bridge name='vnbr0'/>" +
                           extra + "<ip address='10.1.0.1' prefix='24'/></network>");
  EXPECT_TRUE(def.ok()) << (def.ok() ? "" : def.error().message);
  return def.ok() ? *def : xml::NetworkDef{};
}

TEST(SettingsForTapTest, PlugBridgeNetworkMtuAndIsolation) {
  const std::string port =
      "<networkport><uuid>00000000-0000-0000-0000-000000000001</uuid>"
      "<mac address='52:54:00:00:00:01'/><plug type='network' bridge='vnbr0'/></networkport>";
  Result<TapSettings> plain = SettingsForTap(Net(""), port);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, (TapSettings{"vnbr0", 0, false, std::nullopt}));
  Result<TapSettings> isolated =
      SettingsForTap(Net("<mtu size='1400'/><port isolated='yes'/>"), port);
  ASSERT_TRUE(isolated.ok());
  EXPECT_EQ(*isolated, (TapSettings{"vnbr0", 1400, true, std::nullopt}));
}

TEST(SettingsForTapTest, PortIsolationOverridesTheNetworks) {
  const std::string port =
      "<networkport><uuid>00000000-0000-0000-0000-000000000001</uuid><port isolated='no'/>"
      "<plug type='network' bridge='vnbr0'/></networkport>";
  Result<TapSettings> s = SettingsForTap(Net("<port isolated='yes'/>"), port);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->isolated);
  Result<TapSettings> yes = SettingsForTap(
      Net(""), "<networkport><port isolated='yes'/><plug bridge='vnbr0'/></networkport>");
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes->isolated);
}

TEST(SettingsForTapTest, BandwidthWithoutTheFloor) {
  Result<TapSettings> s = SettingsForTap(
      Net(""),
      "<networkport><bandwidth><inbound average='1000' peak='2000' burst='64' floor='10'/>"
      "<outbound floor='5'/></bandwidth><plug bridge='vnbr0'/></networkport>");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->bandwidth);
  ASSERT_TRUE(s->bandwidth->inbound);
  EXPECT_EQ(s->bandwidth->inbound->average, 1000u);
  EXPECT_EQ(s->bandwidth->inbound->peak, 2000u);
  EXPECT_EQ(s->bandwidth->inbound->burst, 64u);
  EXPECT_EQ(s->bandwidth->inbound->floor, 0u);
  EXPECT_FALSE(s->bandwidth->outbound);
}

TEST(SettingsForTapTest, NetworkBridgeWhenThePortHasNoPlug) {
  Result<TapSettings> s = SettingsForTap(Net(""), "<networkport/>");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bridge, "vnbr0");
}

TEST(SettingsForTapTest, NoBridgeToPlugInto) {
  Result<xml::NetworkDef> def = xml::ParseNetworkXml(
      "<network><name>h</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>");
  ASSERT_TRUE(def.ok()) << def.error().message;
  Result<TapSettings> s = SettingsForTap(*def, "<networkport/>");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("network 'h' (forward mode 'hostdev') has no bridge"),
            std::string::npos);
}

TEST(PortMacTest, NormalizedOrEmpty) {
  EXPECT_EQ(PortMac("<networkport><mac address='52:54:00:AA:00:01'/></networkport>"),
            "52:54:00:aa:00:01");
  EXPECT_EQ(PortMac("<networkport/>"), "");
  EXPECT_EQ(PortMac("not xml"), "");
}

TEST(PortMatchesTest, ByMacElseByTheOwnerNamedAfterTheTap) {
  const std::string port =
      "<networkport><owner><name>vnet4</name><uuid>00000000-0000-0000-0000-000000000002</uuid>"
      "</owner><mac address='FE:54:00:00:00:01'/></networkport>";
  EXPECT_EQ(PortOwnerName(port), "vnet4");
  PortRequest by_mac = Parse({"virtnat-ifdown", "--mac", "fe:54:00:00:00:01", "other"});
  EXPECT_TRUE(PortMatches(by_mac, port));
  by_mac.mac = "fe:54:00:00:00:02";
  EXPECT_FALSE(PortMatches(by_mac, port));
  PortRequest gone_tap = Parse({"virtnat-ifdown", "vnet4"});
  EXPECT_TRUE(PortMatches(gone_tap, port));
  gone_tap.tap = "vnet5";
  EXPECT_FALSE(PortMatches(gone_tap, port));
  EXPECT_EQ(PortOwnerName("<networkport/>"), "");
}

}  // namespace
}  // namespace virtnat::port_helper
