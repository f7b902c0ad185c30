#include "tests/support/fake_netlink.h"

#include <algorithm>
#include <cerrno>

namespace virtnat::driver {
namespace {

Status NoDevice(const std::string& what, const std::string& ifname) {
  return SystemErrorFromErrno(ENODEV, what + " '" + ifname + "'");
}

std::string Cidr(const IpAddress& address, unsigned prefix) {
  return address.ToString() + "/" + std::to_string(prefix);
}

}  // namespace

void FakeNetlink::FailOn(std::string prefix, Error error) {
  failures_.emplace_back(std::move(prefix), std::move(error));
}

Status FakeNetlink::Record(const std::string& call) {
  calls_.push_back(call);
  auto it = std::find_if(failures_.begin(), failures_.end(),
                         [&call](const auto& f) { return call.rfind(f.first, 0) == 0; });
  if (it == failures_.end()) return Status::Ok();
  Error error = it->second;
  failures_.erase(it);
  return error;
}

Status FakeNetlink::CreateBridge(const BridgeSpec& spec) {
  RETURN_IF_ERROR(Record("CreateBridge " + spec.name +
                         " mac=" + (spec.mac ? xml::FormatMac(*spec.mac) : "none") +
                         " mtu=" + std::to_string(spec.mtu) + " stp=" + (spec.stp ? "on" : "off") +
                         " delay=" + std::to_string(spec.delay_seconds)));
  if (spec.name.size() > 15) {
    return SystemErrorFromErrno(ERANGE, "error creating bridge interface " + spec.name);
  }
  if (links_.count(spec.name)) {
    return SystemErrorFromErrno(EEXIST, "error creating bridge interface " + spec.name);
  }
  links_[spec.name].spec = spec;
  return Status::Ok();
}

Status FakeNetlink::AddAddress(const std::string& ifname, const InterfaceAddress& address) {
  std::string cidr = Cidr(address.address, address.prefix);
  RETURN_IF_ERROR(Record("AddAddress " + ifname + " " + cidr));
  auto it = links_.find(ifname);
  if (it == links_.end()) return NoDevice("cannot add IP address " + cidr + " to", ifname);
  auto& addresses = it->second.addresses;
  if (std::find(addresses.begin(), addresses.end(), cidr) != addresses.end()) {
    return SystemErrorFromErrno(EEXIST, "cannot add IP address " + cidr + " to '" + ifname + "'");
  }
  addresses.push_back(cidr);
  return Status::Ok();
}

Status FakeNetlink::SetLinkUp(const std::string& ifname, bool up) {
  RETURN_IF_ERROR(Record("SetLinkUp " + ifname + (up ? " up" : " down")));
  auto it = links_.find(ifname);
  if (it == links_.end()) {
    return NoDevice(up ? "failed to set interface up" : "failed to set interface down", ifname);
  }
  it->second.up = up;
  return Status::Ok();
}

Status FakeNetlink::AddRoute(const std::string& ifname, const StaticRoute& route) {
  std::string text = Cidr(route.destination, route.prefix) + " via " + route.gateway.ToString() +
                     " metric " + std::to_string(route.metric);
  RETURN_IF_ERROR(Record("AddRoute " + ifname + " " + text));
  auto it = links_.find(ifname);
  if (it == links_.end()) {
    return NoDevice("cannot add route " + Cidr(route.destination, route.prefix) + " via " +
                        route.gateway.ToString() + " to",
                    ifname);
  }
  it->second.routes.push_back(text);
  return Status::Ok();
}

Status FakeNetlink::DeleteLink(const std::string& ifname) {
  RETURN_IF_ERROR(Record("DeleteLink " + ifname));
  if (links_.erase(ifname) == 0) return NoDevice("cannot delete interface", ifname);
  return Status::Ok();
}

}  // namespace virtnat::driver
