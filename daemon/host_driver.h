#pragma once
// Builds the real implementations behind the driver: the kernel interfaces
// (netlink, nftables, host facts, sysctls), supervised dnsmasq, the
// HostRealizer, and the file store for persistent definitions.

#include <memory>

#include "common/status.h"
#include "daemon/options.h"
#include "driver/bridge.h"
#include "driver/file_store.h"
#include "driver/firewall_nft.h"
#include "driver/host_facts.h"
#include "driver/host_realizer.h"
#include "driver/memory_driver.h"
#include "driver/network_state.h"
#include "driver/network_state_adopt.h"
#include "driver/status_store.h"
#include "driver/sysctl.h"

namespace virtnat::daemon {

class HostDriverParts {
 public:
  // Opens the kernel interfaces in the calling thread's network namespace.
  // dnsmasq is supervised on the thread-default main context of the caller.
  static Result<std::unique_ptr<HostDriverParts>> Open(const Options& opts);

  driver::HostRealizer& realizer() { return *realizer_; }
  driver::FileStore& store() { return *store_; }
  driver::StatusStore& status() { return *status_; }
  // The bridge, firewall record and dnsmasq of a network running here.
  driver::RunningFacts FactsOf(const std::string& network) const;
  // Tears the networks of `records` down, in this namespace.
  driver::CleanupHooks Cleanup(const std::vector<driver::StatusRecord>& records);
  // Re-adopts the networks of `records` into the realizer and `driver`, in
  // this namespace (network_state_adopt.h). Includes Cleanup(records).
  driver::AdoptHooks Adoption(const std::vector<driver::StatusRecord>& records,
                              driver::DefinitionCodec& codec, driver::MemoryDriver& driver);

 private:
  HostDriverParts() = default;

  std::unique_ptr<driver::RealNetlink> netlink_;
  std::unique_ptr<driver::NftFirewall> firewall_;
  std::unique_ptr<driver::RealHostFacts> facts_;
  std::unique_ptr<driver::Sysctl> sysctl_;
  std::unique_ptr<driver::HostRealizer> realizer_;
  std::unique_ptr<driver::FileStore> store_;
  std::unique_ptr<driver::StatusStore> status_;
};

}  // namespace virtnat::daemon
