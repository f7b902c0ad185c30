#include "tools/port_helper/tap_plug.h"

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstdio>

#include "driver/link/bridge_netlink.h"
#include "driver/link/nl_ptr.h"
#include "driver/link/nl_socket.h"
#include "driver/qos/qos_netlink.h"
#include "driver/qos/qos_plan.h"

namespace virtnat::port_helper {
namespace {

using driver::NlMsgPtr;
using driver::NlSockPtr;
using driver::RtnlLinkPtr;

struct LinkFacts {
  int index = 0;
  int master = 0;
  unsigned mtu = 0;
  std::string mac;
};

Result<LinkFacts> ReadLink(nl_sock* sock, const std::string& name) {
  rtnl_link* raw = nullptr;
  int rc = rtnl_link_get_kernel(sock, 0, name.c_str(), &raw);
  RtnlLinkPtr link(raw);
  if (rc < 0) {
    int err = driver::ErrnoFromNl(rc);
    if (err == ENODEV || rc == -NLE_OBJ_NOTFOUND) {
      return SystemError("no interface '" + name + "' in this network namespace");
    }
    return SystemErrorFromErrno(err, "cannot read interface '" + name + "'");
  }
  LinkFacts facts;
  facts.index = rtnl_link_get_ifindex(link.get());
  facts.master = rtnl_link_get_master(link.get());
  facts.mtu = rtnl_link_get_mtu(link.get());
  if (nl_addr* addr = rtnl_link_get_addr(link.get()); addr && nl_addr_get_len(addr) == 6) {
    const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(addr));
    char text[18];
    std::snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    facts.mac = text;
  }
  return facts;
}

// RTM_NEWLINK on an existing link (AF_UNSPEC: MTU, master, flags) or
// RTM_SETLINK on its bridge port (AF_BRIDGE: IFLA_PROTINFO).
Status Send(nl_sock* sock, NlMsgPtr msg, const std::string& what) {
  if (int err = driver::SendAndWaitAck(sock, msg.get()); err != 0) {
    return SystemErrorFromErrno(err, what);
  }
  return Status::Ok();
}

Result<NlMsgPtr> LinkMessage(int type, int family, int index, unsigned flags = 0,
                             unsigned change = 0) {
  NlMsgPtr msg(nlmsg_alloc_simple(type, 0));
  if (!msg) return SystemErrorFromErrno(ENOMEM, "cannot allocate a netlink message");
  ifinfomsg ifi{};
  ifi.ifi_family = static_cast<unsigned char>(family);
  ifi.ifi_index = index;
  ifi.ifi_flags = flags;
  ifi.ifi_change = change;
  if (nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) != 0) {
    return SystemErrorFromErrno(EMSGSIZE, "cannot build the netlink message");
  }
  return msg;
}

Status SetMaster(nl_sock* sock, int index, int master, const std::string& what) {
  ASSIGN_OR_RETURN(NlMsgPtr msg, LinkMessage(RTM_NEWLINK, AF_UNSPEC, index));
  if (nla_put_u32(msg.get(), IFLA_MASTER, static_cast<uint32_t>(master)) != 0) {
    return SystemErrorFromErrno(EMSGSIZE, what);
  }
  return Send(sock, std::move(msg), what);
}

Status SetMtu(nl_sock* sock, int index, unsigned mtu, const std::string& what) {
  ASSIGN_OR_RETURN(NlMsgPtr msg, LinkMessage(RTM_NEWLINK, AF_UNSPEC, index));
  if (nla_put_u32(msg.get(), IFLA_MTU, mtu) != 0) return SystemErrorFromErrno(EMSGSIZE, what);
  return Send(sock, std::move(msg), what);
}

// The bridge port's isolated flag: isolated ports forward only to ports
// that are not isolated (the bridge itself, the uplink), never to each other.
Status SetIsolated(nl_sock* sock, int index, bool isolated, const std::string& what) {
  ASSIGN_OR_RETURN(NlMsgPtr msg, LinkMessage(RTM_SETLINK, AF_BRIDGE, index));
  nlattr* info = nla_nest_start(msg.get(), IFLA_PROTINFO | NLA_F_NESTED);
  if (!info || nla_put_u8(msg.get(), IFLA_BRPORT_ISOLATED, isolated ? 1 : 0) != 0) {
    return SystemErrorFromErrno(EMSGSIZE, what);
  }
  nla_nest_end(msg.get(), info);
  return Send(sock, std::move(msg), what);
}

Status SetUp(nl_sock* sock, int index, const std::string& what) {
  ASSIGN_OR_RETURN(NlMsgPtr msg, LinkMessage(RTM_NEWLINK, AF_UNSPEC, index, IFF_UP, IFF_UP));
  return Send(sock, std::move(msg), what);
}

Result<driver::QosPlan> TapQos(const std::string& network, const std::string& tap,
                               const TapSettings& settings) {
  // The tap's egress is the guest's inbound traffic, its ingress the guest's
  // outbound: the same orientation as a network's bridge.
  return driver::PlanQos(network, tap, settings.bandwidth);
}

}  // namespace

Result<std::string> TapMac(const std::string& tap) {
  ASSIGN_OR_RETURN(NlSockPtr sock, driver::OpenRouteSocket());
  ASSIGN_OR_RETURN(LinkFacts facts, ReadLink(sock.get(), tap));
  return facts.mac;
}

Status PlugTap(const std::string& network, const std::string& tap, const TapSettings& settings) {
  const std::string what = "cannot plug tap '" + tap + "' into bridge '" + settings.bridge + "'";
  ASSIGN_OR_RETURN(NlSockPtr sock, driver::OpenRouteSocket());
  ASSIGN_OR_RETURN(LinkFacts tap_link, ReadLink(sock.get(), tap));
  Result<LinkFacts> bridge = ReadLink(sock.get(), settings.bridge);
  if (!bridge.ok()) return bridge.status().WithContext(what);
  ASSIGN_OR_RETURN(driver::QosPlan qos_plan, TapQos(network, tap, settings));
  unsigned mtu = settings.mtu ? settings.mtu : bridge->mtu;
  Status status = SetMtu(sock.get(), tap_link.index, mtu,
                         "cannot set MTU " + std::to_string(mtu) + " on tap '" + tap + "'");
  if (status.ok()) status = SetMaster(sock.get(), tap_link.index, bridge->index, what);
  bool enslaved = status.ok();
  if (status.ok() && settings.isolated) {
    status = SetIsolated(sock.get(), tap_link.index, true,
                         "cannot isolate bridge port '" + tap + "' (IFLA_BRPORT_ISOLATED)");
  }
  if (status.ok() && !qos_plan.empty()) {
    Result<std::unique_ptr<driver::NetlinkQos>> qos = driver::NetlinkQos::Open();
    status = qos.ok() ? (*qos)->Apply(qos_plan) : qos.status();
    if (!status.ok()) status = status.WithContext("bandwidth of tap '" + tap + "'");
  }
  if (status.ok()) status = SetUp(sock.get(), tap_link.index, "cannot bring tap '" + tap + "' up");
  if (!status.ok() && enslaved) {
    if (!qos_plan.empty()) {
      if (auto qos = driver::NetlinkQos::Open(); qos.ok()) (void)(*qos)->Remove(qos_plan);
    }
    (void)SetMaster(sock.get(), tap_link.index, 0, what);
  }
  return status;
}

Status UnplugTap(const std::string& network, const std::string& tap, const TapSettings& settings) {
  Status first;
  auto keep = [&](const Status& s) {
    if (first.ok() && !s.ok()) first = s;
  };
  Result<driver::QosPlan> qos_plan = TapQos(network, tap, settings);
  keep(qos_plan.status());
  if (qos_plan.ok() && !qos_plan->empty()) {
    Result<std::unique_ptr<driver::NetlinkQos>> qos = driver::NetlinkQos::Open();
    keep(qos.ok() ? (*qos)->Remove(*qos_plan) : qos.status());
  }
  Result<NlSockPtr> sock = driver::OpenRouteSocket();
  if (!sock.ok()) {
    keep(sock.status());
    return first;
  }
  Result<LinkFacts> tap_link = ReadLink(sock->get(), tap);
  Result<LinkFacts> bridge = ReadLink(sock->get(), settings.bridge);
  if (tap_link.ok() && bridge.ok() && tap_link->master == bridge->index) {
    keep(SetMaster(sock->get(), tap_link->index, 0,
                   "cannot take tap '" + tap + "' off bridge '" + settings.bridge + "'"));
  }
  return first;
}

}  // namespace virtnat::port_helper
