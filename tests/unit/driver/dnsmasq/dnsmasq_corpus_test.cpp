// libvirt's networkxml2conftest corpus: every networkxml2confdata case is
// parsed, planned with libvirt's file names and compared with libvirt's
// .conf and .hostsfile byte for byte. Cases that cannot match are listed in
// kKnownDifferences with tests/data/dnsmasq/known-differences.md giving the
// reason; everything else about them is still compared.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "driver/dnsmasq/dnsmasq_config.h"
#include "tests/support/dnsmasq_test_util.h"
#include "xml/network_parse.h"
#include "xml/network_validate.h"

namespace virtnat::driver {
namespace {

using testing::ConfData;

// The 27 cases of libvirt's tests/networkxml2conftest.c.
const char* const kCases[] = {
    "isolated-network",
    "netboot-network",
    "netboot-proxy-network",
    "netboot-tftp",
    "nat-network-dns-srv-record-minimal",
    "nat-network-name-with-quotes",
    "routed-network",
    "routed-network-no-dns",
    "open-network",
    "nat-network",
    "nat-network-dns-txt-record",
    "nat-network-dns-srv-record",
    "nat-network-dns-hosts",
    "nat-network-dns-forward-plain",
    "nat-network-dns-forwarders",
    "nat-network-dns-forwarder-no-resolv",
    "nat-network-dns-local-domain",
    "nat-network-mtu",
    "dhcp6-network",
    "dhcp6-nat-network",
    "dhcp6host-routed-network",
    "ptr-domains-auto",
    "dnsmasq-options",
    "leasetime-seconds",
    "leasetime-minutes",
    "leasetime-hours",
    "leasetime-infinite",
};

// Case -> what differs (see known-differences.md). Empty: all 27 match.
const std::map<std::string, std::string> kKnownDifferences = {};

struct Outcome {
  bool planned = false;
  std::string error;
  std::string conf;
  std::string hosts_file;
  std::string addn_hosts;
  std::vector<std::string> argv;
};

Outcome PlanCase(const std::string& name) {
  Outcome out;
  Result<xml::NetworkDef> def = xml::ParseNetworkXml(ConfData(name + ".xml"));
  if (!def.ok()) {
    out.error = "parse: " + def.error().message;
    return out;
  }
  DnsmasqFacts facts;
  facts.paths = MakeDnsmasqPaths("/var/lib/libvirt/dnsmasq", "/run/libvirt/network", def->name);
  facts.paths.pid_file.clear();  // libvirt's test renders without a pid file
  Result<DnsmasqPlan> plan = PlanDnsmasq(*def, facts);
  if (!plan.ok()) {
    out.error = "plan: " + plan.error().message;
    return out;
  }
  out.planned = true;
  out.conf = plan->conf;
  out.hosts_file = plan->hosts_file;
  out.addn_hosts = plan->addn_hosts;
  out.argv = plan->argv;
  return out;
}

// A missing .hostsfile means libvirt produced no hosts at all.
bool Matches(const std::string& name, const Outcome& out) {
  return out.planned && out.conf == ConfData(name + ".conf") &&
         out.hosts_file == ConfData(name + ".hostsfile");
}

class DnsmasqCorpusTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DnsmasqCorpusTest, MatchesLibvirt) {
  const std::string name = GetParam();
  ASSERT_FALSE(ConfData(name + ".conf").empty()) << "corpus file missing for " << name;
  Outcome out = PlanCase(name);
  ASSERT_TRUE(out.planned) << out.error;
  if (kKnownDifferences.count(name)) {
    // Listed: must still differ, or the list is stale.
    EXPECT_FALSE(Matches(name, out)) << name << " now matches; drop it from the list";
    return;
  }
  EXPECT_EQ(out.conf, ConfData(name + ".conf"));
  EXPECT_EQ(out.hosts_file, ConfData(name + ".hostsfile"));
}

// libvirt's test does not check addn-hosts; virtnat's golden files do
// (tests/data/dnsmasq/NAME.addnhosts, absent: no DNS host). UPDATE_GOLDEN=1
// rewrites them for review.
TEST_P(DnsmasqCorpusTest, AddnHostsGolden) {
  const std::string name = GetParam();
  Outcome out = PlanCase(name);
  ASSERT_TRUE(out.planned) << out.error;
  const std::string path = std::string(VIRTNAT_TEST_DATA_DIR) + "/dnsmasq/" + name + ".addnhosts";
  if (std::getenv("UPDATE_GOLDEN") && !out.addn_hosts.empty()) {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(out.addn_hosts.c_str(), f);
    std::fclose(f);
  }
  EXPECT_EQ(out.addn_hosts, testing::ReadFileOrEmpty(path));
}

INSTANTIATE_TEST_SUITE_P(Confdata, DnsmasqCorpusTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string id = info.param;
                           for (char& c : id) {
                             if (c == '-') c = '_';
                           }
                           return id;
                         });

TEST(DnsmasqCorpusSummary, CountsMatches) {
  size_t matched = 0;
  for (const char* name : kCases) matched += Matches(name, PlanCase(name));
  const size_t total = std::size(kCases);
  std::printf(
      "dnsmasq corpus: %zu of %zu networkxml2confdata cases match libvirt byte for byte"
      " (%zu listed in known-differences.md)\n",
      matched, total, kKnownDifferences.size());
  EXPECT_EQ(matched + kKnownDifferences.size(), total);
}

// Runs `dnsmasq --test` on the generated configuration with virtnat's
// command line: dnsmasq 2.90 itself must accept every file (syntax only; no
// privileges, no sockets).
int DnsmasqSyntaxCheck(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(DnsmasqCorpusSyntax, DnsmasqAcceptsEveryConfiguration) {
  ASSERT_EQ(access("/usr/sbin/dnsmasq", X_OK), 0) << "dnsmasq is a test dependency";
  char dir_template[] = "/tmp/virtnat-dnsmasq-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  for (const char* name : kCases) {
    // libvirt's own sample options ("foo=bar") are not valid dnsmasq options.
    if (std::string(name) == "dnsmasq-options") continue;
    SCOPED_TRACE(name);
    Result<xml::NetworkDef> def = xml::ParseNetworkXml(ConfData(std::string(name) + ".xml"));
    ASSERT_TRUE(def.ok());
    DnsmasqFacts facts;
    facts.paths = MakeDnsmasqPaths(dir, dir, "case");
    facts.user = "nobody";
    Result<DnsmasqPlan> plan = PlanDnsmasq(*def, facts);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    FILE* f = std::fopen(facts.paths.conf_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(plan->conf.c_str(), f);
    std::fclose(f);
    std::vector<std::string> argv = plan->argv;
    argv.push_back("--test");
    EXPECT_EQ(DnsmasqSyntaxCheck(argv), 0) << plan->conf;
  }
  std::filesystem::remove_all(dir);
}

// Beyond libvirt's conf corpus: every definition of the xml2xml corpus that
// virtnat realizes (nat, route, open, isolated) and that parses and
// validates gets a plan, and dnsmasq accepts its configuration.
TEST(DnsmasqCorpusSyntax, EveryRealizableXml2XmlInputPlans) {
  char dir_template[] = "/tmp/virtnat-dnsmasq-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  size_t planned = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(VIRTNAT_TESTDATA) / "networkxml2xmlin")) {
    const std::string name = entry.path().stem();
    SCOPED_TRACE(name);
    Result<xml::NetworkDef> def =
        xml::ParseNetworkXml(testing::ReadFileOrEmpty(entry.path().string()));
    if (!def.ok() || !xml::HasManagedBridge(def->forward.mode) ||
        !xml::ValidateNetworkDef(*def).ok()) {
      continue;
    }
    DnsmasqFacts facts;
    facts.paths = MakeDnsmasqPaths(dir, dir, "case");
    Result<DnsmasqPlan> plan = PlanDnsmasq(*def, facts);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    ++planned;
    if (name == "dnsmasq-options") continue;  // libvirt's sample "foo=bar"
    FILE* f = std::fopen(facts.paths.conf_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(plan->conf.c_str(), f);
    std::fclose(f);
    std::vector<std::string> argv = plan->argv;
    argv.push_back("--test");
    EXPECT_EQ(DnsmasqSyntaxCheck(argv), 0) << plan->conf;
  }
  std::filesystem::remove_all(dir);
  std::printf("dnsmasq: %zu realizable networkxml2xmlin definitions planned\n", planned);
  EXPECT_GE(planned, 25u);
}

}  // namespace
}  // namespace virtnat::driver
