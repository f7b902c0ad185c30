#include "driver/dnsmasq/dnsmasq_event_filter.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstddef>

namespace virtnat::driver {
namespace {

// Classic BPF reads packet words in network byte order; netlink fields are
// in host order, so the constants they are compared with are swapped too.
constexpr unsigned kKeep = 0xffffffff;  // the whole message
constexpr unsigned kDrop = 0;

constexpr unsigned kFlags = offsetof(nlmsghdr, nlmsg_flags);
constexpr unsigned kType = offsetof(nlmsghdr, nlmsg_type);
constexpr unsigned kSenderPort = offsetof(nlmsghdr, nlmsg_pid);
constexpr unsigned kAddrIfindex = NLMSG_HDRLEN + offsetof(ifaddrmsg, ifa_index);
constexpr unsigned kRouteTable = NLMSG_HDRLEN + offsetof(rtmsg, rtm_table);
constexpr unsigned kRouteScope = NLMSG_HDRLEN + offsetof(rtmsg, rtm_scope);
constexpr unsigned kRouteType = NLMSG_HDRLEN + offsetof(rtmsg, rtm_type);

// A program whose jumps go to labels, resolved to BPF's relative offsets
// once every instruction is placed (jumps only go forward).
class Program {
 public:
  static constexpr int kNext = -1;  // the next instruction
  Program() : keep_(NewLabel()), drop_(NewLabel()) {}

  int keep() const { return keep_; }
  int drop() const { return drop_; }
  int NewLabel() {
    labels_.push_back(kUnplaced);
    return static_cast<int>(labels_.size() - 1);
  }
  // `label` names the next instruction.
  void Place(int label) { labels_[static_cast<size_t>(label)] = code_.size(); }
  void Load(unsigned size, unsigned offset) {
    code_.push_back(BPF_STMT(BPF_LD | size | BPF_ABS, offset));
  }
  // If the accumulator equals `k` (or, with `bits`, shares a bit with it):
  // on to `yes`, else to `no`.
  void Test(unsigned k, int yes, int no, bool bits = false) {
    jumps_.push_back({code_.size(), yes, no});
    code_.push_back(BPF_JUMP(BPF_JMP | (bits ? BPF_JSET : BPF_JEQ) | BPF_K, k, 0, 0));
  }
  std::vector<sock_filter> Finish() {
    Place(keep_);
    code_.push_back(BPF_STMT(BPF_RET | BPF_K, kKeep));
    Place(drop_);
    code_.push_back(BPF_STMT(BPF_RET | BPF_K, kDrop));
    for (const Jump& j : jumps_) {
      code_[j.at].jt = Offset(j.at, j.yes);
      code_[j.at].jf = Offset(j.at, j.no);
    }
    return code_;
  }

 private:
  static constexpr size_t kUnplaced = ~size_t{0};
  struct Jump {
    size_t at;
    int yes, no;
  };
  __u8 Offset(size_t at, int label) const {
    if (label == kNext) return 0;
    return static_cast<__u8>(labels_[static_cast<size_t>(label)] - at - 1);
  }
  std::vector<sock_filter> code_;
  std::vector<Jump> jumps_;
  std::vector<size_t> labels_;
  int keep_, drop_;
};

}  // namespace

std::vector<sock_filter> DnsmasqEventFilter(unsigned bridge_ifindex) {
  constexpr int kNext = Program::kNext;
  Program p;
  const int address = p.NewLabel();
  const int route = p.NewLabel();
  // Parts of a dump reply: dnsmasq's own enumeration.
  p.Load(BPF_H, kFlags);
  p.Test(htons(NLM_F_MULTI), p.keep(), kNext, /*bits=*/true);
  p.Load(BPF_H, kType);
  p.Test(htons(RTM_NEWADDR), address, kNext);
  p.Test(htons(RTM_DELADDR), address, route);
  // Address events: only those of the bridge.
  p.Place(address);
  p.Load(BPF_W, kAddrIfindex);
  p.Test(htonl(bridge_ifindex), p.keep(), p.drop());
  // Route events: only new kernel-made unicast link-scope routes of the main
  // or local table, the one kind dnsmasq acts on. Anything else passes.
  p.Place(route);
  p.Test(htons(RTM_DELROUTE), p.drop(), kNext);
  p.Test(htons(RTM_NEWROUTE), kNext, p.keep());
  p.Load(BPF_W, kSenderPort);
  p.Test(0, kNext, p.drop());
  p.Load(BPF_B, kRouteType);
  p.Test(RTN_UNICAST, kNext, p.drop());
  p.Load(BPF_B, kRouteScope);
  p.Test(RT_SCOPE_LINK, kNext, p.drop());
  p.Load(BPF_B, kRouteTable);
  p.Test(RT_TABLE_MAIN, p.keep(), kNext);
  p.Test(RT_TABLE_LOCAL, p.keep(), p.drop());
  return p.Finish();
}

}  // namespace virtnat::driver
