// What ParseNetworkXml stores for valid input.
#include "xml/network_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace virtnat::xml {
namespace {

NetworkDef Parse(const std::string& text) {
  auto def = ParseNetworkXml(text);
  EXPECT_TRUE(def.ok()) << (def.ok() ? "" : def.error().message);
  return def.ok() ? *def : NetworkDef{};
}

TEST(NetworkParseTest, SeedNetwork) {
  NetworkDef def = Parse(R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
  </ip>
  <vn:portForward guest='192.168.122.140'><vn:range start='80'/></vn:portForward>
</network>)");
  EXPECT_EQ(def.name, "default");
  EXPECT_FALSE(def.uuid_given);
  EXPECT_EQ(def.forward.mode, ForwardMode::kNat);
  EXPECT_TRUE(def.forward.interfaces.empty());
  EXPECT_EQ(def.bridge.name, "virbr0");
  EXPECT_TRUE(def.bridge.stp);
  ASSERT_EQ(def.ips.size(), 1u);
  EXPECT_EQ(def.ips[0].EffectivePrefix(), 24u);
  ASSERT_EQ(def.ips[0].ranges.size(), 1u);
  EXPECT_EQ(def.ips[0].ranges[0].end.ToString(), "192.168.122.254");
  ASSERT_EQ(def.port_forwards.size(), 1u);
  const PortForward& pf = def.port_forwards[0];
  EXPECT_EQ(pf.proto, PortProtocol::kTcp);
  EXPECT_EQ(pf.guest.ToString(), "192.168.122.140");
  EXPECT_FALSE(pf.address);
  EXPECT_EQ(pf.dev, "");
  ASSERT_EQ(pf.ranges.size(), 1u);
  EXPECT_EQ(pf.ranges[0], (PortForwardRange{80, 80, 80}));
}

TEST(NetworkParseTest, PortForwardFullFormAnyPrefix) {
  NetworkDef def = Parse(R"(<network xmlns:p='urn:virtnat:network:1'>
  <name>n</name>
  <p:portForward proto='udp' guest='fd00::5' address='203.0.113.5' dev='eth0'>
    <p:range start='1000' end='1010' to='2000'/>
    <p:range start='53'/>
  </p:portForward>
  <portForward guest='10.0.0.1'><range start='1'/></portForward>
</network>)");
  ASSERT_EQ(def.port_forwards.size(), 1u) << "an unqualified portForward means nothing";
  const PortForward& pf = def.port_forwards[0];
  EXPECT_EQ(pf.proto, PortProtocol::kUdp);
  EXPECT_EQ(pf.guest.ToString(), "fd00::5");
  EXPECT_EQ(pf.address->ToString(), "203.0.113.5");
  EXPECT_EQ(pf.dev, "eth0");
  ASSERT_EQ(pf.ranges.size(), 2u);
  EXPECT_EQ(pf.ranges[0], (PortForwardRange{1000, 1010, 2000}));
  EXPECT_EQ(pf.ranges[1], (PortForwardRange{53, 53, 53}));
}

TEST(NetworkParseTest, PortForwardErrors) {
  auto err = [](const std::string& pf) {
    auto def = ParseNetworkXml("<network xmlns:vn='urn:virtnat:network:1'><name>x-t</name>" + pf +
                               "</network>");
    EXPECT_FALSE(def.ok());
    return def.ok() ? std::string() : def.error().message;
  };
  EXPECT_EQ(err("<vn:portForward><vn:range start='80'/></vn:portForward>"),
            "XML error: Missing required guest attribute in <portForward> of network 'x-t'");
  EXPECT_EQ(err("<vn:portForward guest='10.0.0.300'><vn:range start='80'/></vn:portForward>"),
            "XML error: Invalid guest address '10.0.0.300' in <portForward> of network 'x-t'");
  EXPECT_EQ(err("<vn:portForward proto='sctp' guest='10.0.0.3'><vn:range start='80'/>"
                "</vn:portForward>"),
            "XML error: Invalid proto 'sctp' in <portForward> of network 'x-t', expected 'tcp' "
            "or 'udp'");
  EXPECT_EQ(err("<vn:portForward guest='10.0.0.3'/>"),
            "XML error: <portForward> of network 'x-t' needs at least one <range start='PORT'/>");
  EXPECT_EQ(err("<vn:portForward guest='10.0.0.3'><vn:range end='80'/></vn:portForward>"),
            "XML error: Missing required start attribute in <portForward> <range> of network "
            "'x-t'");
  EXPECT_EQ(err("<vn:portForward guest='10.0.0.3'><vn:range start='-1'/></vn:portForward>"),
            "XML error: Invalid start port '-1' in <portForward> <range> of network 'x-t'");
}

TEST(NetworkParseTest, MetadataIsReserialisedAsLibvirtPrintsIt) {
  NetworkDef def = Parse(R"(<network xmlns:b='urn:b'>
  <name>m</name>
  <metadata>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <plain>dropped: no namespace</plain>
    <app2:bar xmlns:app2='http://bar.com/' maman='baz'><app2:in>x</app2:in></app2:bar>
    <app1:again xmlns:app1="http://foo.org/">dropped: second of its namespace</app1:again>
    <b:c/>
  </metadata>
</network>)");
  ASSERT_TRUE(def.metadata);
  // A namespace declared outside <metadata> is re-declared on the copy's
  // root, as xmlCopyNode does for libvirt.
  EXPECT_EQ(*def.metadata,
            "  <metadata xmlns:b=\"urn:b\">\n"
            "    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n"
            "    <app2:bar xmlns:app2=\"http://bar.com/\" maman=\"baz\">\n"
            "      <app2:in>x</app2:in>\n"
            "    </app2:bar>\n"
            "    <b:c/>\n"
            "  </metadata>\n");
  EXPECT_EQ(*Parse("<network><name>m</name><metadata/></network>").metadata, "  <metadata/>\n");
  EXPECT_EQ(*Parse("<network><name>m</name><metadata><x/></metadata></network>").metadata,
            "  <metadata/>\n");
  EXPECT_FALSE(Parse("<network><name>m</name></network>").metadata);
}

TEST(NetworkParseTest, DnsmasqOptionsWithAnyPrefix) {
  NetworkDef def = Parse(R"(<network xmlns:dm='http://libvirt.org/schemas/network/dnsmasq/1.0'
      xmlns:other='urn:other'>
  <name>d</name>
  <dm:options><dm:option value='foo=bar'/><dm:option value='log-queries'/></dm:options>
  <other:options><other:option value='ignored'/></other:options>
</network>)");
  EXPECT_EQ(def.dnsmasq_options, (std::vector<std::string>{"foo=bar", "log-queries"}));
}

TEST(NetworkParseTest, ValuesAsLibvirtStoresThem) {
  NetworkDef def = Parse(R"(<network ipv6='yes' trustGuestRxFilters='no' connections='5'>
  <name> spaced </name>
  <uuid> 81FF0D90C91E674264DA4A736EDB9A9B </uuid>
  <title>t</title>
  <description>d</description>
  <forward dev='eth0'><nat><port start='0' end='0'/></nat></forward>
  <bridge name='virbr9' stp='maybe' delay='3' macTableManager='libvirt' zone='z'/>
  <bridge name='second-is-ignored'/>
  <mtu size='0'/>
  <mac address='52:54:00:AB:cd:EF'/>
  <domain name='example.test' localOnly='no'/>
  <dns forwardPlainNames='yes'>
    <forwarder addr='8.8.8'/>
    <forwarder domain='example.com'/>
    <txt name='t' value='v'/>
    <srv service='name' protocol='tcp' target='.' port='1' priority='2' weight='3'/>
    <host ip='10.66.5.2'><hostname>a</hostname><hostname>b</hostname></host>
  </dns>
  <port isolated='yes'/>
  <ip address='010.066.005.001' prefix='0' localPtr='yes'>
    <tftp root='/srv/tftp'/>
    <dhcp>
      <range start='8.54.5.10' end='8.54.5.20'><lease expiry='0'/></range>
      <host mac='00:16:3E:77:e2:ed' name='vm' ip='10.1.2.3'><lease expiry='3' unit='hours'/></host>
      <bootp server='8.54.5.2'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='FD00:66:5:0::1' prefix='64'/>
  <route address='0.0.0.0' gateway='8.54.5.2'/>
</network>)");
  EXPECT_EQ(def.name, " spaced ");
  EXPECT_TRUE(def.uuid_given);
  EXPECT_EQ(FormatUuid(def.uuid), "81ff0d90-c91e-6742-64da-4a736edb9a9b");
  EXPECT_EQ(def.title, "t");
  EXPECT_EQ(def.description, "d");
  EXPECT_TRUE(def.ipv6);
  EXPECT_EQ(def.trust_guest_rx_filters, TriState::kNo);
  EXPECT_EQ(def.connections, 0u) << "connections is ignored on input";
  EXPECT_EQ(def.forward.mode, ForwardMode::kNat) << "a <forward> without mode is nat";
  EXPECT_EQ(def.forward.dev, "eth0");
  ASSERT_EQ(def.forward.interfaces.size(), 1u);
  EXPECT_EQ(def.forward.interfaces[0].dev, "eth0");
  EXPECT_FALSE(def.forward.nat_port) << "0/0 is the same as no port range";
  EXPECT_EQ(def.bridge.name, "virbr9");
  EXPECT_TRUE(def.bridge.stp) << "anything but 'off' means on";
  EXPECT_EQ(def.bridge.delay, 3u);
  EXPECT_EQ(def.bridge.zone, "z");
  EXPECT_EQ(def.bridge.mac_table_manager, MacTableManager::kLibvirt);
  EXPECT_EQ(def.mtu, 0u);
  EXPECT_EQ(FormatMac(*def.mac), "52:54:00:ab:cd:ef");
  EXPECT_EQ(def.domain.name, "example.test");
  EXPECT_EQ(def.domain.local_only, TriState::kNo);
  EXPECT_EQ(def.dns.forward_plain_names, TriState::kYes);
  ASSERT_EQ(def.dns.forwarders.size(), 2u);
  EXPECT_EQ(def.dns.forwarders[0].addr->ToString(), "8.8.0.8");
  EXPECT_EQ(def.dns.forwarders[1].domain, "example.com");
  EXPECT_EQ(def.dns.srvs.at(0).weight, 3u);
  EXPECT_EQ(def.dns.hosts.at(0).hostnames, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(def.port_isolated, TriState::kYes);
  ASSERT_EQ(def.ips.size(), 2u);
  const IpDef& v4 = def.ips[0];
  EXPECT_EQ(v4.address.ToString(), "8.54.5.1") << "inet_aton reads leading zeros as octal";
  EXPECT_EQ(v4.prefix, 0u);
  EXPECT_EQ(v4.EffectivePrefix(), 8u);
  EXPECT_EQ(v4.local_ptr, TriState::kYes);
  EXPECT_EQ(v4.tftp_root, "/srv/tftp");
  EXPECT_EQ(v4.ranges.at(0).lease->expiry, 0u);
  EXPECT_EQ(v4.hosts.at(0).mac, "00:16:3E:77:e2:ed") << "dhcp host mac is kept as typed";
  EXPECT_EQ(v4.hosts.at(0).lease->unit, LeaseUnit::kHours);
  EXPECT_FALSE(v4.bootp) << "9.0 drops a <bootp> without file";
  EXPECT_FALSE(v4.family_given);
  EXPECT_TRUE(def.ips[1].family_given);
  EXPECT_EQ(def.ips[1].address.ToString(), "fd00:66:5::1");
  ASSERT_EQ(def.routes.size(), 1u);
  EXPECT_FALSE(def.routes[0].prefix_given);
}

TEST(NetworkParseTest, UnknownElementsAndAttributesAreDropped) {
  NetworkDef def = Parse(
      "<network bogus='1'><name>u</name><bogus><x/></bogus><bridge name='b' extra='e'/>"
      "</network>");
  EXPECT_EQ(def.name, "u");
  EXPECT_EQ(def.bridge.name, "b");
}

}  // namespace
}  // namespace virtnat::xml
