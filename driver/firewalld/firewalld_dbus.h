#pragma once
// firewalld over its D-Bus API on the system bus (GDBus): the calls libvirt
// makes (NameHasOwner, zone.getZones, policy.getPolicies,
// zone.changeZoneOfInterface, zone.removeInterface) and the two events
// after which zones must be set again: firewalld's Reloaded signal and its
// name getting a new owner (firewalld started or restarted).
//
// The bus is the one DBUS_SYSTEM_BUS_ADDRESS names (else the standard
// socket), on a private connection that never exits the process when the
// bus goes away; a lost connection is opened again at the next call. A host
// without a system bus gets one debug line and behaves as without firewalld.
// Calls block the caller, bounded by a timeout.

#include <gio/gio.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "driver/firewalld/firewalld.h"

namespace virtnat::driver {

class FirewalldBus final : public Firewalld {
 public:
  FirewalldBus();
  ~FirewalldBus() override;
  FirewalldBus(const FirewalldBus&) = delete;
  FirewalldBus& operator=(const FirewalldBus&) = delete;

  bool Running() override;
  Result<std::vector<std::string>> Zones() override;
  Result<std::vector<std::string>> Policies() override;
  Status ChangeZoneOfInterface(const std::string& zone, const std::string& iface) override;
  Status RemoveInterface(const std::string& iface) override;

  // Calls `changed` with a reason ("reloaded", "started") on the
  // thread-default main context of this call whenever firewalld reloads or
  // (re)appears on the bus. Subscribes again when the connection is opened
  // again. REQUIRES: `changed` does not throw.
  void Watch(std::function<void(const char* why)> changed);

 private:
  struct ObjectUnref {
    void operator()(gpointer object) const noexcept { g_object_unref(object); }
  };
  // The connection, opened (and subscribed) if needed; null without a bus.
  GDBusConnection* Connection();
  void Subscribe();
  void Unsubscribe();
  Result<GVariant*> Call(const char* path, const char* interface, const char* method,
                         GVariant* args, const GVariantType* reply);
  Result<std::vector<std::string>> Names(const char* interface, const char* method);
  static void OnSignal(GDBusConnection*, const gchar* sender, const gchar* path,
                       const gchar* interface, const gchar* signal, GVariant* params,
                       gpointer self) noexcept;

  std::unique_ptr<GDBusConnection, ObjectUnref> connection_;
  std::function<void(const char*)> changed_;
  GMainContext* watch_context_ = nullptr;
  std::vector<guint> subscriptions_;
  bool reported_no_bus_ = false;
};

}  // namespace virtnat::driver
