// DnsmasqUpdateAction against libvirt's reload/restart table
// (host-effects.md §4.5).
#include "driver/dnsmasq/dnsmasq_update.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/support/dnsmasq_test_util.h"

namespace virtnat::driver {
namespace {

using namespace testing;  // NOLINT: test builders

DnsmasqPlan Plan(const xml::NetworkDef& def) {
  DnsmasqFacts facts;
  facts.paths = MakeDnsmasqPaths("/var/lib/virtnat/dnsmasq", "/run/virtnat", def.name);
  Result<DnsmasqPlan> plan = PlanDnsmasq(def, facts);
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  return plan.ok() ? *plan : DnsmasqPlan{};
}

DnsmasqAction After(const xml::NetworkDef& before,
                    const std::function<void(xml::NetworkDef*)>& change) {
  xml::NetworkDef after = before;
  change(&after);
  return DnsmasqUpdateAction(Plan(before), Plan(after));
}

TEST(DnsmasqUpdateTest, FollowsLibvirtsReloadRestartTable) {
  const xml::NetworkDef nat = NatNetwork();
  EXPECT_EQ(After(nat, [](xml::NetworkDef*) {}), DnsmasqAction::kNone);
  EXPECT_EQ(After(nat,
                  [](xml::NetworkDef* d) {
                    d->dns.hosts.push_back({Ip("192.168.122.5"), {"alpha"}});
                  }),
            DnsmasqAction::kRefresh);
  EXPECT_EQ(After(nat,
                  [](xml::NetworkDef* d) {
                    d->ips[0].hosts.push_back(Host("52:54:00:00:00:07", "g", "192.168.122.7"));
                  }),
            DnsmasqAction::kRefresh);
  EXPECT_EQ(After(nat, [](xml::NetworkDef* d) { d->ips[0].hosts.pop_back(); }),
            DnsmasqAction::kRefresh);
  EXPECT_EQ(After(nat,
                  [](xml::NetworkDef* d) {
                    d->dns.txts.push_back({"t", "v"});
                  }),
            DnsmasqAction::kRestart);
  EXPECT_EQ(After(nat,
                  [](xml::NetworkDef* d) {
                    d->dns.srvs.push_back({"s", "tcp", "", "", 0, 0, 0});
                  }),
            DnsmasqAction::kRestart);
  EXPECT_EQ(After(nat, [](xml::NetworkDef* d) { d->domain.name = "example.com"; }),
            DnsmasqAction::kRestart);
  EXPECT_EQ(After(nat,
                  [](xml::NetworkDef* d) {
                    d->ips[0].ranges[0] = Range("192.168.122.100", "192.168.122.200");
                  }),
            DnsmasqAction::kRestart);
  EXPECT_EQ(After(nat, [](xml::NetworkDef* d) { d->bridge.name = "virbr7"; }),
            DnsmasqAction::kRestart);
  // A host on an <ip> without DHCP turns DHCP on: a new dhcp-range line.
  EXPECT_EQ(After(nat,
                  [](xml::NetworkDef* d) {
                    d->ips[0].ranges.clear();
                    d->ips[0].hosts.clear();
                    d->ips[1].hosts.push_back(Host("52:54:00:00:00:07", "g", "192.168.123.7"));
                  }),
            DnsmasqAction::kRestart);
}

TEST(DnsmasqUpdateTest, StartAndStop) {
  xml::NetworkDef plain = Network("n", xml::ForwardMode::kRoute, "virbr1");
  plain.ips.push_back(Ipv4("192.168.122.1", "255.255.255.0"));
  plain.dns.enable = xml::TriState::kNo;
  EXPECT_EQ(After(plain, [](xml::NetworkDef*) {}), DnsmasqAction::kNone);
  EXPECT_EQ(After(plain,
                  [](xml::NetworkDef* d) {
                    d->ips[0].ranges.push_back(Range("192.168.122.2", "192.168.122.9"));
                  }),
            DnsmasqAction::kStart);
  xml::NetworkDef with_dns = plain;
  with_dns.dns.enable = xml::TriState::kAbsent;
  EXPECT_EQ(After(with_dns, [](xml::NetworkDef* d) { d->dns.enable = xml::TriState::kNo; }),
            DnsmasqAction::kStop);
  EXPECT_STREQ(DnsmasqActionName(DnsmasqAction::kRefresh), "refresh");
}

}  // namespace
}  // namespace virtnat::driver
