// The monitor's pure half: nftables notifications (built here with libnftnl,
// as the kernel lays them out) reduced to per-table events, and the batching
// of events into table changes.

#include "driver/drift/nft_monitor.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <vector>

#include "driver/firewall/nft_ptr.h"

namespace virtnat::driver {
namespace {

class Message {
 public:
  Message(uint16_t type, uint8_t family) : buffer_(4096) {
    nlh_ = nftnl_nlmsg_build_hdr(buffer_.data(), type, family, 0, 1);
  }
  nlmsghdr* nlh() { return nlh_; }

 private:
  std::vector<char> buffer_;
  nlmsghdr* nlh_;
};

Message TableMessage(uint16_t type, uint8_t family, const char* name) {
  Message m(type, family);
  NftnlTablePtr table(nftnl_table_alloc());
  nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, name);
  nftnl_table_nlmsg_build_payload(m.nlh(), table.get());
  return m;
}

Message ChainMessage(uint16_t type, uint8_t family, const char* table, const char* name) {
  Message m(type, family);
  NftnlChainPtr chain(nftnl_chain_alloc());
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TABLE, table);
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_NAME, name);
  nftnl_chain_nlmsg_build_payload(m.nlh(), chain.get());
  return m;
}

Message RuleMessage(uint16_t type, uint8_t family, const char* table, const char* chain) {
  Message m(type, family);
  NftnlRulePtr rule(nftnl_rule_alloc());
  nftnl_rule_set_str(rule.get(), NFTNL_RULE_TABLE, table);
  nftnl_rule_set_str(rule.get(), NFTNL_RULE_CHAIN, chain);
  nftnl_rule_nlmsg_build_payload(m.nlh(), rule.get());
  return m;
}

Message SetMessage(uint16_t type, uint8_t family, const char* table, const char* name) {
  Message m(type, family);
  NftnlSetPtr set(nftnl_set_alloc());
  nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, table);
  nftnl_set_set_str(set.get(), NFTNL_SET_NAME, name);
  if (type == NFT_MSG_NEWSET || type == NFT_MSG_DELSET) {
    nftnl_set_nlmsg_build_payload(m.nlh(), set.get());
  } else {
    nftnl_set_elems_nlmsg_build_payload(m.nlh(), set.get());
  }
  return m;
}

NftEvent Event(uint8_t family, const char* table, bool deleted = false, bool created = false) {
  return NftEvent{family, table, deleted, created, 0};
}

TEST(NftFamilyNameTest, NamesEveryFamilyAsNftDoes) {
  EXPECT_EQ(NftFamilyName(NFPROTO_IPV4), "ip");
  EXPECT_EQ(NftFamilyName(NFPROTO_IPV6), "ip6");
  EXPECT_EQ(NftFamilyName(NFPROTO_INET), "inet");
  EXPECT_EQ(NftFamilyName(NFPROTO_ARP), "arp");
  EXPECT_EQ(NftFamilyName(NFPROTO_BRIDGE), "bridge");
  EXPECT_EQ(NftFamilyName(NFPROTO_NETDEV), "netdev");
  EXPECT_EQ(NftFamilyName(99), "99");
}

TEST(ParseNftEventTest, TableDeletionAndCreation) {
  EXPECT_EQ(ParseNftEvent(TableMessage(NFT_MSG_DELTABLE, NFPROTO_INET, "virtnat").nlh()),
            Event(NFPROTO_INET, "virtnat", true, false));
  EXPECT_EQ(ParseNftEvent(TableMessage(NFT_MSG_NEWTABLE, NFPROTO_IPV4, "filter").nlh()),
            Event(NFPROTO_IPV4, "filter", false, true));
}

TEST(ParseNftEventTest, ChainRuleSetAndElementChangesNameTheirTable) {
  EXPECT_EQ(ParseNftEvent(ChainMessage(NFT_MSG_DELCHAIN, NFPROTO_INET, "virtnat", "fwd").nlh()),
            Event(NFPROTO_INET, "virtnat"));
  EXPECT_EQ(ParseNftEvent(ChainMessage(NFT_MSG_NEWCHAIN, NFPROTO_IPV6, "t6", "c").nlh()),
            Event(NFPROTO_IPV6, "t6"));
  EXPECT_EQ(ParseNftEvent(RuleMessage(NFT_MSG_DELRULE, NFPROTO_IPV4, "filter", "FORWARD").nlh()),
            Event(NFPROTO_IPV4, "filter"));
  EXPECT_EQ(ParseNftEvent(RuleMessage(NFT_MSG_NEWRULE, NFPROTO_BRIDGE, "br", "c").nlh()),
            Event(NFPROTO_BRIDGE, "br"));
  EXPECT_EQ(ParseNftEvent(SetMessage(NFT_MSG_DELSET, NFPROTO_INET, "virtnat", "nat4").nlh()),
            Event(NFPROTO_INET, "virtnat"));
  EXPECT_EQ(ParseNftEvent(SetMessage(NFT_MSG_DELSETELEM, NFPROTO_INET, "virtnat", "fwd_in").nlh()),
            Event(NFPROTO_INET, "virtnat"));
  EXPECT_EQ(ParseNftEvent(SetMessage(NFT_MSG_NEWSETELEM, NFPROTO_INET, "other", "s").nlh()),
            Event(NFPROTO_INET, "other"));
}

TEST(ParseNftEventTest, CarriesThePortOfTheChangingSocket) {
  Message m = RuleMessage(NFT_MSG_NEWRULE, NFPROTO_INET, "virtnat", "forward");
  m.nlh()->nlmsg_pid = 4242;
  std::optional<NftEvent> event = ParseNftEvent(m.nlh());
  ASSERT_TRUE(event);
  EXPECT_EQ(event->portid, 4242u);
}

TEST(ParseNftEventTest, IgnoresGenerationGetsAndOtherSubsystems) {
  Message gen(NFT_MSG_NEWGEN, NFPROTO_UNSPEC);
  EXPECT_EQ(ParseNftEvent(gen.nlh()), std::nullopt);
  EXPECT_EQ(ParseNftEvent(TableMessage(NFT_MSG_GETTABLE, NFPROTO_INET, "virtnat").nlh()),
            std::nullopt);
  Message conntrack = TableMessage(NFT_MSG_DELTABLE, NFPROTO_INET, "virtnat");
  conntrack.nlh()->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | NFT_MSG_DELTABLE;
  EXPECT_EQ(ParseNftEvent(conntrack.nlh()), std::nullopt);
}

TEST(ParseNftEventTest, IgnoresMessagesWithoutATableName) {
  Message bare(NFT_MSG_DELTABLE, NFPROTO_INET);
  EXPECT_EQ(ParseNftEvent(bare.nlh()), std::nullopt);
  Message shortened = TableMessage(NFT_MSG_DELTABLE, NFPROTO_INET, "virtnat");
  shortened.nlh()->nlmsg_len = NLMSG_HDRLEN;  // not even the nfgenmsg
  EXPECT_EQ(ParseNftEvent(shortened.nlh()), std::nullopt);
}

TEST(NftChangeCoalescerTest, FoldsEventsPerTable) {
  NftChangeCoalescer c;
  EXPECT_FALSE(c.pending());
  c.Add(Event(NFPROTO_INET, "virtnat"));
  c.Add(Event(NFPROTO_INET, "virtnat"));
  c.Add(Event(NFPROTO_IPV4, "filter"));
  c.Add(Event(NFPROTO_IPV4, "nat", true));
  EXPECT_TRUE(c.pending());
  NftChanges changes = c.Take();
  EXPECT_EQ(changes.tables, (std::vector<NftTableChange>{{NFPROTO_INET, "virtnat", false},
                                                         {NFPROTO_IPV4, "filter", false},
                                                         {NFPROTO_IPV4, "nat", true}}));
  EXPECT_FALSE(changes.lost_events);
  EXPECT_FALSE(c.pending());
  EXPECT_TRUE(c.Take().empty());
}

TEST(NftChangeCoalescerTest, TheLastWordOnATableCounts) {
  NftChangeCoalescer c;
  // A flush deletes rules and chains before the table.
  c.Add(Event(NFPROTO_INET, "a"));
  c.Add(Event(NFPROTO_INET, "a", true));
  // Deleted, then created again (e.g. `systemctl restart nftables`).
  c.Add(Event(NFPROTO_INET, "b", true));
  c.Add(Event(NFPROTO_INET, "b", false, true));
  c.Add(Event(NFPROTO_INET, "b"));
  // Created, then deleted.
  c.Add(Event(NFPROTO_INET, "c", false, true));
  c.Add(Event(NFPROTO_INET, "c", true));
  EXPECT_EQ(c.Take().tables,
            (std::vector<NftTableChange>{
                {NFPROTO_INET, "a", true}, {NFPROTO_INET, "b", false}, {NFPROTO_INET, "c", true}}));
}

TEST(NftChangeCoalescerTest, SameNameInTwoFamiliesIsTwoTables) {
  NftChangeCoalescer c;
  c.Add(Event(NFPROTO_IPV6, "filter", true));
  c.Add(Event(NFPROTO_IPV4, "filter"));
  EXPECT_EQ(c.Take().tables, (std::vector<NftTableChange>{{NFPROTO_IPV4, "filter", false},
                                                          {NFPROTO_IPV6, "filter", true}}));
}

TEST(NftChangeCoalescerTest, LostEventsAloneMakeABatch) {
  NftChangeCoalescer c;
  c.AddLostEvents();
  EXPECT_TRUE(c.pending());
  NftChanges changes = c.Take();
  EXPECT_TRUE(changes.lost_events);
  EXPECT_TRUE(changes.tables.empty());
  EXPECT_FALSE(changes.empty());
  EXPECT_FALSE(c.Take().lost_events);
}

TEST(DescribeChangeTest, NamesFamilyAndTable) {
  EXPECT_EQ(DescribeChange({NFPROTO_INET, "virtnat", true}), "table inet virtnat was deleted");
  EXPECT_EQ(DescribeChange({NFPROTO_IPV4, "filter", false}), "table ip filter changed");
}

}  // namespace
}  // namespace virtnat::driver
