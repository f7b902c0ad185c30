#include "driver/qos/qos_netlink.h"

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/qdisc/fifo.h>
#include <netlink/route/qdisc/htb.h>

#include <cerrno>

#include "driver/link/nl_socket.h"
#include "driver/qos/tc_ptr.h"

namespace virtnat::driver {
namespace {

constexpr uint32_t kRoot = TC_HANDLE(1, 0);
constexpr uint32_t kClass = TC_HANDLE(1, 1);
constexpr uint32_t kOpenClass = TC_HANDLE(1, 2);  // traffic without a floor
constexpr uint32_t kLeaf = TC_HANDLE(2, 0);
constexpr uint32_t kIngress = TC_HANDLE(0xffff, 0);
constexpr uint16_t kFloorPrio = 2;  // libvirt's prio of the floor filters

// One tc step: what it is (for the message) and the kernel module whose
// absence makes the kernel answer ENOENT (unknown qdisc, classifier or
// action kind) or EOPNOTSUPP (unknown link kind).
struct Step {
  std::string what;    // "cannot add htb qdisc to 'virbr0'"
  const char* module;  // "sch_htb"
};

Status StepError(int err, const Step& step) {
  Error e = SystemErrorFromErrno(err, step.what);
  if (err == ENOENT || err == EOPNOTSUPP) {
    e.message += std::string("; the running kernel lacks module ") + step.module +
                 ", which the network's <bandwidth> needs (load it, or remove the <bandwidth>)";
  }
  return e;
}

// Sends a request libnl built (`rc` its return code) and waits for the ack.
Status Send(nl_sock* sock, int rc, nl_msg* raw, const Step& step) {
  NlMsgPtr msg(raw);
  if (rc < 0) return StepError(ErrnoFromNl(rc), step);
  if (int err = SendAndWaitAck(sock, msg.get()); err != 0) return StepError(err, step);
  return Status::Ok();
}

// Gone already counts as removed.
bool Absent(int err) { return err == ENOENT || err == ENODEV || err == EINVAL; }

Status SendDelete(nl_sock* sock, int rc, nl_msg* raw, const std::string& what) {
  NlMsgPtr msg(raw);
  if (rc < 0) return SystemErrorFromErrno(ErrnoFromNl(rc), what);
  int err = SendAndWaitAck(sock, msg.get());
  if (err == 0 || Absent(err)) return Status::Ok();
  return SystemErrorFromErrno(err, what);
}

Result<int> Index(nl_sock* sock, const std::string& ifname) {
  ASSIGN_OR_RETURN(int index, LinkIndex(sock, ifname));
  if (index == 0) return SystemErrorFromErrno(ENODEV, "cannot find interface '" + ifname + "'");
  return index;
}

RtnlQdiscPtr NewQdisc(int ifindex, uint32_t parent, uint32_t handle, const char* kind) {
  RtnlQdiscPtr q(rtnl_qdisc_alloc());
  if (!q) return q;
  rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(q.get()), parent);
  rtnl_tc_set_handle(TC_CAST(q.get()), handle);
  if (rtnl_tc_set_kind(TC_CAST(q.get()), kind) < 0) q.reset();
  return q;
}

Status AddQdisc(nl_sock* sock, rtnl_qdisc* q, const Step& step) {
  nl_msg* msg = nullptr;
  int rc = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, &msg);
  return Send(sock, rc, msg, step);
}

Status DeleteQdisc(nl_sock* sock, int ifindex, uint32_t parent, const std::string& ifname) {
  RtnlQdiscPtr q(rtnl_qdisc_alloc());
  if (!q) return SystemErrorFromErrno(ENOMEM, "cannot allocate a qdisc");
  rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(q.get()), parent);
  nl_msg* msg = nullptr;
  int rc = rtnl_qdisc_build_delete_request(q.get(), &msg);
  return SendDelete(sock, rc, msg, "cannot remove the bandwidth qdisc of '" + ifname + "'");
}

Status NoMemory() { return SystemErrorFromErrno(ENOMEM, "cannot allocate a tc object"); }

Status AddClass(nl_sock* sock, int ifindex, uint32_t parent, uint32_t id, const HtbShaper& s,
                int flags = NLM_F_CREATE | NLM_F_EXCL) {
  RtnlClassPtr cls(rtnl_class_alloc());
  if (!cls) return NoMemory();
  rtnl_tc_set_ifindex(TC_CAST(cls.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls.get()), parent);
  rtnl_tc_set_handle(TC_CAST(cls.get()), id);
  if (rtnl_tc_set_kind(TC_CAST(cls.get()), "htb") < 0) return NoMemory();
  rtnl_htb_set_rate64(cls.get(), s.rate);
  rtnl_htb_set_ceil64(cls.get(), s.ceil);
  if (s.burst != 0) rtnl_htb_set_rbuffer(cls.get(), s.burst);
  rtnl_htb_set_quantum(cls.get(), s.quantum);
  nl_msg* msg = nullptr;
  int rc = rtnl_class_build_add_request(cls.get(), flags, &msg);
  return Send(sock, rc, msg,
              {"cannot add htb class 1:" + std::to_string(TC_H_MIN(id)) + " to '" + s.device + "'",
               "sch_htb"});
}

// The floor class as an htb class of its own.
HtbShaper FloorShaper(const FloorClass& c) {
  HtbShaper s;
  s.device = c.bridge;
  s.rate = c.rate;
  s.ceil = c.ceil;
  s.quantum = c.quantum;
  return s;
}

// The u32 filter of a floor, without its match keys (enough to delete it).
RtnlClsPtr FloorFilter(int ifindex, const FloorClass& c) {
  RtnlClsPtr cls(rtnl_cls_alloc());
  if (!cls) return cls;
  rtnl_tc_set_ifindex(TC_CAST(cls.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls.get()), kRoot);
  rtnl_tc_set_handle(TC_CAST(cls.get()), c.filter_handle);
  if (rtnl_tc_set_kind(TC_CAST(cls.get()), "u32") < 0) cls.reset();
  if (!cls) return cls;
  rtnl_cls_set_protocol(cls.get(), ETH_P_IP);
  rtnl_cls_set_prio(cls.get(), kFloorPrio);
  return cls;
}

// tc filter add dev BRIDGE parent 1: protocol ip prio 2 handle 800::(800+ID)
//   u32 match u16 0x0800 0xffff at -2 match u32 MAC[2..5] 0xffffffff at -12
//   match u16 MAC[0..1] 0xffff at -14 flowid 1:ID
// Offsets are from the IP header: -14 is the destination MAC, -2 the
// ethertype.
Status AddFloorFilter(nl_sock* sock, int ifindex, const FloorClass& c) {
  RtnlClsPtr cls = FloorFilter(ifindex, c);
  if (!cls) return NoMemory();
  const xml::MacAddress& m = c.mac;
  const uint32_t low =
      (uint32_t{m[2]} << 24) | (uint32_t{m[3]} << 16) | (uint32_t{m[4]} << 8) | m[5];
  const uint16_t high = static_cast<uint16_t>((m[0] << 8) | m[1]);
  if (rtnl_u32_set_classid(cls.get(), TC_HANDLE(1, c.id)) < 0 ||
      rtnl_u32_set_cls_terminal(cls.get()) < 0 ||
      rtnl_u32_add_key_uint16(cls.get(), ETH_P_IP, 0xffff, -2, 0) < 0 ||
      rtnl_u32_add_key_uint32(cls.get(), low, 0xffffffff, -12, 0) < 0 ||
      rtnl_u32_add_key_uint16(cls.get(), high, 0xffff, -14, 0) < 0) {
    return NoMemory();
  }
  nl_msg* msg = nullptr;
  int rc = rtnl_cls_build_add_request(cls.get(), NLM_F_CREATE, &msg);
  return Send(sock, rc, msg,
              {"cannot add the u32 filter of the 'floor' of " + xml::FormatMac(c.mac) + " on '" +
                   c.bridge + "'",
               "cls_u32"});
}

}  // namespace

Result<std::unique_ptr<NetlinkQos>> NetlinkQos::Open() {
  ASSIGN_OR_RETURN(NlSockPtr sock, OpenRouteSocket());
  return std::unique_ptr<NetlinkQos>(new NetlinkQos(std::move(sock)));
}

// tc qdisc add dev DEV root handle 1: htb default 1 (hierarchical: 2)
// tc class add dev DEV parent 1: classid 1:1 htb rate R ceil C [burst B] quantum Q
// (hierarchical: tc class add dev DEV parent 1:1 classid 1:2 htb rate R ceil C ...)
// tc qdisc add dev DEV parent 1:1 (hierarchical: 1:2) handle 2: pfifo limit L
Status NetlinkQos::ApplyShaper(const HtbShaper& s) {
  nl_sock* sock = sock_.get();
  ASSIGN_OR_RETURN(int ifindex, Index(sock, s.device));
  const uint32_t leaf_parent = s.hierarchical ? kOpenClass : kClass;

  RtnlQdiscPtr root = NewQdisc(ifindex, TC_H_ROOT, kRoot, "htb");
  if (!root) return NoMemory();
  rtnl_htb_set_defcls(root.get(), TC_H_MIN(leaf_parent));  // the minor number, as tc's "default N"
  RETURN_IF_ERROR(
      AddQdisc(sock, root.get(), {"cannot add htb qdisc to '" + s.device + "'", "sch_htb"}));
  RETURN_IF_ERROR(AddClass(sock, ifindex, kRoot, kClass, s));
  if (s.hierarchical) RETURN_IF_ERROR(AddClass(sock, ifindex, kClass, kOpenClass, s));

  RtnlQdiscPtr leaf = NewQdisc(ifindex, leaf_parent, kLeaf, "pfifo");
  if (!leaf) return NoMemory();
  rtnl_qdisc_fifo_set_limit(leaf.get(), static_cast<int>(s.leaf_limit));
  return AddQdisc(sock, leaf.get(), {"cannot add pfifo qdisc to '" + s.device + "'", "sch_fifo"});
}

// ip link add IFB type ifb up
// tc qdisc add dev BRIDGE handle ffff: ingress
// tc filter add dev BRIDGE parent ffff: protocol all prio 1 u32 match u32 0 0
//   action mirred egress redirect dev IFB
Status NetlinkQos::ApplyRedirect(const QosPlan& plan) {
  nl_sock* sock = sock_.get();
  ASSIGN_OR_RETURN(int bridge, Index(sock, plan.bridge));

  RtnlQdiscPtr ingress = NewQdisc(bridge, TC_H_INGRESS, kIngress, "ingress");
  if (!ingress) return NoMemory();
  RETURN_IF_ERROR(AddQdisc(sock, ingress.get(),
                           {"cannot add ingress qdisc to '" + plan.bridge + "'", "sch_ingress"}));

  ASSIGN_OR_RETURN(int ifb, Index(sock, plan.ifb));
  RtnlActPtr act(rtnl_act_alloc());
  if (!act) return NoMemory();
  if (rtnl_tc_set_kind(TC_CAST(act.get()), "mirred") < 0) return NoMemory();
  rtnl_mirred_set_action(act.get(), TCA_EGRESS_REDIR);
  rtnl_mirred_set_policy(act.get(), TC_ACT_STOLEN);
  rtnl_mirred_set_ifindex(act.get(), static_cast<uint32_t>(ifb));

  RtnlClsPtr cls(rtnl_cls_alloc());
  if (!cls) return NoMemory();
  rtnl_tc_set_ifindex(TC_CAST(cls.get()), bridge);
  rtnl_tc_set_parent(TC_CAST(cls.get()), kIngress);
  if (rtnl_tc_set_kind(TC_CAST(cls.get()), "u32") < 0) return NoMemory();
  rtnl_cls_set_protocol(cls.get(), ETH_P_ALL);
  rtnl_cls_set_prio(cls.get(), 1);
  rtnl_u32_set_cls_terminal(cls.get());
  // Every packet: offset 0, value 0 under mask 0.
  if (rtnl_u32_add_key_uint32(cls.get(), 0, 0, 0, 0) < 0) return NoMemory();
  // u32 takes its own reference to the action.
  if (rtnl_u32_add_action(cls.get(), act.get()) < 0) return NoMemory();
  nl_msg* msg = nullptr;
  int rc = rtnl_cls_build_add_request(cls.get(), NLM_F_CREATE | NLM_F_EXCL, &msg);
  return Send(sock, rc, msg,
              {"cannot redirect the ingress of '" + plan.bridge + "' to '" + plan.ifb +
                   "' (u32 filter, mirred action)",
               "cls_u32 or act_mirred"});
}

Status NetlinkQos::Apply(const QosPlan& plan) {
  bool made_ifb = false;
  Status applied = [&]() -> Status {
    if (plan.inbound) RETURN_IF_ERROR(ApplyShaper(*plan.inbound));
    if (!plan.outbound) return Status::Ok();
    RtnlLinkPtr link(rtnl_link_alloc());
    if (!link) return NoMemory();
    rtnl_link_set_name(link.get(), plan.ifb.c_str());
    if (rtnl_link_set_type(link.get(), "ifb") < 0) return NoMemory();
    rtnl_link_set_flags(link.get(), IFF_UP);
    nl_msg* msg = nullptr;
    int rc = rtnl_link_build_add_request(link.get(), NLM_F_CREATE | NLM_F_EXCL, &msg);
    RETURN_IF_ERROR(Send(sock_.get(), rc, msg,
                         {"cannot create ifb device '" + plan.ifb +
                              "' for the <outbound> "
                              "bandwidth of '" +
                              plan.bridge + "'",
                          "ifb"}));
    made_ifb = true;
    RETURN_IF_ERROR(ApplyShaper(*plan.outbound));
    return ApplyRedirect(plan);
  }();
  if (!applied.ok()) (void)RemoveParts(plan, made_ifb);
  return applied;
}

Status NetlinkQos::Remove(const QosPlan& plan) {
  return RemoveParts(plan, plan.outbound.has_value());
}

Status NetlinkQos::RemoveParts(const QosPlan& plan, bool ifb) {
  nl_sock* sock = sock_.get();
  Status first;
  auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  Result<int> bridge = LinkIndex(sock, plan.bridge);
  if (!bridge.ok()) {
    keep(bridge.status());
  } else if (*bridge != 0) {
    if (plan.inbound) keep(DeleteQdisc(sock, *bridge, TC_H_ROOT, plan.bridge));
    if (plan.outbound) keep(DeleteQdisc(sock, *bridge, TC_H_INGRESS, plan.bridge));
  }
  if (ifb) {
    // The ifb device outlives the bridge: delete it explicitly.
    RtnlLinkPtr link(rtnl_link_alloc());
    if (!link) return NoMemory();
    rtnl_link_set_name(link.get(), plan.ifb.c_str());
    nl_msg* msg = nullptr;
    int rc = rtnl_link_build_delete_request(link.get(), &msg);
    keep(SendDelete(sock, rc, msg, "cannot delete ifb device '" + plan.ifb + "'"));
  }
  return first;
}

// tc class add dev BRIDGE parent 1:1 classid 1:ID htb rate FLOOR ceil C quantum Q
// tc qdisc add dev BRIDGE parent 1:ID handle ID: pfifo limit L
// the filter (AddFloorFilter)
// tc class change dev BRIDGE parent 1:1 classid 1:2 htb rate R ceil C ...
Status NetlinkQos::AddFloor(const FloorClass& c, const HtbShaper& open) {
  nl_sock* sock = sock_.get();
  ASSIGN_OR_RETURN(int ifindex, Index(sock, c.bridge));
  Status added = [&]() -> Status {
    RETURN_IF_ERROR(
        AddClass(sock, ifindex, kClass, TC_HANDLE(1, c.id), FloorShaper(c), NLM_F_CREATE));
    RtnlQdiscPtr leaf = NewQdisc(ifindex, TC_HANDLE(1, c.id), TC_HANDLE(c.id, 0), "pfifo");
    if (!leaf) return NoMemory();
    rtnl_qdisc_fifo_set_limit(leaf.get(), static_cast<int>(c.leaf_limit));
    nl_msg* msg = nullptr;
    int rc = rtnl_qdisc_build_add_request(leaf.get(), NLM_F_CREATE | NLM_F_REPLACE, &msg);
    RETURN_IF_ERROR(
        Send(sock, rc, msg, {"cannot add pfifo qdisc to '" + c.bridge + "'", "sch_fifo"}));
    RETURN_IF_ERROR(AddFloorFilter(sock, ifindex, c));
    return AddClass(sock, ifindex, kClass, kOpenClass, open, NLM_F_CREATE);
  }();
  // 1:2 changes last: a failure before leaves it as it was.
  if (!added.ok()) (void)RemoveFloorParts(ifindex, c);
  return added;
}

Status NetlinkQos::RemoveFloor(const FloorClass& c, const HtbShaper& open) {
  Result<int> ifindex = LinkIndex(sock_.get(), c.bridge);
  if (!ifindex.ok()) return ifindex.status();
  if (*ifindex == 0) return Status::Ok();  // the bridge, and its tree, are gone
  Status removed = RemoveFloorParts(*ifindex, c);
  Status changed = AddClass(sock_.get(), *ifindex, kClass, kOpenClass, open, NLM_F_CREATE);
  return removed.ok() ? changed : removed;
}

// Best effort: every step runs, the first error is returned.
Status NetlinkQos::RemoveFloorParts(int ifindex, const FloorClass& c) {
  nl_sock* sock = sock_.get();
  Status first;
  auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  const std::string what = " of the 'floor' of " + xml::FormatMac(c.mac) + " on '" + c.bridge + "'";
  // The filter first: htb keeps a class that a filter points to.
  if (RtnlClsPtr cls = FloorFilter(ifindex, c)) {
    nl_msg* msg = nullptr;
    int rc = rtnl_cls_build_delete_request(cls.get(), 0, &msg);
    keep(SendDelete(sock, rc, msg, "cannot remove the u32 filter" + what));
  } else {
    keep(NoMemory());
  }
  keep(DeleteQdisc(sock, ifindex, TC_HANDLE(1, c.id), c.bridge));
  RtnlClassPtr cls(rtnl_class_alloc());
  if (!cls) return NoMemory();
  rtnl_tc_set_ifindex(TC_CAST(cls.get()), ifindex);
  rtnl_tc_set_handle(TC_CAST(cls.get()), TC_HANDLE(1, c.id));
  nl_msg* msg = nullptr;
  int rc = rtnl_class_build_delete_request(cls.get(), &msg);
  keep(SendDelete(sock, rc, msg, "cannot remove htb class 1:" + std::to_string(c.id) + what));
  return first;
}

}  // namespace virtnat::driver
