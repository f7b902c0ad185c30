#include "driver/link/host_facts_netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "driver/firewall/nft_socket.h"
#include "driver/link/nl_socket.h"

namespace virtnat::driver {
namespace {

Result<NlCachePtr> LinkCache(nl_sock* sock) {
  nl_cache* raw = nullptr;
  int rc = rtnl_link_alloc_cache(sock, AF_UNSPEC, &raw);
  NlCachePtr cache(raw);
  if (rc < 0) return SystemErrorFromErrno(ErrnoFromNl(rc), "cannot list network interfaces");
  return cache;
}

}  // namespace

Result<std::unique_ptr<RealHostFacts>> RealHostFacts::Open() {
  ASSIGN_OR_RETURN(NlSockPtr sock, OpenRouteSocket());
  return std::unique_ptr<RealHostFacts>(new RealHostFacts(std::move(sock)));
}

Result<bool> RealHostFacts::InterfaceExists(const std::string& name) {
  ASSIGN_OR_RETURN(int index, LinkIndex(sock_.get(), name));
  return index != 0;
}

Result<std::vector<std::string>> RealHostFacts::InterfaceNames() {
  ASSIGN_OR_RETURN(NlCachePtr cache, LinkCache(sock_.get()));
  std::vector<std::string> names;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
    const char* name = rtnl_link_get_name(reinterpret_cast<rtnl_link*>(obj));
    if (name) names.emplace_back(name);
  }
  return names;
}

Result<std::vector<HostRoute>> RealHostFacts::Ipv4Routes() {
  nl_cache* raw = nullptr;
  int rc = rtnl_route_alloc_cache(sock_.get(), AF_INET, 0, &raw);
  NlCachePtr cache(raw);
  if (rc < 0) return SystemErrorFromErrno(ErrnoFromNl(rc), "cannot list IPv4 routes");
  std::vector<HostRoute> routes;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
    auto* route = reinterpret_cast<rtnl_route*>(obj);
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN) continue;
    HostRoute out;
    nl_addr* dst = rtnl_route_get_dst(route);
    out.prefix = dst ? nl_addr_get_prefixlen(dst) : 0;
    uint32_t be = 0;
    if (dst && nl_addr_get_len(dst) == 4) {
      std::memcpy(&be, nl_addr_get_binary_addr(dst), 4);
    }
    out.destination = IpAddress::FromV4(ntohl(be));
    out.interface = "*";
    if (rtnl_route_get_nnexthops(route) > 0) {
      int index = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(route, 0));
      // SIOCGIFNAME on our socket: the name in our socket's namespace, read
      // under RCU. Not a dump of every link, nor an RTM_GETLINK per route:
      // with hundreds of bridges either was most of a start's preflight.
      ifreq request{};
      request.ifr_ifindex = index;
      if (index > 0 && ioctl(nl_socket_get_fd(sock_.get()), SIOCGIFNAME, &request) == 0) {
        out.interface.assign(request.ifr_name, strnlen(request.ifr_name, IFNAMSIZ));
      }
    }
    routes.push_back(std::move(out));
  }
  return routes;
}

Status RealHostFacts::CheckBridgeSupport() {
  const char kProbe[] = "vnprobe0";
  NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL));
  if (!msg) return SystemErrorFromErrno(ENOMEM, "cannot allocate a netlink message");
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  uint8_t wrong_size = 1;  // IFLA_BR_STP_STATE is a u32
  bool ok = nlmsg_append(msg.get(), &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
            nla_put_string(msg.get(), IFLA_IFNAME, kProbe) == 0;
  nlattr* info = ok ? nla_nest_start(msg.get(), IFLA_LINKINFO) : nullptr;
  ok = info && nla_put_string(msg.get(), IFLA_INFO_KIND, "bridge") == 0;
  nlattr* data = ok ? nla_nest_start(msg.get(), IFLA_INFO_DATA) : nullptr;
  ok = data && nla_put(msg.get(), IFLA_BR_STP_STATE, sizeof(wrong_size), &wrong_size) == 0;
  if (!ok) return SystemErrorFromErrno(EMSGSIZE, "cannot build the netlink message");
  nla_nest_end(msg.get(), data);
  nla_nest_end(msg.get(), info);
  int err = SendAndWaitAck(sock_.get(), msg.get());
  if (err == 0) {
    // A kernel that accepted it after all: undo, and it has bridges.
    RtnlLinkPtr link(rtnl_link_alloc());
    nl_msg* raw = nullptr;
    if (link) {
      rtnl_link_set_name(link.get(), kProbe);
      if (rtnl_link_build_delete_request(link.get(), &raw) == 0) {
        NlMsgPtr del(raw);
        (void)SendAndWaitAck(sock_.get(), del.get());
      }
    }
    return Status::Ok();
  }
  if (err == EOPNOTSUPP) {
    return InternalError("the kernel has no bridge support (module 'bridge' not available)");
  }
  if (err == ERANGE || err == EINVAL) return Status::Ok();
  return SystemErrorFromErrno(err, "cannot check the kernel's bridge support");
}

Status RealHostFacts::CheckNftablesSupport() {
  ASSIGN_OR_RETURN(
      NftSocket sock,
      NftSocket::Open(0, {.open = "the kernel has no nf_tables support (netfilter netlink)",
                          .bind = "cannot bind a netfilter netlink socket"}));
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = 1;
  auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  nfg->nfgen_family = AF_UNSPEC;
  nfg->version = NFNETLINK_V0;
  nfg->res_id = 0;
  // The generation message, then the ack; an error reply gives its errno
  // (EINVAL/EOPNOTSUPP when nf_tables is absent).
  if (int err = sock.Exchange(nlh, nullptr, nullptr); err != 0) {
    return SystemErrorFromErrno(err, "the kernel has no nf_tables support");
  }
  return Status::Ok();
}

}  // namespace virtnat::driver
