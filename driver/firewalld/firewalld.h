#pragma once
// firewalld as the network driver uses it: whether it runs, which zones and
// policies it has, and putting a bridge into a zone or taking it out. The
// D-Bus implementation is `FirewalldBus` (firewalld_dbus.h); the decisions
// over it are pure (firewalld_zone.h) and tested with a fake.

#include <string>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

class Firewalld {
 public:
  virtual ~Firewalld() = default;
  // Whether firewalld owns its name on the system bus (false without a bus).
  virtual bool Running() = 0;
  // The names of the zones (getZones) and policies (getPolicies).
  virtual Result<std::vector<std::string>> Zones() = 0;
  virtual Result<std::vector<std::string>> Policies() = 0;
  // changeZoneOfInterface: `iface` leaves its zone, if any, for `zone`.
  virtual Status ChangeZoneOfInterface(const std::string& zone, const std::string& iface) = 0;
  // removeInterface with the empty zone: `iface` leaves whatever zone it is in.
  virtual Status RemoveInterface(const std::string& iface) = 0;
};

// The firewalld of a host without one (and of tests): never running.
class NoFirewalld final : public Firewalld {
 public:
  bool Running() override { return false; }
  Result<std::vector<std::string>> Zones() override { return std::vector<std::string>{}; }
  Result<std::vector<std::string>> Policies() override { return std::vector<std::string>{}; }
  Status ChangeZoneOfInterface(const std::string&, const std::string& iface) override {
    return InternalError("firewalld is not running: cannot put '" + iface + "' in a zone");
  }
  Status RemoveInterface(const std::string&) override { return Status::Ok(); }
};

}  // namespace virtnat::driver
