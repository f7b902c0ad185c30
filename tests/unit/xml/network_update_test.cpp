// UpdateNetworkDef: matching rules and the error messages of
// network-xml.md §5.1-5.3, and the portForward extension in section forward.
#include "xml/network_update.h"

#include <gtest/gtest.h>

#include <string>

#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

enum Cmd : unsigned { kModify = 1, kDelete = 2, kAddLast = 3, kAddFirst = 4 };
enum Sec : unsigned {
  kBridge = 1,
  kIpDhcpHost = 4,
  kIpDhcpRange = 5,
  kForward = 6,
  kForwardInterface = 7,
  kForwardPf = 8,
  kPortGroup = 9,
  kDnsHost = 10,
  kDnsTxt = 11,
  kDnsSrv = 12,
};

const char* kBase = R"(<network xmlns:vn='urn:virtnat:network:1'>
  <name>x-u</name>
  <forward mode='nat'/>
  <dns>
    <txt name='example' value='v'/>
    <srv service='name' protocol='tcp' domain='a' target='.'/>
    <srv service='name' protocol='tcp' domain='b' target='.'/>
    <host ip='10.66.6.2'><hostname>one</hostname><hostname>shared</hostname></host>
    <host ip='10.66.6.3'><hostname>shared</hostname></host>
  </dns>
  <ip address='10.66.6.1' prefix='24'>
    <dhcp>
      <range start='10.66.6.10' end='10.66.6.20'/>
      <host mac='52:54:00:00:00:09' name='vmx' ip='10.66.6.11'/>
      <host mac='52:54:00:00:00:0a' name='vm0' ip='10.66.6.57'/>
    </dhcp>
  </ip>
  <ip address='10.66.7.1' prefix='24'/>
  <ip family='ipv6' address='fd00:66::1' prefix='64'/>
  <portgroup name='pg1' default='yes'/>
  <vn:portForward guest='10.66.6.11'><vn:range start='80'/></vn:portForward>
</network>)";

NetworkDef Base() {
  auto def = ParseNetworkXml(kBase);
  EXPECT_TRUE(def.ok()) << (def.ok() ? "" : def.error().message);
  return def.ok() ? *def : NetworkDef{};
}

struct Row {
  const char* what;
  unsigned command;
  unsigned section;
  int parent;
  std::string fragment;
  int code;
  std::string message;
};

void ExpectErrors(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    NetworkDef def = Base();
    NetworkDef before = def;
    Status s = UpdateNetworkDef(def, row.command, row.section, row.parent, row.fragment);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), row.code);
    EXPECT_EQ(s.message(), row.message);
    EXPECT_EQ(def, before) << "a failed update changes nothing";
  }
}

constexpr int kInvalid = VIR_ERR_OPERATION_INVALID;
constexpr int kUnsupported = VIR_ERR_OPERATION_UNSUPPORTED;

TEST(NetworkUpdateTest, GeneralErrors) {
  ExpectErrors({
      {"bridge", kAddLast, kBridge, -1, "<bridge name='b'/>", kUnsupported,
       "Operation not supported: can't update 'bridge' section of network 'x-u'"},
      {"forward pf", kDelete, kForwardPf, -1, "<pf dev='eth0'/>", kUnsupported,
       "Operation not supported: can't update 'forward pf' section of network 'x-u'"},
      {"forward without portForward", kAddLast, kForward, -1, "<forward mode='route'/>",
       kUnsupported, "Operation not supported: can't update 'forward' section of network 'x-u'"},
      {"portForward in no namespace", kAddLast, kForward, -1,
       "<portForward guest='10.66.6.5'><range start='81'/></portForward>", kUnsupported,
       "Operation not supported: can't update 'forward' section of network 'x-u'"},
      {"unknown section", kAddLast, 99, -1, "<x/>", kUnsupported,
       "Operation not supported: can't update unrecognized section of network"},
      {"unknown command", 17, kDnsTxt, -1, "<txt name='example'/>", kUnsupported,
       "Operation not supported: unrecognized network update command code 17"},
      {"wrong element", kAddLast, kIpDhcpHost, -1, "<range start='10.66.6.30' end='10.66.6.40'/>",
       VIR_ERR_XML_ERROR,
       "XML error: unexpected element <range>, expecting <host>, while updating network 'x-u'"},
      {"malformed fragment", kAddLast, kIpDhcpHost, -1, "<host mac='a' mac='b'/>",
       VIR_ERR_XML_DETAIL,
       "network_update_xml:1: Attribute mac redefined\n<host mac='a' "
       "mac='b'/>\n---------------------^"},
  });
}

TEST(NetworkUpdateTest, DhcpErrors) {
  ExpectErrors({
      {"index out of range", kAddLast, kIpDhcpHost, 7,
       "<host mac='52:54:00:00:00:01' ip='10.66.6.30'/>", kInvalid,
       "Requested operation is not valid: couldn't update dhcp host entry - no <ip> element "
       "found at index 7 in network 'x-u'"},
      {"second ipv4 dhcp", kAddLast, kIpDhcpHost, 1,
       "<host mac='52:54:00:00:00:01' ip='10.66.7.30'/>", kInvalid,
       "Requested operation is not valid: dhcp is supported only for a single IPv4 address on "
       "each network"},
      {"family mismatch", kAddLast, kIpDhcpHost, 0, "<host name='v6' ip='fd00:66::5'/>", kInvalid,
       "Requested operation is not valid: the address family of a host entry IP must match the "
       "address family of the dhcp element's parent"},
      {"duplicate host", kAddLast, kIpDhcpHost, -1,
       "<host mac='52:54:00:00:00:09' ip='10.66.6.99'/>", kInvalid,
       "Requested operation is not valid: there is an existing dhcp host entry in network 'x-u' "
       "that matches \"<host mac='52:54:00:00:00:09' name='(null)' ip='10.66.6.99'/>\""},
      {"modify missing", kModify, kIpDhcpHost, -1,
       "<host mac='00:16:3e:77:f0:0d' name='m.example.com' ip='10.66.6.12'/>", kInvalid,
       "Requested operation is not valid: couldn't locate an existing dhcp host entry with "
       "\"mac='00:16:3e:77:f0:0d'\" \"name='m.example.com'\" \"ip='10.66.6.12'\" in network "
       "'x-u'"},
      {"delete missing", kDelete, kIpDhcpHost, -1, "<host name='nobody'/>", kInvalid,
       "Requested operation is not valid: couldn't locate a matching dhcp host entry in network "
       "'x-u'"},
      {"incomplete add", kAddLast, kIpDhcpHost, -1, "<host mac='52:54:00:00:00:01'/>",
       VIR_ERR_XML_ERROR,
       "XML error: Missing IP address in static host definition for network 'x-u'"},
      {"duplicate range", kAddLast, kIpDhcpRange, -1,
       "<range start='10.66.6.10' end='10.66.6.20'/>", kInvalid,
       "Requested operation is not valid: there is an existing dhcp range entry in network "
       "'x-u' that matches \"<range start='10.66.6.10' end='10.66.6.20'/>\""},
      {"range missing", kDelete, kIpDhcpRange, -1, "<range start='10.66.6.30' end='10.66.6.40'/>",
       kInvalid,
       "Requested operation is not valid: couldn't locate a matching dhcp range entry in network "
       "'x-u'"},
      {"range outside", kAddLast, kIpDhcpRange, -1, "<range start='10.66.9.30' end='10.66.9.40'/>",
       VIR_ERR_INTERNAL_ERROR,
       "internal error: range 10.66.9.30 - 10.66.9.40 is not entirely within network "
       "10.66.6.1/24"},
      {"modify range", kModify, kIpDhcpRange, -1, "<range start='10.66.6.10' end='10.66.6.20'/>",
       kUnsupported,
       "Operation not supported: dhcp ranges cannot be modified, only added or deleted"},
  });
  NetworkDef bare = *ParseNetworkXml("<network><name>x-u</name></network>");
  Status s = UpdateNetworkDef(bare, kAddLast, kIpDhcpHost, -1,
                              "<host mac='52:54:00:00:00:01' ip='10.66.6.30'/>");
  EXPECT_EQ(s.message(),
            "Requested operation is not valid: couldn't update dhcp host entry - no <ip> element "
            "found in network 'x-u'");
}

TEST(NetworkUpdateTest, DhcpHostMatching) {
  NetworkDef def = Base();
  // Modify by name replaces the whole entry: the mac is dropped.
  ASSERT_TRUE(
      UpdateNetworkDef(def, kModify, kIpDhcpHost, -1, "<host name='vm0' ip='10.66.6.58'/>").ok());
  ASSERT_EQ(def.ips[0].hosts.size(), 2u);
  EXPECT_EQ(def.ips[0].hosts[1].mac, "");
  EXPECT_EQ(def.ips[0].hosts[1].ip.ToString(), "10.66.6.58");
  // Delete needs every given attribute to match, but a host without a mac
  // matches any mac (libvirt's rule): this removes vm0, not vmx.
  EXPECT_FALSE(UpdateNetworkDef(def, kDelete, kIpDhcpHost, -1,
                                "<host mac='52:54:00:00:00:09' name='other'/>")
                   .ok());
  ASSERT_TRUE(
      UpdateNetworkDef(def, kDelete, kIpDhcpHost, -1, "<host mac='52:54:00:00:00:09' name='vm0'/>")
          .ok());
  ASSERT_EQ(def.ips[0].hosts.size(), 1u);
  EXPECT_EQ(def.ips[0].hosts[0].name, "vmx");
  // add-first goes in front; -1 picks the <ip> that already has dhcp; MACs
  // compare case-insensitively.
  ASSERT_TRUE(UpdateNetworkDef(def, kAddFirst, kIpDhcpHost, -1,
                               "<host mac='52:54:00:00:00:AB' name='new' ip='10.66.6.70'/>")
                  .ok());
  EXPECT_EQ(def.ips[0].hosts[0].name, "new");
  ASSERT_TRUE(
      UpdateNetworkDef(def, kDelete, kIpDhcpHost, -1, "<host mac='52:54:00:00:00:ab'/>").ok());
  EXPECT_EQ(def.ips[0].hosts[0].name, "vmx");
  // Without any dhcp, -1 picks the first IPv4 <ip>.
  NetworkDef plain = *ParseNetworkXml(
      "<network><name>p</name><ip family='ipv6' address='fd00::1' prefix='64'/>"
      "<ip address='10.1.1.1' prefix='24'/></network>");
  ASSERT_TRUE(
      UpdateNetworkDef(plain, kAddLast, kIpDhcpHost, -1, "<host name='a' ip='10.1.1.5'/>").ok());
  EXPECT_EQ(plain.ips[1].hosts.size(), 1u);
}

TEST(NetworkUpdateTest, InterfacesAndPortGroups) {
  ExpectErrors({
      {"interface missing", kDelete, kForwardInterface, -1, "<interface dev='eth47'/>", kInvalid,
       "Requested operation is not valid: couldn't find an interface entry in network 'x-u' "
       "matching <interface dev='eth47'>"},
      {"interface without dev", kAddLast, kForwardInterface, -1, "<interface/>", VIR_ERR_XML_ERROR,
       "XML error: missing dev attribute in <interface> element"},
      {"modify interface", kModify, kForwardInterface, -1, "<interface dev='eth0'/>", kUnsupported,
       "Operation not supported: forward interface entries cannot be modified, only added or "
       "deleted"},
      {"portgroup duplicate", kAddLast, kPortGroup, -1, "<portgroup name='pg1'/>", kInvalid,
       "Requested operation is not valid: there is an existing portgroup entry in network 'x-u' "
       "that matches \"<portgroup name='pg1'>\""},
      {"portgroup missing", kModify, kPortGroup, -1, "<portgroup name='pg9'/>", kInvalid,
       "Requested operation is not valid: couldn't find a portgroup entry in network 'x-u' "
       "matching <portgroup name='pg9'>"},
      {"second default", kAddLast, kPortGroup, -1, "<portgroup name='pg2' default='yes'/>",
       kInvalid,
       "Requested operation is not valid: a different portgroup entry in network 'x-u' is "
       "already set as the default. Only one default is allowed."},
  });
  NetworkDef def = Base();
  ASSERT_TRUE(
      UpdateNetworkDef(def, kAddLast, kForwardInterface, -1, "<interface dev='eth0'/>").ok());
  EXPECT_EQ(def.forward.dev, "eth0") << "the first interface also becomes <forward dev>";
  Status dup = UpdateNetworkDef(def, kAddLast, kForwardInterface, -1, "<interface dev='eth0'/>");
  EXPECT_EQ(dup.message(),
            "Requested operation is not valid: there is an existing interface entry in network "
            "'x-u' that matches \"<interface dev='eth0'>\"");
  Status second = UpdateNetworkDef(def, kAddLast, kForwardInterface, -1, "<interface dev='eth1'/>");
  EXPECT_EQ(second.message(),
            "XML error: multiple forwarding interfaces specified for network 'x-u', only one is "
            "supported");
  ASSERT_TRUE(
      UpdateNetworkDef(def, kDelete, kForwardInterface, -1, "<interface dev='eth0'/>").ok());
  EXPECT_EQ(def.forward.dev, "");
  // Update accepts a portgroup with <vlan> on a nat network (define would not).
  ASSERT_TRUE(UpdateNetworkDef(def, kAddLast, kPortGroup, -1,
                               "<portgroup name='v'><vlan><tag id='5'/></vlan></portgroup>")
                  .ok());
  ASSERT_TRUE(UpdateNetworkDef(def, kModify, kPortGroup, -1, "<portgroup name='pg1'/>").ok());
  EXPECT_FALSE(def.portgroups[0].is_default);
}

TEST(NetworkUpdateTest, DnsRecords) {
  ExpectErrors({
      {"host duplicate ip", kAddLast, kDnsHost, -1,
       "<host ip='10.66.6.2'><hostname>other</hostname></host>", kInvalid,
       "Requested operation is not valid: there is already at least one DNS HOST record with a "
       "matching field in network x-u"},
      {"host missing", kDelete, kDnsHost, -1, "<host ip='10.66.6.9'/>", kInvalid,
       "Requested operation is not valid: couldn't locate a matching DNS HOST record in network "
       "x-u"},
      {"host ambiguous", kDelete, kDnsHost, -1, "<host><hostname>shared</hostname></host>",
       kInvalid,
       "Requested operation is not valid: multiple matching DNS HOST records were found in "
       "network x-u"},
      {"host without ip and hostname", kDelete, kDnsHost, -1, "<host protocol='name'/>",
       VIR_ERR_XML_DETAIL, "Missing ip and hostname in network 'x-u' DNS HOST record"},
      {"txt duplicate", kAddLast, kDnsTxt, -1, "<txt name='example' value='x'/>", kInvalid,
       "Requested operation is not valid: there is already a DNS TXT record with name 'example' "
       "in network x-u"},
      {"txt missing", kDelete, kDnsTxt, -1, "<txt name='snowman'/>", kInvalid,
       "Requested operation is not valid: couldn't locate a matching DNS TXT record in network "
       "x-u"},
      {"txt modify missing", kModify, kDnsTxt, -1, "<txt name='snowman' value='x'/>", kInvalid,
       "Requested operation is not valid: couldn't locate a matching DNS TXT record in network "
       "x-u"},
      {"srv duplicate", kAddLast, kDnsSrv, -1,
       "<srv service='name' protocol='tcp' domain='a' target='.'/>", kInvalid,
       "Requested operation is not valid: there is already at least one DNS SRV record matching "
       "all specified fields in network x-u"},
      {"srv missing", kDelete, kDnsSrv, -1, "<srv service='other'/>", kInvalid,
       "Requested operation is not valid: couldn't locate a matching DNS SRV record in network "
       "x-u"},
      {"srv ambiguous", kDelete, kDnsSrv, -1, "<srv service='name'/>", kInvalid,
       "Requested operation is not valid: multiple DNS SRV records matching all specified fields "
       "were found in network x-u"},
  });
  NetworkDef def = Base();
  // Newer-libvirt modify: the host with that ip gets the fragment's names.
  ASSERT_TRUE(UpdateNetworkDef(def, kModify, kDnsHost, -1,
                               "<host ip='10.66.6.3'><hostname>renamed</hostname></host>")
                  .ok());
  EXPECT_EQ(def.dns.hosts[1].hostnames, (std::vector<std::string>{"renamed"}));
  ASSERT_TRUE(
      UpdateNetworkDef(def, kModify, kDnsTxt, -1, "<txt name='example' value='new'/>").ok());
  EXPECT_EQ(def.dns.txts[0].value, "new");
  ASSERT_TRUE(UpdateNetworkDef(def, kModify, kDnsSrv, -1,
                               "<srv domain='b' target='.' port='5353' priority='1'/>")
                  .ok());
  EXPECT_EQ(def.dns.srvs[1].service, "name") << "names the fragment leaves out are kept";
  EXPECT_EQ(def.dns.srvs[1].domain, "b");
  EXPECT_EQ(def.dns.srvs[1].port, 5353u);
  // Records cannot be added to a disabled <dns> (the re-parse refuses them).
  NetworkDef off = *ParseNetworkXml(
      "<network><name>x-u</name><dns enable='no'/><ip address='10.1.1.1' prefix='24'/>"
      "</network>");
  Status s = UpdateNetworkDef(off, kAddLast, kDnsTxt, -1, "<txt name='a' value='b'/>");
  EXPECT_EQ(s.message(), "XML error: Extra data in disabled network 'x-u'");
}

TEST(NetworkUpdateTest, PortForwards) {
  const std::string ns = " xmlns='urn:virtnat:network:1'";
  ExpectErrors({
      {"duplicate", kAddLast, kForward, -1,
       "<portForward" + ns + " guest='10.66.6.12'><range start='80' end='81'/></portForward>",
       kInvalid,
       "Requested operation is not valid: there is an existing portForward entry in network "
       "'x-u' that matches proto='tcp' address='' start='80'"},
      {"missing", kDelete, kForward, -1,
       "<portForward" + ns + " proto='udp'><range start='80'/></portForward>", kInvalid,
       "Requested operation is not valid: couldn't find a portForward entry in network 'x-u' "
       "matching proto='udp' address='' start='80'"},
      {"claim clash", kAddLast, kForward, -1,
       "<portForward" + ns + " guest='10.66.6.12'><range start='70' end='90'/></portForward>",
       VIR_ERR_CONFIG_UNSUPPORTED,
       "unsupported configuration: portForward tcp port 80 on all addresses is claimed twice in "
       "network 'x-u'"},
      {"guest outside", kAddLast, kForward, -1,
       "<portForward" + ns + " guest='192.0.2.1'><range start='443'/></portForward>",
       VIR_ERR_CONFIG_UNSUPPORTED,
       "unsupported configuration: portForward guest address '192.0.2.1' is not inside any <ip> "
       "subnet of network 'x-u'"},
  });
  NetworkDef def = Base();
  ASSERT_TRUE(UpdateNetworkDef(def, kAddFirst, kForward, -1,
                               "<p:portForward xmlns:p='urn:virtnat:network:1' proto='udp' "
                               "guest='10.66.6.12'><p:range start='53'/></p:portForward>")
                  .ok());
  ASSERT_EQ(def.port_forwards.size(), 2u);
  EXPECT_EQ(def.port_forwards[0].proto, PortProtocol::kUdp);
  ASSERT_TRUE(UpdateNetworkDef(def, kModify, kForward, -1,
                               "<portForward" + ns +
                                   " guest='10.66.7.5'><range start='80' to='8080'/></portForward>")
                  .ok());
  EXPECT_EQ(def.port_forwards[1].guest.ToString(), "10.66.7.5");
  EXPECT_EQ(def.port_forwards[1].ranges[0].to, 8080u);
  ASSERT_TRUE(UpdateNetworkDef(def, kDelete, kForward, -1,
                               "<portForward" + ns + "><range start='80'/></portForward>")
                  .ok());
  ASSERT_EQ(def.port_forwards.size(), 1u);
  EXPECT_EQ(def.port_forwards[0].proto, PortProtocol::kUdp);
}

}  // namespace
}  // namespace virtnat::xml
