// The lexical value types of schemas/network.rng, one attribute at a time,
// each inside an otherwise valid document.
#include <gtest/gtest.h>

#include <string>

#include "xml/schema.h"

namespace virtnat::xml {
namespace {

bool DnsHostIpValid(const std::string& ip) {
  return ValidateNetworkSchema("<network><name>x</name><dns><host ip='" + ip +
                               "'><hostname>h</hostname></host></dns></network>")
      .ok();
}

TEST(SchemaTypesTest, IpAddresses) {
  for (const char* ok :
       {"0.0.0.0", "192.168.122.1", "255.255.255.255", "::", "::1", "1::", "fe80::1",
        "2001:db8::", "2001:db8:0:0:0:0:0:1", "FD00:66:5:0::1",
        "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6::8", "1::2:3:4:5:6:7", "1:2::7:8",
        "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4", "1:2:3:4:5::1.2.3.4"}) {
    EXPECT_TRUE(DnsHostIpValid(ok)) << ok;
  }
  // "12345::" and friends: libxml2 2.9 accepted these while groups were
  // written as [0-9A-Fa-f]{1,4}; the grammar spells the counter out.
  for (const char* bad : {"",
                          "1.2.3",
                          "1.2.3.4.5",
                          "256.1.1.1",
                          "01.2.3.4",
                          "1.2.3.4 ",
                          "12345::",
                          "12345::1",
                          "ffff1::256",
                          ":::",
                          "1:::2",
                          "1::2::3",
                          "g::1",
                          "1:2:3:4:5:6:7",
                          "1:2:3:4:5:6:7:8:9",
                          ":1::",
                          "1::2:3:4:5:6:7:8",
                          "::1.2.3.256",
                          "1:2:3:4:5:6:7:1.2.3.4",
                          "1:2:3:4:5:6::1.2.3.4",
                          "fe80::1%eth0"}) {
    EXPECT_FALSE(DnsHostIpValid(bad)) << bad;
  }
}

bool HostMacValid(const std::string& mac) {
  return ValidateNetworkSchema(
             "<network><name>x</name><ip address='10.0.0.1' prefix='24'><dhcp><host mac='" + mac +
             "' ip='10.0.0.2'/></dhcp></ip></network>")
      .ok();
}

TEST(SchemaTypesTest, UnicastMacAddresses) {
  for (const char* ok : {"52:54:00:12:34:56", "00:16:3E:77:E2:ED", "fe:ff:ff:ff:ff:ff"}) {
    EXPECT_TRUE(HostMacValid(ok)) << ok;
  }
  for (const char* bad : {"01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "52:54:00:12:34",
                          "52-54-00-12-34-56", "52:54:00:12:34:5g", "525400123456"}) {
    EXPECT_FALSE(HostMacValid(bad)) << bad;
  }
}

bool UuidValid(const std::string& uuid) {
  return ValidateNetworkSchema("<network><name>x</name><uuid>" + uuid + "</uuid></network>").ok();
}

TEST(SchemaTypesTest, Uuids) {
  for (const char* ok : {"81ff0d90-c91e-6742-64da-4a736edb9a9b", "81FF0D90C91E674264DA4A736EDB9A9B",
                         " 81ff0d90-c91e-6742-64da-4a736edb9a9b\n"}) {
    EXPECT_TRUE(UuidValid(ok)) << ok;
  }
  for (const char* bad :
       {"81ff0d90-c91e-6742-64da-4a736edb9a9", "81ff0d90-c91e-6742-64da-4a736edb9a9bb",
        "g1ff0d90-c91e-6742-64da-4a736edb9a9b", ""}) {
    EXPECT_FALSE(UuidValid(bad)) << bad;
  }
}

bool RangeValid(const std::string& attributes) {
  return ValidateNetworkSchema(
             "<network xmlns:vn='urn:virtnat:network:1'><name>x</name>"
             "<vn:portForward guest='10.0.0.2'><vn:range " +
             attributes + "/></vn:portForward></network>")
      .ok();
}

TEST(SchemaTypesTest, PortForwardPorts) {
  for (const char* ok :
       {"start='1'", "start='65535'", "start='80' end='90' to='8080'", "start='80' to='80'"}) {
    EXPECT_TRUE(RangeValid(ok)) << ok;
  }
  for (const char* bad : {"start='0'", "start='65536'", "start='+80'", "start='80 '",
                          "start='0x50'", "start='80' end=''", "start='-1'", "end='80'"}) {
    EXPECT_FALSE(RangeValid(bad)) << bad;
  }
}

bool ForwardValid(const std::string& attributes) {
  return ValidateNetworkSchema("<network><name>x</name><forward " + attributes +
                               "/><ip address='10.0.0.1' prefix='24'/></network>")
      .ok();
}

TEST(SchemaTypesTest, ForwardModesAndDevices) {
  for (const char* mode :
       {"nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev"}) {
    EXPECT_TRUE(ForwardValid(std::string("mode='") + mode + "'")) << mode;
  }
  EXPECT_TRUE(ForwardValid("dev='eth0.100'"));
  EXPECT_FALSE(ForwardValid("mode=''"));
  EXPECT_FALSE(ForwardValid("mode='NAT'"));
  EXPECT_FALSE(ForwardValid("dev='eth 0'"));
  EXPECT_FALSE(ForwardValid("dev=''"));
}

bool NameValid(const std::string& name) {
  return ValidateNetworkSchema("<network><name>" + name + "</name></network>").ok();
}

TEST(SchemaTypesTest, NetworkNames) {
  for (const char* ok :
       {"default", " spaced name ", "quotes &apos;&quot;", "x&amp;y", "\xc3\xa9t\xc3\xa9"}) {
    EXPECT_TRUE(NameValid(ok)) << ok;
  }
  // '/' would leave the config directory; a newline would split a line of
  // a generated file.
  for (const char* bad : {"", "a/b", "a&#10;b", "a\nb"}) {
    EXPECT_FALSE(NameValid(bad)) << bad;
  }
}

}  // namespace
}  // namespace virtnat::xml
