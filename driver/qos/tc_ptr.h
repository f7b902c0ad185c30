#pragma once
// Owning pointers for libnl-route's traffic-control objects, one named
// deleter per type (as driver/link/nl_ptr.h does for links and addresses).
// Each owns exactly one reference.

#include <netlink/route/action.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>

#include <memory>

namespace virtnat::driver {

struct RtnlQdiscDeleter {
  void operator()(rtnl_qdisc* p) const noexcept { rtnl_qdisc_put(p); }
};
struct RtnlClassDeleter {
  void operator()(rtnl_class* p) const noexcept { rtnl_class_put(p); }
};
struct RtnlClsDeleter {
  void operator()(rtnl_cls* p) const noexcept { rtnl_cls_put(p); }
};
struct RtnlActDeleter {
  void operator()(rtnl_act* p) const noexcept { rtnl_act_put(p); }
};

using RtnlQdiscPtr = std::unique_ptr<rtnl_qdisc, RtnlQdiscDeleter>;
using RtnlClassPtr = std::unique_ptr<rtnl_class, RtnlClassDeleter>;
using RtnlClsPtr = std::unique_ptr<rtnl_cls, RtnlClsDeleter>;
using RtnlActPtr = std::unique_ptr<rtnl_act, RtnlActDeleter>;

}  // namespace virtnat::driver
