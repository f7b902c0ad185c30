#include "driver/firewalld/firewalld_dbus.h"

namespace virtnat::driver {
namespace {

constexpr char kService[] = "org.fedoraproject.FirewallD1";
constexpr char kPath[] = "/org/fedoraproject/FirewallD1";
constexpr char kZone[] = "org.fedoraproject.FirewallD1.zone";
constexpr char kPolicy[] = "org.fedoraproject.FirewallD1.policy";
constexpr int kTimeoutMs = 10000;

struct ErrorFree {
  void operator()(GError* error) const noexcept { g_error_free(error); }
};
using ErrorPtr = std::unique_ptr<GError, ErrorFree>;

struct VariantUnref {
  void operator()(GVariant* v) const noexcept { g_variant_unref(v); }
};
using VariantPtr = std::unique_ptr<GVariant, VariantUnref>;

}  // namespace

FirewalldBus::FirewalldBus() = default;

FirewalldBus::~FirewalldBus() { Unsubscribe(); }

GDBusConnection* FirewalldBus::Connection() {
  if (connection_ && !g_dbus_connection_is_closed(connection_.get())) return connection_.get();
  Unsubscribe();
  connection_.reset();
  GError* raw = nullptr;
  gchar* address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, nullptr, &raw);
  GDBusConnection* opened = nullptr;
  if (address != nullptr) {
    opened = g_dbus_connection_new_for_address_sync(
        address,
        static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
        nullptr, nullptr, &raw);
    g_free(address);
  }
  ErrorPtr error(raw);
  if (opened == nullptr) {
    if (!reported_no_bus_) {
      g_debug("firewalld: no system D-Bus (%s); networks get no firewalld zone",
              error ? error->message : "no address");
      reported_no_bus_ = true;
    }
    return nullptr;
  }
  reported_no_bus_ = false;
  g_dbus_connection_set_exit_on_close(opened, FALSE);
  connection_.reset(opened);
  if (changed_) Subscribe();
  return connection_.get();
}

void FirewalldBus::Watch(std::function<void(const char* why)> changed) {
  changed_ = std::move(changed);
  watch_context_ = g_main_context_get_thread_default();
  if (connection_)
    Subscribe();
  else
    (void)Connection();
}

void FirewalldBus::Subscribe() {
  Unsubscribe();
  // Signals are delivered on the thread-default context at subscription.
  if (watch_context_ != nullptr) g_main_context_push_thread_default(watch_context_);
  subscriptions_.push_back(g_dbus_connection_signal_subscribe(
      connection_.get(), kService, kService, "Reloaded", kPath, nullptr, G_DBUS_SIGNAL_FLAGS_NONE,
      &FirewalldBus::OnSignal, this, nullptr));
  subscriptions_.push_back(g_dbus_connection_signal_subscribe(
      connection_.get(), "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
      "/org/freedesktop/DBus", kService, G_DBUS_SIGNAL_FLAGS_NONE, &FirewalldBus::OnSignal, this,
      nullptr));
  if (watch_context_ != nullptr) g_main_context_pop_thread_default(watch_context_);
}

void FirewalldBus::Unsubscribe() {
  for (guint id : subscriptions_) {
    if (connection_) g_dbus_connection_signal_unsubscribe(connection_.get(), id);
  }
  subscriptions_.clear();
}

void FirewalldBus::OnSignal(GDBusConnection*, const gchar*, const gchar*, const gchar*,
                            const gchar* signal, GVariant* params, gpointer data) noexcept {
  auto* self = static_cast<FirewalldBus*>(data);
  const char* why = "reloaded";
  if (g_strcmp0(signal, "NameOwnerChanged") == 0) {
    const gchar* new_owner = nullptr;
    if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)"))) return;
    g_variant_get(params, "(&s&s&s)", nullptr, nullptr, &new_owner);
    if (new_owner == nullptr || *new_owner == '\0') {
      g_info("firewalld left the system bus");
      return;
    }
    why = "started";
  }
  try {
    if (self->changed_) self->changed_(why);
  } catch (...) {
    g_warning("firewalld %s: setting the zones again failed", why);
  }
}

Result<GVariant*> FirewalldBus::Call(const char* path, const char* interface, const char* method,
                                     GVariant* args, const GVariantType* reply) {
  GDBusConnection* bus = Connection();
  if (bus == nullptr) {
    if (args != nullptr) g_variant_unref(g_variant_ref_sink(args));
    return MakeError(VIR_ERR_DBUS_SERVICE, VIR_FROM_DBUS,
                     "cannot reach firewalld: no system D-Bus; start dbus and firewalld");
  }
  const bool to_bus = g_strcmp0(interface, "org.freedesktop.DBus") == 0;
  GError* raw = nullptr;
  GVariant* result = g_dbus_connection_call_sync(bus, to_bus ? "org.freedesktop.DBus" : kService,
                                                 path, interface, method, args, reply,
                                                 G_DBUS_CALL_FLAGS_NONE, kTimeoutMs, nullptr, &raw);
  ErrorPtr error(raw);
  if (result == nullptr) {
    // libvirt reports a failed call with the service's message as is.
    return MakeError(VIR_ERR_DBUS_SERVICE, VIR_FROM_DBUS,
                     error ? error->message : "firewalld call failed");
  }
  return result;
}

bool FirewalldBus::Running() {
  Result<GVariant*> reply = Call("/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                                 g_variant_new("(s)", kService), G_VARIANT_TYPE("(b)"));
  if (!reply.ok()) return false;
  VariantPtr owned(*reply);
  gboolean has = FALSE;
  g_variant_get(owned.get(), "(b)", &has);
  return has != FALSE;
}

Result<std::vector<std::string>> FirewalldBus::Names(const char* interface, const char* method) {
  ASSIGN_OR_RETURN(GVariant * reply,
                   Call(kPath, interface, method, nullptr, G_VARIANT_TYPE("(as)")));
  VariantPtr owned(reply);
  VariantPtr array(g_variant_get_child_value(owned.get(), 0));
  std::vector<std::string> names;
  gsize n = 0;
  const gchar** strv = g_variant_get_strv(array.get(), &n);
  for (gsize i = 0; i < n; ++i) names.emplace_back(strv[i]);
  g_free(strv);
  return names;
}

Result<std::vector<std::string>> FirewalldBus::Zones() { return Names(kZone, "getZones"); }

Result<std::vector<std::string>> FirewalldBus::Policies() { return Names(kPolicy, "getPolicies"); }

Status FirewalldBus::ChangeZoneOfInterface(const std::string& zone, const std::string& iface) {
  ASSIGN_OR_RETURN(GVariant * reply,
                   Call(kPath, kZone, "changeZoneOfInterface",
                        g_variant_new("(ss)", zone.c_str(), iface.c_str()), nullptr));
  g_variant_unref(reply);
  return Status::Ok();
}

Status FirewalldBus::RemoveInterface(const std::string& iface) {
  ASSIGN_OR_RETURN(GVariant * reply, Call(kPath, kZone, "removeInterface",
                                          g_variant_new("(ss)", "", iface.c_str()), nullptr));
  g_variant_unref(reply);
  return Status::Ok();
}

}  // namespace virtnat::driver
