// The formatter on hand-built definitions; the corpus round trip is in
// networkxml2xml_test.cpp.
#include "xml/network_format.h"

#include <gtest/gtest.h>

namespace virtnat::xml {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

NetworkDef SeedNetwork() {
  NetworkDef def;
  def.name = "default";
  def.uuid = *ParseUuid("81ff0d90-c91e-6742-64da-4a736edb9a9b");
  def.forward.mode = ForwardMode::kNat;
  def.bridge.name = "virbr0";
  def.mac = ParseMac("52:54:00:0a:0b:0c");
  IpDef ip;
  ip.address = Ip("192.168.122.1");
  ip.netmask = Ip("255.255.255.0");
  ip.ranges.push_back({Ip("192.168.122.2"), Ip("192.168.122.254"), std::nullopt});
  def.ips.push_back(ip);
  PortForward fwd;
  fwd.guest = Ip("192.168.122.140");
  fwd.ranges.push_back({80, 80, 80});
  def.port_forwards.push_back(fwd);
  return def;
}

TEST(NetworkFormatTest, SeedNetworkWithPortForward) {
  EXPECT_EQ(FormatNetworkXml(SeedNetwork()),
            "<network xmlns:vn='urn:virtnat:network:1'>\n"
            "  <name>default</name>\n"
            "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n"
            "  <forward mode='nat'/>\n"
            "  <bridge name='virbr0' stp='on' delay='0'/>\n"
            "  <mac address='52:54:00:0a:0b:0c'/>\n"
            "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n"
            "    <dhcp>\n"
            "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
            "    </dhcp>\n"
            "  </ip>\n"
            "  <vn:portForward proto='tcp' guest='192.168.122.140'>\n"
            "    <vn:range start='80'/>\n"
            "  </vn:portForward>\n"
            "</network>\n");
}

TEST(NetworkFormatTest, LiveOnlyContent) {
  NetworkDef def = SeedNetwork();
  def.port_forwards.clear();
  def.connections = 2;
  def.forward.nat_port = PortRange{1024, 65535};
  std::string live = FormatNetworkXml(def);
  EXPECT_NE(live.find("<network connections='2'>"), std::string::npos);
  EXPECT_NE(live.find("  <forward mode='nat'>\n"
                      "    <nat>\n"
                      "      <port start='1024' end='65535'/>\n"
                      "    </nat>\n"
                      "  </forward>\n"),
            std::string::npos);
  EXPECT_EQ(FormatNetworkXml(def, kFormatInactive).find("connections"), std::string::npos);
}

TEST(NetworkFormatTest, EscapesUserText) {
  NetworkDef def = SeedNetwork();
  def.port_forwards.clear();
  def.name = "a'b&c<d>\"";
  def.domain.name = "x&y";
  def.dns.txts.push_back({"n", "v'&"});
  std::string out = FormatNetworkXml(def);
  EXPECT_NE(out.find("<name>a&apos;b&amp;c&lt;d&gt;&quot;</name>"), std::string::npos);
  EXPECT_NE(out.find("<domain name='x&amp;y'/>"), std::string::npos);
  EXPECT_NE(out.find("<txt name='n' value='v&apos;&amp;'/>"), std::string::npos);
}

TEST(NetworkFormatTest, PortForwardRangesPrintOnlyNonDefaults) {
  NetworkDef def = SeedNetwork();
  PortForward& fwd = def.port_forwards[0];
  fwd.proto = PortProtocol::kUdp;
  fwd.address = Ip("203.0.113.5");
  fwd.dev = "eth0";
  fwd.ranges = {{8000, 8010, 9000}, {53, 53, 5353}};
  std::string out = FormatNetworkXml(def);
  EXPECT_NE(out.find("  <vn:portForward proto='udp' guest='192.168.122.140' "
                     "address='203.0.113.5' dev='eth0'>\n"
                     "    <vn:range start='8000' end='8010' to='9000'/>\n"
                     "    <vn:range start='53' to='5353'/>\n"
                     "  </vn:portForward>\n"),
            std::string::npos);
}

TEST(NetworkFormatTest, VirtualPortParametersFollowType) {
  NetworkDef def;
  def.name = "v";
  def.forward.mode = ForwardMode::kBridge;
  def.bridge.name = "br0";
  VirtualPort vp;
  vp.type = "openvswitch";
  def.virtualport = vp;
  PortGroup pg;
  pg.name = "bob";
  pg.is_default = true;
  pg.vlan = Vlan{TriState::kAbsent, {{666, ""}, {123, "tagged"}}};
  pg.virtualport = VirtualPort{};
  pg.virtualport->profile_id = "bob-profile";
  pg.virtualport->manager_id = "11";
  def.portgroups.push_back(pg);
  EXPECT_EQ(FormatNetworkXml(def),
            "<network>\n"
            "  <name>v</name>\n"
            "  <uuid>00000000-0000-0000-0000-000000000000</uuid>\n"
            "  <forward mode='bridge'/>\n"
            "  <bridge name='br0'/>\n"
            "  <virtualport type='openvswitch'/>\n"
            "  <portgroup name='bob' default='yes'>\n"
            "    <vlan trunk='yes'>\n"
            "      <tag id='666'/>\n"
            "      <tag id='123' nativeMode='tagged'/>\n"
            "    </vlan>\n"
            "    <virtualport>\n"
            "      <parameters managerid='11' profileid='bob-profile'/>\n"
            "    </virtualport>\n"
            "  </portgroup>\n"
            "</network>\n");
}

}  // namespace
}  // namespace virtnat::xml
