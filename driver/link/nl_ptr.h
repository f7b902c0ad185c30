#pragma once
// Owning pointers for libnl-3 / libnl-route-3 objects, one named deleter per
// type. libnl objects are reference counted; these own exactly one reference.

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <memory>

namespace virtnat::driver {

struct NlSockDeleter {
  void operator()(nl_sock* p) const noexcept { nl_socket_free(p); }  // also closes it
};
struct NlMsgDeleter {
  void operator()(nl_msg* p) const noexcept { nlmsg_free(p); }
};
struct NlCbDeleter {
  void operator()(nl_cb* p) const noexcept { nl_cb_put(p); }
};
struct NlCacheDeleter {
  void operator()(nl_cache* p) const noexcept { nl_cache_free(p); }
};
struct NlAddrDeleter {
  void operator()(nl_addr* p) const noexcept { nl_addr_put(p); }
};
struct RtnlLinkDeleter {
  void operator()(rtnl_link* p) const noexcept { rtnl_link_put(p); }
};
struct RtnlAddrDeleter {
  void operator()(rtnl_addr* p) const noexcept { rtnl_addr_put(p); }
};
struct RtnlRouteDeleter {
  void operator()(rtnl_route* p) const noexcept { rtnl_route_put(p); }
};
// Only for a next hop not yet handed to rtnl_route_add_nexthop(), which
// takes ownership: release() it at that point.
struct RtnlNexthopDeleter {
  void operator()(rtnl_nexthop* p) const noexcept { rtnl_route_nh_free(p); }
};

using NlSockPtr = std::unique_ptr<nl_sock, NlSockDeleter>;
using NlMsgPtr = std::unique_ptr<nl_msg, NlMsgDeleter>;
using NlCbPtr = std::unique_ptr<nl_cb, NlCbDeleter>;
using NlCachePtr = std::unique_ptr<nl_cache, NlCacheDeleter>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrDeleter>;
using RtnlLinkPtr = std::unique_ptr<rtnl_link, RtnlLinkDeleter>;
using RtnlAddrPtr = std::unique_ptr<rtnl_addr, RtnlAddrDeleter>;
using RtnlRoutePtr = std::unique_ptr<rtnl_route, RtnlRouteDeleter>;
using RtnlNexthopPtr = std::unique_ptr<rtnl_nexthop, RtnlNexthopDeleter>;

}  // namespace virtnat::driver
