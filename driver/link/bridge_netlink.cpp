#include "driver/link/bridge_netlink.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>

#include "driver/link/link_delete.h"
#include "driver/link/nl_socket.h"

namespace virtnat::driver {
namespace {

// USER_HZ: the unit of IFLA_BR_FORWARD_DELAY (as of the sysfs file).
constexpr unsigned kUserHz = 100;

Status LinkError(int err, const std::string& what, const std::string& ifname) {
  return SystemErrorFromErrno(err, what + " '" + ifname + "'");
}

Result<int> ExistingIndex(nl_sock* sock, const std::string& ifname, const std::string& what) {
  ASSIGN_OR_RETURN(int index, LinkIndex(sock, ifname));
  if (index == 0) return LinkError(ENODEV, what, ifname).error();
  return index;
}

// RTM_NEWLINK kind "bridge" with the MAC given at creation (no window where
// the bridge carries a random one) and the bridge options in IFLA_INFO_DATA.
// The kernel applies FORWARD_DELAY before STP_STATE, as libvirt does (delay,
// then STP), so STP on with a delay under 2 s ends at 2 s.
Result<NlMsgPtr> BuildCreateBridge(const BridgeSpec& spec) {
  NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL));
  if (!msg) return SystemErrorFromErrno(ENOMEM, "cannot allocate a netlink message");
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  bool ok = nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
            nla_put_string(msg.get(), IFLA_IFNAME, spec.name.c_str()) == 0;
  if (ok && spec.mac)
    ok = nla_put(msg.get(), IFLA_ADDRESS, spec.mac->size(), spec.mac->data()) == 0;
  nlattr* info = ok ? nla_nest_start(msg.get(), IFLA_LINKINFO) : nullptr;
  ok = info && nla_put_string(msg.get(), IFLA_INFO_KIND, "bridge") == 0;
  nlattr* data = ok ? nla_nest_start(msg.get(), IFLA_INFO_DATA) : nullptr;
  ok = data &&
       nla_put_u32(msg.get(), IFLA_BR_FORWARD_DELAY,
                   static_cast<uint32_t>(spec.delay_seconds * kUserHz)) == 0 &&
       nla_put_u32(msg.get(), IFLA_BR_STP_STATE, spec.stp ? 1 : 0) == 0;
  if (!ok) return SystemErrorFromErrno(EMSGSIZE, "cannot build the netlink message");
  nla_nest_end(msg.get(), data);
  nla_nest_end(msg.get(), info);
  return msg;
}

}  // namespace

Result<std::unique_ptr<RealNetlink>> RealNetlink::Open() {
  ASSIGN_OR_RETURN(NlSockPtr sock, OpenRouteSocket());
  return std::unique_ptr<RealNetlink>(new RealNetlink(std::move(sock)));
}

Status RealNetlink::CreateBridge(const BridgeSpec& spec) {
  ASSIGN_OR_RETURN(NlMsgPtr msg, BuildCreateBridge(spec));
  if (int err = SendAndWaitAck(sock_.get(), msg.get()); err != 0) {
    return SystemErrorFromErrno(err, "error creating bridge interface " + spec.name);
  }
  if (spec.mtu != 0) {
    // Set after creation, like SIOCSIFMTU: the bridge then keeps this MTU
    // when ports with a smaller one join, instead of following them.
    Status status = SetMtu(spec.name, spec.mtu);
    if (!status.ok()) {
      (void)DeleteLink(spec.name);
      return status;
    }
  }
  return Status::Ok();
}

Status RealNetlink::SetMtu(const std::string& ifname, unsigned mtu) {
  const std::string what = "cannot set interface MTU on";
  ASSIGN_OR_RETURN(int index, ExistingIndex(sock_.get(), ifname, what));
  RtnlLinkPtr orig(rtnl_link_alloc());
  RtnlLinkPtr change(rtnl_link_alloc());
  if (!orig || !change) return LinkError(ENOMEM, what, ifname);
  rtnl_link_set_ifindex(orig.get(), index);
  rtnl_link_set_mtu(change.get(), mtu);
  nl_msg* raw = nullptr;
  int rc = rtnl_link_build_change_request(orig.get(), change.get(), 0, &raw);
  NlMsgPtr msg(raw);
  if (rc < 0) return LinkError(ErrnoFromNl(rc), what, ifname);
  if (int err = SendAndWaitAck(sock_.get(), msg.get()); err != 0) {
    return LinkError(err, what, ifname);
  }
  return Status::Ok();
}

Status RealNetlink::AddAddress(const std::string& ifname, const InterfaceAddress& address) {
  const std::string what = "cannot add IP address " + address.address.ToString() + "/" +
                           std::to_string(address.prefix) + " to";
  ASSIGN_OR_RETURN(int index, ExistingIndex(sock_.get(), ifname, what));
  RtnlAddrPtr addr(rtnl_addr_alloc());
  if (!addr) return LinkError(ENOMEM, what, ifname);
  ASSIGN_OR_RETURN(NlAddrPtr local, ToNlAddr(address.address, static_cast<int>(address.prefix)));
  rtnl_addr_set_ifindex(addr.get(), index);
  rtnl_addr_set_family(addr.get(), nl_addr_get_family(local.get()));
  if (int rc = rtnl_addr_set_local(addr.get(), local.get()); rc < 0) {
    return LinkError(ErrnoFromNl(rc), what, ifname);
  }
  rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(address.prefix));
  if (address.address.is_v4() && address.prefix < 31) {
    ASSIGN_OR_RETURN(NlAddrPtr brd, ToNlAddr(address.address.BroadcastAddress(address.prefix)));
    if (int rc = rtnl_addr_set_broadcast(addr.get(), brd.get()); rc < 0) {
      return LinkError(ErrnoFromNl(rc), what, ifname);
    }
  }
  nl_msg* raw = nullptr;
  int rc = rtnl_addr_build_add_request(addr.get(), NLM_F_CREATE | NLM_F_EXCL, &raw);
  NlMsgPtr msg(raw);
  if (rc < 0) return LinkError(ErrnoFromNl(rc), what, ifname);
  if (int err = SendAndWaitAck(sock_.get(), msg.get()); err != 0) {
    return LinkError(err, what, ifname);
  }
  return Status::Ok();
}

Status RealNetlink::SetLinkUp(const std::string& ifname, bool up) {
  const std::string what = up ? "failed to set interface up" : "failed to set interface down";
  ASSIGN_OR_RETURN(int index, ExistingIndex(sock_.get(), ifname, what));
  RtnlLinkPtr orig(rtnl_link_alloc());
  RtnlLinkPtr change(rtnl_link_alloc());
  if (!orig || !change) return LinkError(ENOMEM, what, ifname);
  rtnl_link_set_ifindex(orig.get(), index);
  if (up) {
    rtnl_link_set_flags(change.get(), IFF_UP);
  } else {
    rtnl_link_unset_flags(change.get(), IFF_UP);
  }
  nl_msg* raw = nullptr;
  int rc = rtnl_link_build_change_request(orig.get(), change.get(), 0, &raw);
  NlMsgPtr msg(raw);
  if (rc < 0) return LinkError(ErrnoFromNl(rc), what, ifname);
  if (int err = SendAndWaitAck(sock_.get(), msg.get()); err != 0) {
    return LinkError(err, what, ifname);
  }
  return Status::Ok();
}

Status RealNetlink::AddRoute(const std::string& ifname, const StaticRoute& route) {
  const std::string what = "cannot add route " + route.destination.ToString() + "/" +
                           std::to_string(route.prefix) + " via " + route.gateway.ToString() +
                           " to";
  ASSIGN_OR_RETURN(int index, ExistingIndex(sock_.get(), ifname, what));
  ASSIGN_OR_RETURN(NlAddrPtr dst, ToNlAddr(route.destination.NetworkAddress(route.prefix),
                                           static_cast<int>(route.prefix)));
  ASSIGN_OR_RETURN(NlAddrPtr gateway, ToNlAddr(route.gateway));
  RtnlRoutePtr r(rtnl_route_alloc());
  RtnlNexthopPtr nh(rtnl_route_nh_alloc());
  if (!r || !nh) return LinkError(ENOMEM, what, ifname);
  rtnl_route_set_family(r.get(), nl_addr_get_family(dst.get()));
  rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(r.get(), RTPROT_BOOT);
  rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(r.get(), RTN_UNICAST);
  rtnl_route_set_priority(r.get(), route.metric);
  if (int rc = rtnl_route_set_dst(r.get(), dst.get()); rc < 0) {
    return LinkError(ErrnoFromNl(rc), what, ifname);
  }
  rtnl_route_nh_set_ifindex(nh.get(), index);
  rtnl_route_nh_set_gateway(nh.get(), gateway.get());
  rtnl_route_add_nexthop(r.get(), nh.release());  // the route owns it now
  nl_msg* raw = nullptr;
  int rc = rtnl_route_build_add_request(r.get(), NLM_F_CREATE | NLM_F_EXCL, &raw);
  NlMsgPtr msg(raw);
  if (rc < 0) return LinkError(ErrnoFromNl(rc), what, ifname);
  if (int err = SendAndWaitAck(sock_.get(), msg.get()); err != 0) {
    return LinkError(err, what, ifname);
  }
  return Status::Ok();
}

// The reply comes once the link is unlisted; the kernel's deferred freeing
// (tens of ms) finishes off this thread (link_delete.h).
Status RealNetlink::DeleteLink(const std::string& ifname) {
  const std::string what = "cannot delete interface";
  ASSIGN_OR_RETURN(int index, ExistingIndex(sock_.get(), ifname, what));
  if (int err = DeleteLinkUnlisted(index, ifname); err != 0) return LinkError(err, what, ifname);
  return Status::Ok();
}

}  // namespace virtnat::driver
