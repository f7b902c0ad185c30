#include "driver/check/host_check.h"

#include <gtest/gtest.h>

namespace virtnat::driver {
namespace {

HostCheckFacts HealthyHost() {
  HostCheckFacts f;
  f.root = true;
  f.cap_net_admin = true;
  f.dnsmasq_binary = "dnsmasq";
  f.dnsmasq_path = "/usr/sbin/dnsmasq";
  f.dnsmasq_version = "2.89";
  f.ip_forward = false;
  f.ip_forward_writable = true;
  return f;
}

const CheckLine& LineAbout(const std::vector<CheckLine>& lines, const std::string& what) {
  for (const CheckLine& line : lines) {
    if (line.what.find(what) != std::string::npos) return line;
  }
  static const CheckLine kMissing{"(missing)", CheckOutcome::kFail, ""};
  ADD_FAILURE() << "no check about " << what;
  return kMissing;
}

TEST(HostCheckTest, AHealthyHostPassesEveryCheck) {
  std::vector<CheckLine> lines = JudgeHost(HealthyHost());
  EXPECT_EQ(lines.size(), 9u);
  for (const CheckLine& line : lines) EXPECT_EQ(line.outcome, CheckOutcome::kPass) << line.what;
  EXPECT_EQ(CheckExitCode(lines), 0);
  EXPECT_EQ(LineAbout(lines, "dnsmasq").note, "/usr/sbin/dnsmasq version 2.89");
}

TEST(HostCheckTest, AMissingDnsmasqFailsWithTheFix) {
  HostCheckFacts f = HealthyHost();
  f.dnsmasq_path.clear();
  f.dnsmasq_version.clear();
  std::vector<CheckLine> lines = JudgeHost(f);
  const CheckLine& line = LineAbout(lines, "dnsmasq");
  EXPECT_EQ(line.outcome, CheckOutcome::kFail);
  EXPECT_NE(line.note.find("apt-get install dnsmasq-base"), std::string::npos) << line.note;
  EXPECT_EQ(CheckExitCode(lines), 1);
}

TEST(HostCheckTest, WithoutPrivilegeItFails) {
  HostCheckFacts f = HealthyHost();
  f.root = f.cap_net_admin = false;
  std::vector<CheckLine> lines = JudgeHost(f);
  EXPECT_EQ(LineAbout(lines, "root or CAP_NET_ADMIN").outcome, CheckOutcome::kFail);
  f.cap_net_admin = true;
  EXPECT_EQ(LineAbout(JudgeHost(f), "root or CAP_NET_ADMIN").note, "CAP_NET_ADMIN");
}

TEST(HostCheckTest, WithoutPrivilegeTheKernelChecksSayTheyWereNotMade) {
  HostCheckFacts f = HealthyHost();
  f.root = f.cap_net_admin = false;
  f.bridge_support = MakeError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_NETWORK, "Operation not permitted");
  std::vector<CheckLine> lines = JudgeHost(f);
  const CheckLine& line = LineAbout(lines, "kernel bridge support");
  EXPECT_EQ(line.outcome, CheckOutcome::kWarn);
  EXPECT_EQ(line.note, "not checked: the kernel answers only root (run --check as root)");
  f.root = true;
  EXPECT_EQ(LineAbout(JudgeHost(f), "kernel bridge support").outcome, CheckOutcome::kFail);
}

TEST(HostCheckTest, ProblemsThatDoNotStopTheDaemonAreWarnings) {
  HostCheckFacts f = HealthyHost();
  f.accept_ra_at_risk = {"eth0"};
  f.foreign_drops = {"table ip filter chain FORWARD has policy drop"};
  f.libvirt_conflicts = {"network 'default' is defined in libvirt and in virtnatd"};
  std::vector<CheckLine> lines = JudgeHost(f);
  EXPECT_EQ(LineAbout(lines, "accept_ra").outcome, CheckOutcome::kWarn);
  EXPECT_EQ(LineAbout(lines, "other firewalls").outcome, CheckOutcome::kWarn);
  EXPECT_EQ(LineAbout(lines, "libvirt").outcome, CheckOutcome::kWarn);
  EXPECT_EQ(CheckExitCode(lines), 0);
}

TEST(HostCheckTest, AReadOnlyForwardingSwitchThatIsOffFails) {
  HostCheckFacts f = HealthyHost();
  f.ip_forward_writable = false;
  EXPECT_EQ(LineAbout(JudgeHost(f), "forwarding").outcome, CheckOutcome::kFail);
  f.ip_forward = true;
  EXPECT_EQ(LineAbout(JudgeHost(f), "forwarding").outcome, CheckOutcome::kPass);
}

TEST(HostCheckTest, LinesAreRenderedAsVirtHostValidateDoes) {
  std::string text = RenderCheck({CheckLine{"dnsmasq", CheckOutcome::kPass, "2.89"},
                                  CheckLine{"x", CheckOutcome::kFail, "do y"}});
  EXPECT_EQ(text,
            "virtnatd: Checking dnsmasq                                  : PASS (2.89)\n"
            "virtnatd: Checking x                                        : FAIL (do y)\n");
}

}  // namespace
}  // namespace virtnat::driver
