#pragma once
// The firewall test cases: every case of libvirt's networkxml2firewalldata
// plus the port forward extension's (tests/data/firewall/NAME.xml).
//
// Until the XML parser is merged, the definitions are transcribed by hand
// from those XML files.

#include <gtest/gtest.h>

#include <string>

#include "xml/network_def.h"

namespace virtnat::driver {

inline constexpr const char* kFirewallCases[] = {
    "forward-dev",         "isolated",     "nat-default",   "nat-ipv6",
    "nat-ipv6-masquerade", "nat-many-ips", "nat-no-dhcp",   "nat-port-range",
    "nat-port-range-ipv6", "nat-tftp",     "route-default", "port-forwards",
};

// gtest names may not contain '-'.
inline std::string FirewallCaseName(const testing::TestParamInfo<const char*>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}

namespace firewall_test {

inline xml::IpDef Ip(const char* address, unsigned prefix, const char* tftp = "") {
  xml::IpDef ip;
  ip.address = *IpAddress::Parse(address);
  ip.prefix = prefix;
  ip.tftp_root = tftp;
  return ip;
}

inline xml::NetworkDef Base(xml::ForwardMode mode) {
  xml::NetworkDef def;
  def.name = "default";
  def.bridge.name = "virbr0";
  def.forward.mode = mode;
  return def;
}

}  // namespace firewall_test

inline xml::NetworkDef FirewallCase(const std::string& name) {
  using firewall_test::Base;
  using firewall_test::Ip;
  const xml::IpDef v4 = Ip("192.168.122.1", 24);
  const xml::IpDef v4b = Ip("192.168.128.1", 24);
  const xml::IpDef v6 = Ip("2001:db8:ca2:2::1", 64);
  xml::NetworkDef def = Base(xml::ForwardMode::kNat);
  if (name == "forward-dev") {
    def.forward.dev = "enp0s7";
    def.ips = {v4};
  } else if (name == "isolated") {
    def.forward.mode = xml::ForwardMode::kNone;
    def.ips = {v4, v4b, v6};
  } else if (name == "nat-default") {
    def.ips = {v4};
  } else if (name == "nat-ipv6") {
    def.ips = {v4, v6};
  } else if (name == "nat-ipv6-masquerade") {
    def.forward.nat_ipv6 = xml::TriState::kYes;
    def.ips = {v4, v6};
  } else if (name == "nat-many-ips") {
    def.ips = {v4, v4b, Ip("192.168.150.1", 24)};
  } else if (name == "nat-no-dhcp") {
    def.ips = {v4, v6};
  } else if (name == "nat-port-range") {
    def.forward.nat_port = xml::PortRange{500, 1000};
    def.ips = {v4, v4b, v6};
  } else if (name == "nat-port-range-ipv6") {
    def.forward.nat_ipv6 = xml::TriState::kYes;
    def.forward.nat_port = xml::PortRange{500, 1000};
    def.ips = {v4, v4b, v6};
  } else if (name == "nat-tftp") {
    def.ips = {Ip("192.168.122.1", 24, "/some/dir")};
  } else if (name == "route-default") {
    def.forward.mode = xml::ForwardMode::kRoute;
    def.ips = {v4};
  } else if (name == "port-forwards") {
    def.ips = {v4, v6};
    xml::PortForward tcp;
    tcp.guest = *IpAddress::Parse("192.168.122.140");
    tcp.ranges = {{80, 80, 80}, {5000, 5010, 5000}, {2222, 2223, 22}};
    xml::PortForward udp;
    udp.proto = xml::PortProtocol::kUdp;
    udp.guest = *IpAddress::Parse("192.168.122.141");
    udp.address = IpAddress::Parse("192.0.2.10");
    udp.dev = "eth0";
    udp.ranges = {{5353, 5353, 53}};
    xml::PortForward tcp6;
    tcp6.guest = *IpAddress::Parse("2001:db8:ca2:2::140");
    tcp6.ranges = {{8443, 8443, 443}};
    def.port_forwards = {tcp, udp, tcp6};
  }
  return def;
}

}  // namespace virtnat::driver
