// The monitor against a real kernel, inside a namespace each test creates
// and deletes: changes made by the `nft` tool (another process, as a foreign
// tool would be) reach the callback within a second, batched, naming the
// table; the drift check then lists what is gone.

#include "driver/drift/nft_monitor.h"

#include <glib.h>
#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "common/glib_handle.h"
#include "driver/drift/firewall_audit.h"
#include "driver/drift/nft_dump.h"
#include "driver/firewall/nft_ptr.h"
#include "driver/firewall/nft_socket.h"
#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using std::chrono::milliseconds;
using virtnat::testing::NetNs;
using virtnat::testing::RunCommand;
using virtnat::testing::ShellQuote;

constexpr const char* kRuleset = R"(
table inet virtnat {
  chain forward {
    type filter hook forward priority 0; policy accept;
    oifname "vnbr0" jump vnbr0_in
  }
  chain vnbr0_in {
    ct state established,related accept
    reject
  }
}
table ip other {
  chain c { counter; }
}
)";

constexpr milliseconds kSecond(1000);

const std::vector<ExpectedNftChain> kExpected = {
    {NFPROTO_INET, "virtnat", "forward", 1},
    {NFPROTO_INET, "virtnat", "vnbr0_in", 2},
};

// Iterates `context` until `done` holds or `timeout` passes.
bool IterateUntil(GMainContext* context, const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (!g_main_context_iteration(context, FALSE)) g_usleep(2000);
  }
  return true;
}

// Runs `command` in the calling thread's namespace (the test's).
void Nft(const std::string& command) {
  auto r = RunCommand(command);
  ASSERT_EQ(r.exit_status, 0) << command << ": " << r.output;
}

// Adds or deletes `table ip mine` in one batch sent through `sock`, as the
// driver's own firewall socket would.
void ChangeTableThroughSocket(NftSocket& sock, uint16_t type) {
  static uint32_t seq = 1;
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  mnl_nlmsg_batch* batch = mnl_nlmsg_batch_start(buf.data(), buf.size());
  nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch)), seq++);
  mnl_nlmsg_batch_next(batch);
  NftnlTablePtr table(nftnl_table_alloc());
  nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, "mine");
  nlmsghdr* nlh = nftnl_table_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch)),
                                              type, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_ACK, seq++);
  nftnl_table_nlmsg_build_payload(nlh, table.get());
  mnl_nlmsg_batch_next(batch);
  nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch)), seq++);
  mnl_nlmsg_batch_next(batch);
  iovec message{mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch)};
  mnl_nlmsg_batch_stop(batch);
  ASSERT_EQ(sock.Send({&message, 1}), 0);
  // The kernel handles a batch inside sendmsg(): the ack is queued.
  size_t n = 0;
  bool truncated = false;
  ASSERT_EQ(sock.ReceiveQueued(buf, &n, &truncated), 0);
  ASSERT_GT(n, 0u);
  const auto* reply = reinterpret_cast<const nlmsghdr*>(buf.data());
  ASSERT_EQ(reply->nlmsg_type, NLMSG_ERROR);
  EXPECT_EQ(static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(reply))->error, 0);
}

class NftMonitorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ns_.ok());
    auto r = ns_.Exec("nft -f - <<'EOF'\n" + std::string(kRuleset) + "EOF");
    ASSERT_EQ(r.exit_status, 0) << r.output;
  }

  // Starts a monitor in the namespace, runs `change` there, and returns
  // every batch that arrived within `wait` after the first one (or within
  // a second if none did).
  std::vector<NftChanges> Observe(const std::string& change, milliseconds wait) {
    std::vector<NftChanges> batches;
    ns_.Run([&] {
      GMainContextPtr context(g_main_context_new());
      auto monitor =
          NftMonitor::Start(context.get(), [&](const NftChanges& c) { batches.push_back(c); });
      ASSERT_TRUE(monitor.ok()) << monitor.error().message;
      const auto start = std::chrono::steady_clock::now();
      Nft(change);
      bool fired = IterateUntil(
          context.get(), [&] { return !batches.empty(); }, kSecond);
      EXPECT_TRUE(fired) << "no change reported within a second of: " << change;
      if (fired) {
        latency_ =
            std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
      }
      IterateUntil(
          context.get(), [] { return false; }, wait);
    });
    return batches;
  }

  NetNs ns_{"nftmon"};
  milliseconds latency_{0};
};

TEST_F(NftMonitorIntegrationTest, DeletedTableIsReportedAndItsChainsAreMissing) {
  auto batches = Observe("nft delete table inet virtnat", milliseconds(200));
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].tables,
            (std::vector<NftTableChange>{{NFPROTO_INET, "virtnat", /*deleted=*/true}}));
  EXPECT_FALSE(batches[0].lost_events);
  EXPECT_LT(latency_.count(), 1000);
  ns_.Run([&] {
    auto drift = CheckChains(kExpected);
    ASSERT_TRUE(drift.ok()) << drift.error().message;
    ASSERT_EQ(drift->size(), 2u);
    EXPECT_EQ(DescribeDrift((*drift)[0]), "chain inet virtnat forward is missing");
    EXPECT_EQ(DescribeDrift((*drift)[1]), "chain inet virtnat vnbr0_in is missing");
  });
}

TEST_F(NftMonitorIntegrationTest, FlushRulesetIsOneBatchNamingEveryTable) {
  auto batches = Observe("nft flush ruleset", milliseconds(300));
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].tables, (std::vector<NftTableChange>{{NFPROTO_INET, "virtnat", true},
                                                            {NFPROTO_IPV4, "other", true}}));
}

TEST_F(NftMonitorIntegrationTest, FlushedChainIsAChangeAndTheCheckCountsRules) {
  ns_.Run([&] {
    auto drift = CheckChains(kExpected);
    ASSERT_TRUE(drift.ok()) << drift.error().message;
    EXPECT_TRUE(drift->empty()) << DescribeDrift(drift->front());
  });
  auto batches = Observe("nft flush chain inet virtnat vnbr0_in", milliseconds(200));
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].tables, (std::vector<NftTableChange>{{NFPROTO_INET, "virtnat", false}}));
  ns_.Run([&] {
    auto drift = CheckChains(kExpected);
    ASSERT_TRUE(drift.ok()) << drift.error().message;
    ASSERT_EQ(drift->size(), 1u);
    EXPECT_EQ(DescribeDrift((*drift)[0]), "chain inet virtnat vnbr0_in has 0 of 2 rules");
  });
}

TEST_F(NftMonitorIntegrationTest, RecreatedTableIsReportedAsChanged) {
  auto batches =
      Observe("nft " + ShellQuote("delete table ip other; add table ip other"), milliseconds(200));
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].tables, (std::vector<NftTableChange>{{NFPROTO_IPV4, "other", false}}));
}

TEST_F(NftMonitorIntegrationTest, SeparateChangesMakeSeparateBatches) {
  std::vector<NftChanges> batches;
  ns_.Run([&] {
    GMainContextPtr context(g_main_context_new());
    auto monitor =
        NftMonitor::Start(context.get(), [&](const NftChanges& c) { batches.push_back(c); });
    ASSERT_TRUE(monitor.ok()) << monitor.error().message;
    Nft("nft add chain ip other d");
    EXPECT_TRUE(IterateUntil(
        context.get(), [&] { return batches.size() == 1; }, kSecond));
    Nft("nft delete table ip other");
    EXPECT_TRUE(IterateUntil(
        context.get(), [&] { return batches.size() == 2; }, kSecond));
    IterateUntil(
        context.get(), [] { return false; }, milliseconds(200));
  });
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].tables, (std::vector<NftTableChange>{{NFPROTO_IPV4, "other", false}}));
  EXPECT_EQ(batches[1].tables, (std::vector<NftTableChange>{{NFPROTO_IPV4, "other", true}}));
}

TEST_F(NftMonitorIntegrationTest, ChangesThroughAnIgnoredSocketAreNotReported) {
  std::vector<NftChanges> batches;
  ns_.Run([&] {
    GMainContextPtr context(g_main_context_new());
    auto monitor =
        NftMonitor::Start(context.get(), [&](const NftChanges& c) { batches.push_back(c); });
    ASSERT_TRUE(monitor.ok()) << monitor.error().message;
    Result<NftSocket> own = NftSocket::Open(0);
    ASSERT_TRUE(own.ok()) << own.error().message;
    // Not ignored yet: seen like anyone's change.
    ChangeTableThroughSocket(*own, NFT_MSG_NEWTABLE);
    EXPECT_TRUE(IterateUntil(
        context.get(), [&] { return batches.size() == 1; }, kSecond));
    (*monitor)->IgnoreChangesFrom(own->portid());
    ChangeTableThroughSocket(*own, NFT_MSG_DELTABLE);
    Nft("nft add chain ip other d");  // another process: reported
    EXPECT_TRUE(IterateUntil(
        context.get(), [&] { return batches.size() == 2; }, kSecond));
    IterateUntil(
        context.get(), [] { return false; }, milliseconds(200));
  });
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].tables, (std::vector<NftTableChange>{{NFPROTO_IPV4, "mine", false}}));
  EXPECT_EQ(batches[1].tables, (std::vector<NftTableChange>{{NFPROTO_IPV4, "other", false}}));
}

TEST_F(NftMonitorIntegrationTest, ChangesInAnotherNamespaceAreNotSeen) {
  std::vector<NftChanges> batches;
  ns_.Run([&] {
    GMainContextPtr context(g_main_context_new());
    auto monitor =
        NftMonitor::Start(context.get(), [&](const NftChanges& c) { batches.push_back(c); });
    ASSERT_TRUE(monitor.ok()) << monitor.error().message;
    NetNs other("nftmon-other");
    auto r = other.Exec("nft add table inet virtnat && nft delete table inet virtnat");
    EXPECT_EQ(r.exit_status, 0) << r.output;
    IterateUntil(
        context.get(), [] { return false; }, milliseconds(300));
  });
  EXPECT_TRUE(batches.empty());
}

TEST_F(NftMonitorIntegrationTest, DestroyingTheMonitorInItsCallbackIsSafe) {
  int calls = 0;
  ns_.Run([&] {
    GMainContextPtr context(g_main_context_new());
    std::unique_ptr<NftMonitor> monitor;
    auto started = NftMonitor::Start(context.get(), [&](const NftChanges&) {
      ++calls;
      monitor.reset();
    });
    ASSERT_TRUE(started.ok()) << started.error().message;
    monitor = std::move(*started);
    Nft("nft add chain ip other d");
    IterateUntil(
        context.get(), [&] { return calls > 0; }, kSecond);
    Nft("nft delete chain ip other d");
    IterateUntil(
        context.get(), [] { return false; }, milliseconds(200));
  });
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace virtnat::driver
