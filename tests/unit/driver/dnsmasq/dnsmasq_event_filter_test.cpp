#include "driver/dnsmasq/dnsmasq_event_filter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

namespace virtnat::driver {
namespace {

constexpr unsigned kBridge = 7;

// The kernel's classic BPF, for the instructions a socket filter of ours
// may use: absolute loads (network byte order), JEQ/JSET with a constant,
// RET with a constant. Anything else fails the test. A load past the end
// of the message drops it, as in the kernel.
unsigned Run(const std::vector<sock_filter>& code, const std::vector<unsigned char>& msg) {
  unsigned a = 0;
  for (size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& op = code[pc];
    if (op.code == (BPF_RET | BPF_K)) return op.k;
    if (BPF_CLASS(op.code) == BPF_LD && BPF_MODE(op.code) == BPF_ABS) {
      const size_t width = BPF_SIZE(op.code) == BPF_B ? 1 : BPF_SIZE(op.code) == BPF_H ? 2 : 4;
      if (op.k + width > msg.size()) return 0;
      a = 0;
      for (size_t i = 0; i < width; ++i) a = (a << 8) | msg[op.k + i];
      continue;
    }
    if (op.code == (BPF_JMP | BPF_JEQ | BPF_K)) {
      pc += a == op.k ? op.jt : op.jf;
      continue;
    }
    if (op.code == (BPF_JMP | BPF_JSET | BPF_K)) {
      pc += (a & op.k) ? op.jt : op.jf;
      continue;
    }
    ADD_FAILURE() << "instruction " << pc << " has an unexpected code " << op.code;
    return 0;
  }
  ADD_FAILURE() << "the program ran off its end";
  return 0;
}

template <typename Body>
std::vector<unsigned char> Message(__u16 type, __u16 flags, __u32 sender, const Body& body) {
  nlmsghdr h{};
  h.nlmsg_len = NLMSG_LENGTH(sizeof(Body));
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_pid = sender;
  std::vector<unsigned char> msg(NLMSG_SPACE(sizeof(Body)));
  std::memcpy(msg.data(), &h, sizeof(h));
  std::memcpy(msg.data() + NLMSG_HDRLEN, &body, sizeof(Body));
  return msg;
}

std::vector<unsigned char> Address(__u16 type, unsigned ifindex, __u16 flags = 0) {
  ifaddrmsg a{};
  a.ifa_family = AF_INET;
  a.ifa_index = ifindex;
  return Message(type, flags, 0, a);
}

std::vector<unsigned char> Route(__u16 type, unsigned char table, unsigned char scope,
                                 unsigned char kind, __u32 sender = 0) {
  rtmsg r{};
  r.rtm_family = AF_INET;
  r.rtm_table = table;
  r.rtm_scope = scope;
  r.rtm_type = kind;
  return Message(type, 0, sender, r);
}

bool Passes(const std::vector<unsigned char>& msg) {
  return Run(DnsmasqEventFilter(kBridge), msg) != 0;
}

TEST(DnsmasqEventFilterTest, AddressEventsOfItsOwnBridgePass) {
  EXPECT_TRUE(Passes(Address(RTM_NEWADDR, kBridge)));
  EXPECT_TRUE(Passes(Address(RTM_DELADDR, kBridge)));
}

TEST(DnsmasqEventFilterTest, AddressEventsOfOtherInterfacesAreDropped) {
  EXPECT_FALSE(Passes(Address(RTM_NEWADDR, kBridge + 1)));
  EXPECT_FALSE(Passes(Address(RTM_DELADDR, 1)));
  // Every byte of the index counts, whatever the host's byte order.
  EXPECT_FALSE(Passes(Address(RTM_NEWADDR, kBridge | 0x100)));
  EXPECT_FALSE(Passes(Address(RTM_NEWADDR, kBridge << 24)));
}

TEST(DnsmasqEventFilterTest, DumpRepliesAlwaysPassSoEnumerationsSeeEveryAddress) {
  EXPECT_TRUE(Passes(Address(RTM_NEWADDR, kBridge + 1, NLM_F_MULTI)));
  nlmsgerr done{};
  EXPECT_TRUE(Passes(Message(NLMSG_DONE, NLM_F_MULTI, 1234, done)));
}

TEST(DnsmasqEventFilterTest, TheRoutesDnsmasqActsOnPassWhateverTheirInterface) {
  EXPECT_TRUE(Passes(Route(RTM_NEWROUTE, RT_TABLE_MAIN, RT_SCOPE_LINK, RTN_UNICAST)));
  EXPECT_TRUE(Passes(Route(RTM_NEWROUTE, RT_TABLE_LOCAL, RT_SCOPE_LINK, RTN_UNICAST)));
}

TEST(DnsmasqEventFilterTest, RoutesDnsmasqOnlyReadsToIgnoreAreDropped) {
  EXPECT_FALSE(Passes(Route(RTM_DELROUTE, RT_TABLE_MAIN, RT_SCOPE_LINK, RTN_UNICAST)));
  EXPECT_FALSE(Passes(Route(RTM_NEWROUTE, RT_TABLE_LOCAL, RT_SCOPE_HOST, RTN_LOCAL)));
  EXPECT_FALSE(Passes(Route(RTM_NEWROUTE, RT_TABLE_LOCAL, RT_SCOPE_LINK, RTN_BROADCAST)));
  EXPECT_FALSE(Passes(Route(RTM_NEWROUTE, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, RTN_UNICAST)));
  EXPECT_FALSE(Passes(Route(RTM_NEWROUTE, 100, RT_SCOPE_LINK, RTN_UNICAST)));
  // Made by a process, not the kernel: dnsmasq ignores it.
  EXPECT_FALSE(Passes(Route(RTM_NEWROUTE, RT_TABLE_MAIN, RT_SCOPE_LINK, RTN_UNICAST, 4321)));
}

TEST(DnsmasqEventFilterTest, ErrorsAndOtherMessagesPass) {
  nlmsgerr err{};
  err.error = -EPERM;
  EXPECT_TRUE(Passes(Message(NLMSG_ERROR, 0, 0, err)));
  ifinfomsg link{};
  EXPECT_TRUE(Passes(Message(RTM_NEWLINK, 0, 0, link)));
}

}  // namespace
}  // namespace virtnat::driver
