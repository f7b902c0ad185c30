// Every parse-time error row of network-xml.md §4.2 and §4.3: code, domain
// and the complete message libvirt 9.0 gives.
#include <gtest/gtest.h>

#include <string>

#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

constexpr int kNet = VIR_FROM_NETWORK;
constexpr int kXml = VIR_FROM_XML;
constexpr int kNone = VIR_FROM_NONE;

// A network called x-t with `body` after the name and an IPv4 /24.
std::string WithIp(const std::string& body, const std::string& ip_body = "") {
  return "<network>\n  <name>x-t</name>\n" + body + "  <ip address='10.66.5.1' prefix='24'>\n" +
         ip_body + "  </ip>\n</network>\n";
}
std::string Bare(const std::string& body, const std::string& root_attrs = "") {
  return "<network" + root_attrs + ">\n  <name>x-t</name>\n" + body + "</network>\n";
}

struct Row {
  const char* what;
  std::string xml;
  int code;
  int domain;
  std::string message;
};

void ExpectRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    auto def = ParseNetworkXml(row.xml);
    ASSERT_FALSE(def.ok()) << row.xml;
    EXPECT_EQ(def.error().code, row.code);
    EXPECT_EQ(def.error().domain, row.domain);
    EXPECT_EQ(def.error().message, row.message);
  }
}

TEST(NetworkParseErrorsTest, SyntaxAndIdentity) {
  ExpectRows({
      {"malformed", "<network>\n  <name>x</name>\n  <bridge name='a'>\n</network>\n",
       VIR_ERR_XML_DETAIL, kNet,
       "(network_definition):4: Opening and ending tag mismatch: bridge line 3 and network\n"
       "</network>\n----------^"},
      {"empty", "", VIR_ERR_XML_DETAIL, kNet,
       "(network_definition):1: Document is empty\n(null)\n^"},
      {"not xml", "hello", VIR_ERR_XML_DETAIL, kNet,
       "(network_definition):1: Start tag expected, '<' not found\nhello\n^"},
      {"wrong root", "<netwrk><name>a</name></netwrk>", VIR_ERR_XML_ERROR, kXml,
       "XML error: expecting root element of 'network', not 'netwrk'"},
      {"no name", "<network><uuid>11111111-2222-3333-4444-555555555501</uuid></network>",
       VIR_ERR_NO_NAME, kNet, "missing name information"},
      {"empty name", "<network><name></name></network>", VIR_ERR_NO_NAME, kNet,
       "missing name information"},
      {"slash in name", "<network><name>a/b</name></network>", VIR_ERR_XML_DETAIL, kXml,
       "invalid char in name: /"},
      {"bad uuid", Bare("  <uuid>1234</uuid>\n"), VIR_ERR_INTERNAL_ERROR, kNet,
       "internal error: malformed uuid element"},
      {"bad ipv6", Bare("", " ipv6='maybe'"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid ipv6 setting 'maybe' in network 'x-t'"},
      {"bad yes/no", Bare("", " trustGuestRxFilters='x'"), VIR_ERR_XML_ERROR, kXml,
       "XML error: Invalid value for attribute 'trustGuestRxFilters' in element 'network': 'x'."},
      {"bad localOnly", Bare("  <domain name='a' localOnly='maybe'/>\n"), VIR_ERR_XML_ERROR, kXml,
       "XML error: Invalid value for attribute 'localOnly' in element 'domain': 'maybe'."},
  });
}

TEST(NetworkParseErrorsTest, Forward) {
  ExpectRows({
      {"unknown mode", WithIp("  <forward mode='nating'/>\n"), VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: unknown forwarding type 'nating'"},
      {"nat without ip", Bare("  <forward mode='nat'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: nat forwarding requested, but no IP address provided for network 'x-t'"},
      {"route without ip", Bare("  <forward mode='route'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: route forwarding requested, but no IP address provided for network 'x-t'"},
      {"open without ip", Bare("  <forward mode='open'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: open forwarding requested, but no IP address provided for network 'x-t'"},
      {"two interfaces",
       WithIp("  <forward mode='nat'><interface dev='eth0'/><interface dev='eth1'/></forward>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: multiple forwarding interfaces specified for network 'x-t', only one is "
       "supported"},
      {"dev mismatch",
       WithIp("  <forward mode='nat' dev='eth0'><interface dev='eth1'/></forward>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: <forward dev='eth0'> must match first <interface dev='eth1'/> in network x-t"},
      {"interface without dev", WithIp("  <forward mode='nat'><interface/></forward>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: Missing required dev attribute in <forward> <interface> element of network "
       "x-t"},
      {"open with dev", WithIp("  <forward mode='open' dev='eth0'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: forward dev not allowed for network 'x-t' with forward mode='open'"},
      {"dev with pf", Bare("  <forward mode='hostdev' dev='eth0'><pf dev='eth1'/></forward>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: the <forward> 'dev' attribute cannot be used when <address> or <pf> "
       "sub-elements are present in network %s"},
      {"nat in route", WithIp("  <forward mode='route'><nat/></forward>\n"), VIR_ERR_XML_ERROR,
       kNet,
       "XML error: The <nat> element can only be used when <forward> 'mode' is 'nat' in network "
       "x-t"},
      {"two nat", WithIp("  <forward mode='nat'><nat/><nat/></forward>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Only one <nat> element is allowed in <forward> of network x-t"},
      {"nat address no end",
       WithIp("  <forward mode='nat'><nat><address start='1.2.3.4'/></nat></forward>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: missing 'end' attribute in <address> element in <nat> in <forward> in "
       "network x-t"},
      {"nat address ipv6",
       WithIp("  <forward mode='nat'><nat><address start='fd00::1' end='fd00::2'/></nat>"
              "</forward>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: Bad ipv4 start address 'fd00::1' in <nat> in <forward> in network 'x-t'"},
      {"nat address reversed",
       WithIp("  <forward mode='nat'><nat><address start='1.2.3.10' end='1.2.3.4'/></nat>"
              "</forward>\n"),
       VIR_ERR_INTERNAL_ERROR, kNone, "internal error: range 1.2.3.10 - 1.2.3.4 is reversed "},
      {"nat port no end", WithIp("  <forward mode='nat'><nat><port start='1'/></nat></forward>\n"),
       VIR_ERR_XML_DETAIL, kNet,
       "Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network x-t"},
      {"nat port end < start",
       WithIp("  <forward mode='nat'><nat><port start='100' end='99'/></nat></forward>\n"),
       VIR_ERR_XML_DETAIL, kNet,
       "Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network x-t"},
      {"nat port end > 65535",
       WithIp("  <forward mode='nat'><nat><port start='100' end='65536'/></nat></forward>\n"),
       VIR_ERR_XML_DETAIL, kNet,
       "Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network x-t"},
  });
}

TEST(NetworkParseErrorsTest, BridgeMacMtu) {
  ExpectRows({
      {"bad delay", WithIp("  <bridge name='b' delay='x'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid delay value in network 'x-t'"},
      {"macTableManager default", WithIp("  <bridge name='b' macTableManager='default'/>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid macTableManager setting 'default' in network 'x-t'"},
      {"bad mac", WithIp("  <mac address='52:54:00:AB:CD'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid bridge mac address '52:54:00:AB:CD' in network 'x-t'"},
      {"multicast mac", WithIp("  <mac address='01:54:00:AB:CD:EF'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid multicast bridge mac address '01:54:00:AB:CD:EF' in network 'x-t'"},
      {"bad mtu", WithIp("  <mtu size='abc'/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid mtu size 'abc' in network 'x-t'"},
  });
}

TEST(NetworkParseErrorsTest, IpElement) {
  auto ip = [](const std::string& attrs, const std::string& inner = "") {
    return Bare("  <ip " + attrs + ">" + inner + "</ip>\n");
  };
  ExpectRows({
      {"no address", ip("prefix='24'"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Missing required address attribute in network 'x-t'"},
      {"bad address", ip("address='10.66.5.300'"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid address '10.66.5.300' in network 'x-t'"},
      {"netmask and prefix", ip("address='10.66.5.1' netmask='255.255.255.0' prefix='24'"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: Network 'x-t' IP address cannot have both a prefix and a "
       "netmask"},
      {"ipv4 prefix 33", ip("address='10.66.5.1' prefix='33'"), VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: Invalid IPv4 prefix '33' in network 'x-t'"},
      {"prefix abc", ip("address='10.66.5.1' prefix='abc'"), VIR_ERR_XML_ERROR, kXml,
       "XML error: Invalid value for attribute 'prefix' in element 'ip': 'abc'. Expected "
       "non-negative integer value"},
      {"ipv6 prefix 129", ip("family='ipv6' address='fd00:66::1' prefix='129'"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: Invalid IPv6 prefix '129' in network 'x-t'"},
      {"netmask on ipv6", ip("family='ipv6' address='fd00:66::1' netmask='255.255.255.0'"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: netmask not allowed for IPv6 address 'fd00:66::1' in "
       "network 'x-t'"},
      {"ipv6 without family", ip("address='fd00:66::1' prefix='64'"), VIR_ERR_CONFIG_UNSUPPORTED,
       kNet,
       "unsupported configuration: no family specified for non-IPv4 address 'fd00:66::1' in "
       "network 'x-t'"},
      {"family ipv6 with ipv4", ip("family='ipv6' address='10.66.5.1'"), VIR_ERR_CONFIG_UNSUPPORTED,
       kNet,
       "unsupported configuration: Family 'ipv6' specified for non-IPv6 address '10.66.5.1' in "
       "network 'x-t'"},
      {"unknown family", ip("family='ipx' address='10.66.5.1'"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Unrecognized family 'ipx' in network 'x-t'"},
      {"tftp in ipv6", ip("family='ipv6' address='fd00:66::1'", "<tftp root='/srv'/>"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: Unsupported <tftp> element in an IPv6 element in network "
       "'x-t'"},
  });
}

TEST(NetworkParseErrorsTest, DhcpRangesAndLeases) {
  auto dhcp = [](const std::string& inner) {
    return WithIp("", "    <dhcp>" + inner + "</dhcp>\n");
  };
  ExpectRows({
      {"range no end", dhcp("<range start='10.66.5.2'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Missing 'end' attribute in dhcp range for network 'x-t'"},
      {"range no start", dhcp("<range end='10.66.5.2'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Missing 'start' attribute in dhcp range for network 'x-t'"},
      {"range unparsable", dhcp("<range start='10.66.5.x' end='10.66.5.9'/>"), VIR_ERR_SYSTEM_ERROR,
       kNone, "Cannot parse socket address '10.66.5.x': Name or service not known"},
      {"range reversed", dhcp("<range start='10.66.5.200' end='10.66.5.100'/>"),
       VIR_ERR_INTERNAL_ERROR, kNone,
       "internal error: range 10.66.5.200 - 10.66.5.100 is reversed "},
      {"range outside", dhcp("<range start='10.66.6.100' end='10.66.6.200'/>"),
       VIR_ERR_INTERNAL_ERROR, kNone,
       "internal error: range 10.66.6.100 - 10.66.6.200 is not entirely within network "
       "10.66.5.1/24"},
      {"range partly outside", dhcp("<range start='10.66.5.100' end='10.66.6.200'/>"),
       VIR_ERR_INTERNAL_ERROR, kNone,
       "internal error: range 10.66.5.100 - 10.66.6.200 is not entirely within network "
       "10.66.5.1/24"},
      {"network address", dhcp("<range start='10.66.5.0' end='10.66.5.255'/>"),
       VIR_ERR_INTERNAL_ERROR, kNone,
       "internal error: start of range 10.66.5.0 - 10.66.5.255 in network 10.66.5.1/24 is the "
       "network address"},
      {"broadcast address", dhcp("<range start='10.66.5.2' end='10.66.5.255'/>"),
       VIR_ERR_INTERNAL_ERROR, kNone,
       "internal error: end of range 10.66.5.2 - 10.66.5.255 in network 10.66.5.1/24 is the "
       "broadcast address"},
      {"other family", dhcp("<range start='fd00::10' end='fd00::20'/>"), VIR_ERR_INTERNAL_ERROR,
       kNone,
       "internal error: mismatch of address family in range fd00::10 - fd00::20 for network "
       "10.66.5.1"},
      {"short lease", dhcp("<range start='10.66.5.2' end='10.66.5.9'><lease expiry='1'/></range>"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: The minimum lease time should be greater than 2 minutes"},
      {"short lease seconds",
       dhcp("<range start='10.66.5.2' end='10.66.5.9'><lease expiry='119' unit='seconds'/>"
            "</range>"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: The minimum lease time should be greater than 2 minutes"},
      {"bad lease unit",
       dhcp("<range start='10.66.5.2' end='10.66.5.9'><lease expiry='5' unit='days'/></range>"),
       VIR_ERR_XML_ERROR, kXml,
       "XML error: Invalid value for attribute 'unit' in element 'lease': 'days'."},
  });
}

TEST(NetworkParseErrorsTest, DhcpHosts) {
  auto dhcp4 = [](const std::string& inner) {
    return WithIp("", "    <dhcp>" + inner + "</dhcp>\n");
  };
  auto dhcp6 = [](const std::string& inner) {
    return Bare("  <ip family='ipv6' address='fd00:66::1' prefix='64'><dhcp>" + inner +
                "</dhcp></ip>\n");
  };
  ExpectRows({
      {"no ip", dhcp4("<host mac='00:16:3e:77:e2:ed'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Missing IP address in static host definition for network 'x-t'"},
      {"ipv4 no mac/name", dhcp4("<host ip='10.66.5.9'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Static host definition in IPv4 network 'x-t' must have mac or name "
       "attribute"},
      {"ipv6 no id/name", dhcp6("<host ip='fd00:66::9'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Static host definition in IPv6 network 'x-t' must have id or name "
       "attribute"},
      {"mac on ipv6", dhcp6("<host mac='00:16:3e:77:e2:ed' name='a' ip='fd00:66::9'/>"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid to specify MAC address '00:16:3e:77:e2:ed' in network 'x-t' IPv6 "
       "static host definition"},
      {"bad mac", dhcp4("<host mac='00:16:3e:77:e2' ip='10.66.5.9'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Cannot parse MAC address '00:16:3e:77:e2' in network 'x-t'"},
      {"multicast mac", dhcp4("<host mac='01:16:3e:77:e2:ed' ip='10.66.5.9'/>"), VIR_ERR_XML_ERROR,
       kNet,
       "XML error: expected unicast mac address, found multicast '01:16:3e:77:e2:ed' in network "
       "'x-t'"},
      {"bad name", dhcp4("<host name='-vm' ip='10.66.5.9'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Cannot use host name '-vm' in network 'x-t'"},
      {"bad ip", dhcp4("<host name='vm' ip='10.66.5.x'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid IP address in static host definition for network 'x-t'"},
      {"bad id", dhcp6("<host id='0:1:zz' ip='fd00:66::9'/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid character 'z' in id '0:1:zz' of network 'x-t'"},
      {"document order decides",
       dhcp4("<host ip='10.66.5.9'/><range start='10.66.5.200' "
             "end='10.66.5.100'/>"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: Static host definition in IPv4 network 'x-t' must have mac or name "
       "attribute"},
  });
}

TEST(NetworkParseErrorsTest, Dns) {
  auto dns = [](const std::string& inner, const std::string& attrs = "") {
    return WithIp("  <dns" + attrs + ">" + inner + "</dns>\n");
  };
  ExpectRows({
      {"disabled with children",
       dns("<host ip='10.66.5.9'><hostname>a</hostname></host>", " enable='no'"), VIR_ERR_XML_ERROR,
       kNet, "XML error: Extra data in disabled network 'x-t'"},
      {"bad enable", dns("", " enable='x'"), VIR_ERR_XML_ERROR, kXml,
       "XML error: Invalid value for attribute 'enable' in element 'dns': 'x'."},
      {"empty forwarder", dns("<forwarder/>"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Invalid forwarder element, must contain at least one of addr or domain"},
      {"host without ip", dns("<host><hostname>a</hostname></host>"), VIR_ERR_XML_DETAIL, kNet,
       "Missing IP address in network 'x-t' DNS HOST record"},
      {"host without hostname", dns("<host ip='10.66.5.9'/>"), VIR_ERR_XML_DETAIL, kNet,
       "Missing hostname in network 'x-t' DNS HOST record"},
      {"host empty hostname", dns("<host ip='10.66.5.9'><hostname></hostname></host>"),
       VIR_ERR_XML_DETAIL, kNet, "Missing hostname in network 'x-t' DNS HOST record"},
      {"txt without name", dns("<txt value='v'/>"), VIR_ERR_XML_DETAIL, kNet,
       "missing required name attribute in DNS TXT record of network x-t"},
      {"txt without value", dns("<txt name='n'/>"), VIR_ERR_XML_DETAIL, kNet,
       "missing required value attribute in DNS TXT record named 'n' of network x-t"},
      {"txt bad name", dns("<txt name='a b' value='v'/>"), VIR_ERR_XML_DETAIL, kNet,
       "prohibited character in DNS TXT record name 'a b' of network x-t"},
      {"srv without service", dns("<srv protocol='tcp'/>"), VIR_ERR_XML_DETAIL, kNet,
       "missing required service attribute in DNS SRV record of network 'x-t'"},
      {"srv without protocol", dns("<srv service='name'/>"), VIR_ERR_XML_DETAIL, kNet,
       "missing required protocol attribute in DNS SRV record 'name' of network 'x-t'"},
      {"srv bad service", dns("<srv service='na.me' protocol='tcp'/>"), VIR_ERR_XML_DETAIL, kNet,
       "invalid character in service attribute 'na.me' in DNS SRV record of network 'x-t'"},
      {"srv bad protocol", dns("<srv service='name' protocol='t_cp'/>"), VIR_ERR_XML_DETAIL, kNet,
       "invalid character in protocol attribute 't_cp' in DNS SRV record of network 'x-t'"},
      {"srv port without target", dns("<srv service='name' protocol='tcp' port='1'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "DNS SRV port attribute not permitted without target for service 'name' in network "
       "'x-t'"},
      {"srv priority without target", dns("<srv service='name' protocol='tcp' priority='1'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "DNS SRV priority attribute not permitted without target for service 'name' in network "
       "'x-t'"},
      {"srv bad port without target", dns("<srv service='name' protocol='tcp' port='x'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "invalid DNS SRV port attribute for service 'name' in network 'x-t'"},
      {"srv port 0", dns("<srv service='name' protocol='tcp' target='t' port='0'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "invalid DNS SRV port attribute for service 'name' in network 'x-t'"},
      {"srv port 65536", dns("<srv service='name' protocol='tcp' target='t' port='65536'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "invalid DNS SRV port attribute for service 'name' in network 'x-t'"},
      {"srv priority", dns("<srv service='name' protocol='tcp' target='t' priority='65536'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "Invalid DNS SRV priority attribute for service 'name' in network 'x-t'"},
      {"srv weight", dns("<srv service='name' protocol='tcp' target='t' weight='x'/>"),
       VIR_ERR_XML_DETAIL, kNet,
       "invalid DNS SRV weight attribute for service 'name' in network 'x-t'"},
  });
}

TEST(NetworkParseErrorsTest, RoutesPortsAndNamespaces) {
  ExpectRows({
      {"unreachable gateway",
       WithIp("  <route address='10.66.50.0' prefix='24' gateway='10.66.9.2'/>\n"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNet,
       "unsupported configuration: unreachable static route gateway '10.66.9.2' specified for "
       "network 'x-t'"},
      {"route without gateway", WithIp("  <route address='10.66.50.0' prefix='24'/>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: x-t: Missing required gateway attribute in route definition"},
      {"route without address", WithIp("  <route prefix='24' gateway='10.66.5.2'/>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: x-t: Missing required address attribute in route definition"},
      {"route host bits",
       WithIp("  <route address='10.66.50.7' prefix='24' gateway='10.66.5.2'/>\n"),
       VIR_ERR_XML_ERROR, kNet,
       "XML error: x-t: Address '10.66.50.7' in route definition is not a network address"},
      {"route metric 0",
       WithIp("  <route address='10.66.50.0' prefix='24' gateway='10.66.5.2' metric='0'/>\n"),
       VIR_ERR_XML_ERROR, kXml,
       "XML error: Invalid value for attribute 'metric' in element 'route': Zero is not "
       "permitted"},
      {"portgroup without name", WithIp("  <portgroup/>\n"), VIR_ERR_XML_ERROR, kNet,
       "XML error: Missing required name attribute in portgroup"},
      {"virtualport without type", WithIp("  <virtualport/>\n"), VIR_ERR_XML_ERROR, kNone,
       "XML error: missing required virtualport type"},
      {"floor", WithIp("  <bandwidth><inbound average='1' floor='2'/></bandwidth>\n"),
       VIR_ERR_CONFIG_UNSUPPORTED, kNone,
       "unsupported configuration: floor attribute is not supported for this config"},
      {"dnsmasq option without value",
       "<network xmlns:d='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>x-t</name>"
       "<d:options><d:option/></d:options></network>",
       VIR_ERR_INTERNAL_ERROR, kNet, "internal error: No dnsmasq options value specified"},
  });
}

}  // namespace
}  // namespace virtnat::xml
