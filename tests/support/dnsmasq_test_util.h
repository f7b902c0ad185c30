#pragma once
// Small builders for hand-made NetworkDefs in the dnsmasq tests.

#include <fstream>
#include <sstream>
#include <string>

#include "common/ip_address.h"
#include "xml/network_def.h"

namespace virtnat::driver::testing {

inline IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

inline xml::IpDef Ipv4(const char* address, const char* netmask) {
  xml::IpDef ip;
  ip.address = Ip(address);
  ip.netmask = Ip(netmask);
  return ip;
}

inline xml::IpDef Ipv6(const char* address, unsigned prefix) {
  xml::IpDef ip;
  ip.family_given = true;
  ip.address = Ip(address);
  ip.prefix = prefix;
  return ip;
}

inline xml::DhcpRange Range(const char* start, const char* end) {
  return xml::DhcpRange{Ip(start), Ip(end), std::nullopt};
}

inline xml::DhcpHost Host(const char* mac, const char* name, const char* ip) {
  xml::DhcpHost host;
  host.mac = mac;
  host.name = name;
  host.ip = Ip(ip);
  return host;
}

inline xml::DhcpHost Host6(const char* id, const char* name, const char* ip) {
  xml::DhcpHost host;
  host.id = id;
  host.name = name;
  host.ip = Ip(ip);
  return host;
}

inline xml::NetworkDef Network(const char* name, xml::ForwardMode mode, const char* bridge) {
  xml::NetworkDef def;
  def.name = name;
  def.forward.mode = mode;
  def.bridge.name = bridge;
  def.has_bridge_element = true;
  return def;
}

// The corpus `nat-network.xml`.
inline xml::NetworkDef NatNetwork() {
  xml::NetworkDef def = Network("default", xml::ForwardMode::kNat, "virbr0");
  xml::IpDef v4 = Ipv4("192.168.122.1", "255.255.255.0");
  v4.ranges.push_back(Range("192.168.122.2", "192.168.122.254"));
  v4.hosts.push_back(Host("00:16:3e:77:e2:ed", "a.example.com", "192.168.122.10"));
  v4.hosts.push_back(Host("00:16:3e:3e:a9:1a", "b.example.com", "192.168.122.11"));
  def.ips.push_back(v4);
  def.ips.push_back(Ipv4("192.168.123.1", "255.255.255.0"));
  def.ips.push_back(Ipv6("2001:db8:ac10:fe01::1", 64));
  def.ips.push_back(Ipv6("2001:db8:ac10:fd01::1", 64));
  xml::IpDef last;
  last.family_given = true;
  last.address = Ip("10.24.10.1");
  def.ips.push_back(last);
  return def;
}

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string ConfData(const std::string& file) {
  return ReadFileOrEmpty(std::string(VIRTNAT_TESTDATA) + "/networkxml2confdata/" + file);
}

}  // namespace virtnat::driver::testing
