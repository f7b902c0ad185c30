#pragma once
// Keeps libvirt's BRIDGE.status file (lease_status.h) current for every
// running dnsmasq, so that libnss-libvirt resolves guest names on the host
// as it does with libvirt. dnsmasq rewrites its lease database in place on
// every lease change (added, renewed, released, expired); one inotify
// instance on the databases' directories sees each rewrite, and the status
// file is replaced atomically (WriteFileAtomic, mode 0644) a moment later
// (changes are coalesced). It is removed when the network's dnsmasq stops.
//
// REQUIRES: every call on the thread that iterates the context given.

#include <glib.h>

#include <map>
#include <memory>
#include <string>

#include "driver/dnsmasq/dnsmasq_service.h"

namespace virtnat::driver {

class LeasePublisher {
 public:
  // Status files go to `dir` (created 0755 when first needed).
  LeasePublisher(std::string dir, GMainContext* context);
  ~LeasePublisher();
  LeasePublisher(const LeasePublisher&) = delete;
  LeasePublisher& operator=(const LeasePublisher&) = delete;

  // Publishes `lease_file`'s leases as DIR/BRIDGE.status now and after each
  // change, for `owner` (a later Watch of the same file takes it over).
  void Watch(const std::string& lease_file, const std::string& bridge, const void* owner);
  // Stops publishing for `owner` and removes the status file. A file now
  // watched for another owner is left alone.
  void Forget(const std::string& lease_file, const void* owner);

  // Removes BRIDGE.status of a network stopped while no daemon ran, unless
  // a running network publishes it.
  void RemoveStale(const std::string& bridge);

  std::string StatusPath(const std::string& bridge) const {
    return dir_ + "/" + bridge + ".status";
  }

 private:
  struct Entry {
    std::string bridge;
    const void* owner = nullptr;
    bool dirty = false;
  };
  static gboolean OnInotify(gint fd, GIOCondition condition, gpointer self) noexcept;
  static gboolean OnFlush(gpointer self) noexcept;
  void AddDirectoryWatch(const std::string& dir);
  void Schedule();
  void Publish(const std::string& lease_file, const Entry& entry);

  std::string dir_;
  GMainContext* context_;
  int inotify_ = -1;
  GSource* inotify_source_ = nullptr;
  GSource* flush_source_ = nullptr;
  std::map<int, std::string> directories_;  // watch descriptor -> directory
  std::map<std::string, Entry> files_;      // lease file -> what to publish
  std::string last_error_;
};

// Wraps `inner`: each service it makes publishes its leases through
// `publisher` while its dnsmasq runs (from a successful start or adoption
// to its stop). `publisher` outlives every service made.
DnsmasqFactory PublishingLeases(DnsmasqFactory inner, LeasePublisher* publisher);

}  // namespace virtnat::driver
