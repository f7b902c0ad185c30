#include "driver/state/status_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "driver/os/process.h"
#include "driver/os/process_identity.h"
#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::Entries;
using virtnat::testing::ReadAll;
using virtnat::testing::TempDir;
using virtnat::testing::WriteAll;

StatusRecord Sample(const std::string& name) {
  StatusRecord r;
  r.name = name;
  r.live_xml = "<network>\n  <name>" + name +
               "</name>\n  <forward mode='nat'>\n    <nat>\n      <port start='1024' "
               "end='65535'/>\n    </nat>\n  </forward>\n  <description>a &amp; \"b\"\r\n"
               "</description>\n</network>\n";
  r.bridge = "virbr3";
  r.addresses = {{*IpAddress::Parse("192.168.122.1"), 24}, {*IpAddress::Parse("2001:db8::1"), 64}};
  r.firewall = "table inet virtnat handle 7\nchain fwd-virbr3 handle 12";
  r.dnsmasq = DnsmasqStatus{
      .pid = 4242,
      .start_time = 123456789012ULL,
      .cmdline = {"/usr/sbin/dnsmasq", "--conf-file=/var/lib/virtnat/dnsmasq/" + name + ".conf", "",
                  "  ", "tab\there", "quote'\"<&>"}};
  r.files = {"/var/lib/virtnat/dnsmasq/" + name + ".conf",
             "/var/lib/virtnat/dnsmasq/" + name + ".hostsfile"};
  r.extra = {{"sysctl.disable_ipv6", "0"}, {"empty", ""}};
  return r;
}

TEST(StatusRecordTest, RoundTripsEveryString) {
  StatusRecord r = Sample("net");
  Result<std::string> text = FormatStatusRecord(r);
  ASSERT_TRUE(text.ok()) << text.status().message();
  Result<StatusRecord> back = ParseStatusRecord(*text, "test");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
}

TEST(StatusRecordTest, WithoutDnsmasq) {
  StatusRecord r = Sample("iso");
  r.dnsmasq.reset();
  r.addresses.clear();
  r.extra.clear();
  r.firewall.clear();
  Result<std::string> text = FormatStatusRecord(r);
  ASSERT_TRUE(text.ok());
  Result<StatusRecord> back = ParseStatusRecord(*text, "test");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(back->dnsmasq.has_value());
}

TEST(StatusRecordTest, RefusesWhatCannotBeStored) {
  StatusRecord r = Sample("n");
  r.firewall = std::string("a\x01", 2);
  EXPECT_FALSE(FormatStatusRecord(r).ok());
  r = Sample("n");
  r.dnsmasq->pid = 0;
  EXPECT_FALSE(FormatStatusRecord(r).ok());
  r = Sample("n");
  r.live_xml.clear();
  EXPECT_FALSE(FormatStatusRecord(r).ok());
  r = Sample("n");
  r.addresses.push_back(InterfaceAddress{});
  EXPECT_FALSE(FormatStatusRecord(r).ok());
}

// Addresses are written "ADDRESS/PREFIX" and parsed when the record is
// read; one that does not parse makes the record malformed.
TEST(StatusRecordTest, AddressesAreParsedWhenRead) {
  const std::string good = *FormatStatusRecord(Sample("n"));
  EXPECT_NE(good.find("<address value='192.168.122.1/24'/>"), std::string::npos) << good;
  EXPECT_NE(good.find("<address value='2001:db8::1/64'/>"), std::string::npos) << good;
  std::string spelled = good;
  spelled.replace(spelled.find("2001:db8::1/64"), 14, "2001:0db8:0::1/64");
  Result<StatusRecord> back = ParseStatusRecord(spelled, "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->addresses, Sample("n").addresses);
  for (const char* bad : {"192.168.122.1", "192.168.122.1/", "192.168.122.1/33", "2001:db8::1/129",
                          "bogus/24", "192.168.122.1/24x"}) {
    std::string text = good;
    text.replace(text.find("192.168.122.1/24"), 16, bad);
    Result<StatusRecord> parsed = ParseStatusRecord(text, "t");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message(),
              "internal error: malformed status record 't': invalid "
              "address '" +
                  std::string(bad) + "'");
  }
}

TEST(StatusRecordTest, RejectsMalformedDocuments) {
  const std::string good = *FormatStatusRecord(Sample("n"));
  EXPECT_FALSE(ParseStatusRecord(good.substr(0, good.size() / 2), "t").ok());
  EXPECT_FALSE(ParseStatusRecord("<networkstatus/>", "t").ok());
  std::string bad_pid = good;
  bad_pid.replace(bad_pid.find("pid='4242'"), 10, "pid='-1'");
  EXPECT_FALSE(ParseStatusRecord(bad_pid, "t").ok());
  std::string version = good;
  version.replace(version.find("version='1'"), 11, "version='2'");
  EXPECT_FALSE(ParseStatusRecord(version, "t").ok());
}

TEST(StatusStoreTest, WriteLoadRemove) {
  TempDir tmp;
  StatusStore store(tmp / "run");
  ASSERT_TRUE(store.Write(Sample("b")).ok());
  ASSERT_TRUE(store.Write(Sample("a")).ok());
  StatusRecord changed = Sample("a");
  changed.bridge = "virbr9";
  ASSERT_TRUE(store.Write(changed).ok());
  EXPECT_EQ(Entries(tmp / "run"), (std::vector<std::string>{"a.status", "b.status"}));
  struct stat st;
  ASSERT_EQ(stat(store.PathFor("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  Result<LoadedStatus> loaded = StatusStore(tmp / "run").LoadAll();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->problems.empty());
  ASSERT_EQ(loaded->records.size(), 2u);
  EXPECT_EQ(loaded->records[0], changed);
  EXPECT_EQ(loaded->records[1], Sample("b"));

  ASSERT_TRUE(store.Remove("a").ok());
  ASSERT_TRUE(store.Remove("a").ok());
  EXPECT_EQ(Entries(tmp / "run"), std::vector<std::string>{"b.status"});
}

TEST(StatusStoreTest, BrokenRecordsAreReportedAndSkipped) {
  TempDir tmp;
  StatusStore store(tmp.path());
  ASSERT_TRUE(store.Write(Sample("good")).ok());
  const std::string text = ReadAll(store.PathFor("good"));
  WriteAll(tmp / "cut.status", text.substr(0, text.size() / 3));
  WriteAll(tmp / "empty.status", "");
  WriteAll(tmp / "renamed.status", text);
  WriteAll(tmp / ".good.status.virtnat-tmp.0011223344556677", text.substr(0, 10));
  WriteAll(tmp / "good.pid", "4242\n");

  Result<LoadedStatus> loaded = store.LoadAll();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->records.size(), 1u);
  EXPECT_EQ(loaded->records[0].name, "good");
  ASSERT_EQ(loaded->problems.size(), 3u);
  EXPECT_EQ(loaded->problems[0].rfind(tmp / "cut.status: ", 0), 0u) << loaded->problems[0];
  EXPECT_EQ(loaded->problems[1].rfind(tmp / "empty.status: ", 0), 0u) << loaded->problems[1];
  EXPECT_EQ(loaded->problems[2], tmp /
                                     "renamed.status: record of network 'good' but the file "
                                     "is named after 'renamed'");
  EXPECT_EQ(Entries(tmp.path()), (std::vector<std::string>{"cut.status", "empty.status", "good.pid",
                                                           "good.status", "renamed.status"}));
}

TEST(StatusStoreTest, MissingRunDirectoryHoldsNothing) {
  TempDir tmp;
  Result<LoadedStatus> loaded = StatusStore(tmp / "none").LoadAll();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->records.empty());
}

TEST(ProcessIdentityTest, ParsesStartTimeAfterOddCommandNames) {
  // Field 2 may contain spaces and ")"; field 22 is counted after the last ')'.
  std::string stat =
      "77 (a) b (c)) S 1 77 77 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
      "1000 200";
  Result<uint64_t> start = ParseStartTime(stat);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(*start, 987654u);
  EXPECT_FALSE(ParseStartTime("garbage").ok());
  EXPECT_FALSE(ParseStartTime("1 (x) S 1 2").ok());
}

TEST(ProcessIdentityTest, DetectsPidReuse) {
  Result<SpawnedChild> child =
      Spawn({.path = "/usr/bin/sleep", .argv = {"sleep", "30"}, .env = {}});
  ASSERT_TRUE(child.ok()) << child.status().message();
  pid_t pid = child->process.pid();
  struct Killer {
    const Pidfd& p;
    ~Killer() {
      (void)p.Signal(SIGKILL);
      (void)p.Reap(true);
    }
  } killer{child->process};

  // Until the child has exec'd, /proc shows no command line yet.
  Result<ProcessIdentity> id = ReadProcessIdentity(pid);
  for (int i = 0; i < 200 && (!id.ok() || id->cmdline.empty()); ++i) {
    usleep(10 * 1000);
    id = ReadProcessIdentity(pid);
  }
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->cmdline, (std::vector<std::string>{"sleep", "30"}));
  EXPECT_GT(id->start_time, 0u);

  // Recorded in a status record and read back, the identity still matches.
  StatusRecord r = Sample("n");
  r.dnsmasq = DnsmasqStatus{.pid = pid, .start_time = id->start_time, .cmdline = id->cmdline};
  Result<StatusRecord> back = ParseStatusRecord(*FormatStatusRecord(r), "t");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(
      ProcessMatches(back->dnsmasq->pid, back->dnsmasq->start_time, back->dnsmasq->cmdline));

  // The same pid with another start time is another process.
  EXPECT_FALSE(ProcessMatches(pid, id->start_time + 1, id->cmdline));
  EXPECT_FALSE(ProcessMatches(pid, id->start_time, {"sleep", "31"}));
  EXPECT_FALSE(ProcessMatches(pid, id->start_time, {"sleep"}));

  ASSERT_TRUE(child->process.Signal(SIGKILL).ok());
  ASSERT_TRUE(child->process.Reap(true).has_value());
  EXPECT_FALSE(ProcessMatches(pid, id->start_time, id->cmdline));
}

}  // namespace
}  // namespace virtnat::driver
