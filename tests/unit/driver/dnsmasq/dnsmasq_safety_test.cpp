// Injection safety of the dnsmasq plan: no value from a definition may add a
// line (or, where dnsmasq splits fields, a field) to dnsmasq's files. The
// parser rejects most of these values; the planner must be safe on its own.
#include "driver/dnsmasq/dnsmasq_safety.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "driver/dnsmasq/dnsmasq_config.h"
#include "tests/support/dnsmasq_test_util.h"

namespace virtnat::driver {
namespace {

using namespace testing;  // NOLINT: test builders

size_t CountLines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

enum class FileKind { kFgets, kAddnHosts };

// Every line free of control characters. Configuration and dhcp-hostsfile
// lines fit dnsmasq's fgets() buffer; addn-hosts is read token by token (a
// long token is truncated, never split), with tabs between the tokens.
void ExpectWellFormed(const std::string& text, FileKind kind) {
  const bool tabs_allowed = kind == FileKind::kAddnHosts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "unterminated last line";
    std::string line = text.substr(start, end - start);
    if (kind == FileKind::kFgets) {
      EXPECT_LE(line.size(), kMaxDnsmasqLine);
    }
    for (unsigned char c : line) {
      if (c == '\t' && tabs_allowed) continue;
      EXPECT_FALSE(c < 0x20 || c == 0x7f) << "control byte " << int(c) << " in: " << line;
    }
    start = end + 1;
  }
}

const std::vector<std::string>& HostileValues() {
  static const std::vector<std::string> values = {
      "a\nb",
      "x\ndhcp-script=/bin/sh",
      "a\rb",
      std::string("a\0b", 3),
      "a\tb",
      "a\x7f",
      "a\x1b[0m",
      "a,b",
      "a b",
      "a #b",
      "a\"b",
      "a/b",
      std::string(1100, 'a'),
      // Cut by dnsmasq's 1025-byte fgets buffer, the tail would be an option.
      std::string(1024 - 12, 'a') + "dhcp-script=/tmp/evil",
  };
  return values;
}

using Mutator = std::function<void(xml::NetworkDef*, const std::string&)>;

struct Field {
  const char* name;
  Mutator set;
};

std::vector<Field> Fields() {
  return {
      {"network name", [](xml::NetworkDef* d, const std::string& v) { d->name = v; }},
      {"bridge", [](xml::NetworkDef* d, const std::string& v) { d->bridge.name = v; }},
      {"domain", [](xml::NetworkDef* d, const std::string& v) { d->domain.name = v; }},
      {"forwarder domain",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.forwarders.push_back({v, Ip("10.0.0.53")});
       }},
      {"txt name",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.txts.push_back({v, "value"});
       }},
      {"txt value",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.txts.push_back({"name", v});
       }},
      {"srv service",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.srvs.push_back({v, "tcp", "", "t.example", 1, 0, 0});
       }},
      {"srv domain",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.srvs.push_back({"s", "tcp", v, "t.example", 1, 0, 0});
       }},
      {"srv target",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.srvs.push_back({"s", "tcp", "", v, 1, 0, 0});
       }},
      {"dns hostname",
       [](xml::NetworkDef* d, const std::string& v) {
         d->dns.hosts.push_back({Ip("192.168.122.5"), {"ok", v}});
       }},
      {"dhcp host name",
       [](xml::NetworkDef* d, const std::string& v) {
         d->ips[0].hosts.push_back(Host("52:54:00:00:00:09", v.c_str(), "192.168.122.9"));
         d->ips[0].hosts.back().name = v;
       }},
      {"dhcp host mac",
       [](xml::NetworkDef* d, const std::string& v) {
         d->ips[0].hosts.push_back(Host("", "h", "192.168.122.9"));
         d->ips[0].hosts.back().mac = v;
       }},
      {"dhcpv6 host id",
       [](xml::NetworkDef* d, const std::string& v) {
         xml::IpDef v6 = Ipv6("2001:db8::1", 64);
         v6.hosts.push_back(Host6("", "h", "2001:db8::9"));
         v6.hosts.back().id = v;
         d->ips.push_back(v6);
       }},
      {"tftp root", [](xml::NetworkDef* d, const std::string& v) { d->ips[0].tftp_root = v; }},
      {"bootp file",
       [](xml::NetworkDef* d, const std::string& v) {
         d->ips[0].bootp = xml::Bootp{v, {}};
       }},
      {"dnsmasq option",
       [](xml::NetworkDef* d, const std::string& v) { d->dnsmasq_options.push_back(v); }},
  };
}

xml::NetworkDef Base() {
  xml::NetworkDef def = Network("n", xml::ForwardMode::kNat, "virbr0");
  xml::IpDef v4 = Ipv4("192.168.122.1", "255.255.255.0");
  v4.ranges.push_back(Range("192.168.122.2", "192.168.122.254"));
  def.ips.push_back(v4);
  return def;
}

DnsmasqFacts Facts() {
  DnsmasqFacts facts;
  facts.paths = MakeDnsmasqPaths("/var/lib/virtnat/dnsmasq", "/run/virtnat", "n");
  return facts;
}

// For every field and every hostile value: the plan is refused, or each file
// has exactly as many lines as with a harmless value and every line is well
// formed.
TEST(DnsmasqSafetyTest, NoValueAddsALine) {
  size_t refused = 0;
  size_t accepted = 0;
  for (const Field& field : Fields()) {
    xml::NetworkDef benign = Base();
    field.set(&benign, "ok");
    Result<DnsmasqPlan> reference = PlanDnsmasq(benign, Facts());
    ASSERT_TRUE(reference.ok()) << field.name << ": " << reference.error().message;
    for (const std::string& value : HostileValues()) {
      SCOPED_TRACE(std::string(field.name) + " = " + value.substr(0, 40));
      xml::NetworkDef def = Base();
      field.set(&def, value);
      Result<DnsmasqPlan> plan = PlanDnsmasq(def, Facts());
      if (!plan.ok()) {
        EXPECT_TRUE(plan.error().code == VIR_ERR_CONFIG_UNSUPPORTED ||
                    plan.error().code == VIR_ERR_INTERNAL_ERROR)
            << plan.error().message;
        EXPECT_EQ(plan.error().message.find('\n'), std::string::npos);
        ++refused;
        continue;
      }
      ++accepted;
      EXPECT_EQ(CountLines(plan->conf), CountLines(reference->conf));
      EXPECT_EQ(CountLines(plan->hosts_file), CountLines(reference->hosts_file));
      EXPECT_EQ(CountLines(plan->addn_hosts), CountLines(reference->addn_hosts));
      ExpectWellFormed(plan->conf, FileKind::kFgets);
      ExpectWellFormed(plan->hosts_file, FileKind::kFgets);
      ExpectWellFormed(plan->addn_hosts, FileKind::kAddnHosts);
    }
  }
  // Control characters and over-long lines are refused everywhere.
  EXPECT_GE(refused, Fields().size() * 9);
  EXPECT_GT(accepted, 0u);
}

TEST(DnsmasqSafetyTest, NewlineInNameIsRefusedWithClearMessage) {
  xml::NetworkDef def = Base();
  def.name = "net\ndhcp-script=/bin/sh";
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, Facts());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, VIR_ERR_CONFIG_UNSUPPORTED);
  EXPECT_EQ(plan.error().message,
            "unsupported configuration: network name 'net\\x0adhcp-script=/bin/sh' contains a "
            "newline, which dnsmasq cannot take in this place");
}

TEST(DnsmasqSafetyTest, FieldSeparatorsRefusedOnlyWhereTheySplitFields) {
  // A comma in a TXT value makes dnsmasq serve several strings, as libvirt
  // writes it; it stays one line.
  xml::NetworkDef txt = Base();
  txt.dns.txts.push_back({"t", "v=spf1 a,b"});
  Result<DnsmasqPlan> plan = PlanDnsmasq(txt, Facts());
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->conf.find("\ntxt-record=t,v=spf1 a,b\n"), std::string::npos);

  // In a DHCP host name it would add a dhcp-host field ("ignore" drops the
  // MAC, "set:tag" tags it): refused.
  xml::NetworkDef host = Base();
  host.ips[0].hosts.push_back(Host("52:54:00:00:00:09", "h,ignore", "192.168.122.9"));
  plan = PlanDnsmasq(host, Facts());
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message.find("DHCP host name 'h,ignore' contains ','"), std::string::npos);

  // A comma after the TFTP root would name an interface.
  xml::NetworkDef tftp = Base();
  tftp.ips[0].tftp_root = "/srv/tftp,eth0";
  EXPECT_FALSE(PlanDnsmasq(tftp, Facts()).ok());
  // Spaces in paths are fine.
  tftp.ips[0].tftp_root = "/srv/my tftp";
  EXPECT_TRUE(PlanDnsmasq(tftp, Facts()).ok());
}

TEST(DnsmasqSafetyTest, CheckDnsmasqLines) {
  EXPECT_TRUE(CheckDnsmasqLines("f", "a\nb\n").ok());
  EXPECT_TRUE(CheckDnsmasqLines("f", std::string(kMaxDnsmasqLine, 'x') + "\n").ok());
  EXPECT_FALSE(CheckDnsmasqLines("f", std::string(kMaxDnsmasqLine + 1, 'x') + "\n").ok());
  EXPECT_FALSE(CheckDnsmasqLines("f", "a\rb\n").ok());
  EXPECT_TRUE(CheckDnsmasqLines("f", "10.0.0.1\ta\t\n").ok());
}

TEST(DnsmasqSafetyTest, Paths) {
  // The files are named after the network: no way out of their directory.
  xml::NetworkDef escape = Base();
  escape.name = "../../etc/cron.d/x";
  Result<DnsmasqPlan> plan = PlanDnsmasq(escape, Facts());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, VIR_ERR_CONFIG_UNSUPPORTED);

  DnsmasqFacts facts = Facts();
  facts.paths.hosts_file = "/tmp/x\nuser=root";
  EXPECT_FALSE(PlanDnsmasq(Base(), facts).ok());
  facts = Facts();
  facts.paths.pid_file = "/tmp/x\ruser=root";
  EXPECT_FALSE(PlanDnsmasq(Base(), facts).ok());
  // Names reach file names XML-escaped as libvirt does; a newline there is
  // still refused when the path is written into the configuration.
  DnsmasqPaths paths = MakeDnsmasqPaths("/d", "/r", "a\nb");
  facts = Facts();
  facts.paths = paths;
  EXPECT_FALSE(PlanDnsmasq(Base(), facts).ok());
}

}  // namespace
}  // namespace virtnat::driver
