#include "upstream.h"

#include <glib.h>

#define VIR_FROM_THIS VIR_FROM_NETWORK
VIR_LOG_INIT("virtnat.upstream");

#define VN_DEFAULT_SOCKET "/run/libvirt/virtnetworkd-sock"
#define VN_RECONNECT_MAX_SECONDS 60

/* Two locks, neither held across the other: `lock` guards the connection
 * and is held while it is opened; `rlock` guards the reconnect thread and
 * is never held across a libvirt call, because the close callback takes it
 * and may run on any thread, including one that holds `lock`. */
static struct {
  GMutex lock;
  char *socket;
  char *uri;
  virConnectPtr up; /* under lock */
  virObjectEventState *events;
  GMutex rlock;
  GThread *reconnect; /* under rlock */
  bool reconnecting;  /* under rlock */
  bool stopping;      /* under rlock */
  GCond wake;         /* with rlock */
} vn;

virObjectEventState *vn_upstream_events(void) { return vn.events; }

bool vn_upstream_active(void) { return vn.events != NULL; }

static void vn_on_lifecycle(virConnectPtr conn G_GNUC_UNUSED, virNetworkPtr net, int event,
                            int detail, void *opaque G_GNUC_UNUSED) {
  virObjectEvent *ev = vn_priv.networkEventLifecycleNew(net->name, net->uuid, event, detail);
  if (ev) vn_priv.eventStateQueue(vn.events, ev);
}

static void vn_on_close(virConnectPtr conn, int reason, void *opaque);

/* Drops a connection that is no longer vn.up; never under vn.lock (the
 * close callback may run on the thread that closes). */
static void vn_drop(virConnectPtr up) {
  if (!up) return;
  virConnectUnregisterCloseCallback(up, vn_on_close);
  vn_priv.objectUnref(up);
}

static void *vn_reconnect_loop(void *opaque G_GNUC_UNUSED) {
  gint64 wait = G_TIME_SPAN_SECOND;
  g_mutex_lock(&vn.rlock);
  while (!vn.stopping) {
    gint64 until = g_get_monotonic_time() + wait;
    while (!vn.stopping && g_cond_wait_until(&vn.wake, &vn.rlock, until)) {
    }
    if (vn.stopping) break;
    g_mutex_unlock(&vn.rlock);
    virConnectPtr up = vn_upstream_get();
    virResetLastError();
    g_mutex_lock(&vn.rlock);
    if (up) {
      VN_LOG(VIR_LOG_INFO, "virtnatd is back at %s; network events flow again", vn.socket);
      vn_priv.objectUnref(up);
      break;
    }
    wait = MIN(wait * 2, VN_RECONNECT_MAX_SECONDS * G_TIME_SPAN_SECOND);
  }
  vn.reconnecting = false;
  g_mutex_unlock(&vn.rlock);
  return NULL;
}

/* virtnatd closed the connection (it stopped or restarted): network events
 * for libvirtd's clients would stop until the next call reopens it, so one
 * thread reconnects (after 1 s, then backing off to a minute) until
 * virtnatd answers. */
static void vn_on_close(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED,
                        void *opaque G_GNUC_UNUSED) {
  g_mutex_lock(&vn.rlock);
  if (!vn.stopping && !vn.reconnecting) {
    VN_LOG(VIR_LOG_WARN, "virtnatd closed the connection at %s; reconnecting", vn.socket);
    if (vn.reconnect) g_thread_join(vn.reconnect); /* finished: reconnecting is false */
    vn.reconnecting = true;
    vn.reconnect = g_thread_new("virtnat-reconnect", vn_reconnect_loop, NULL);
  }
  g_mutex_unlock(&vn.rlock);
}

static virConnectPtr vn_open(void) {
  virConnectPtr up = virConnectOpen(vn.uri);
  if (!up) {
    virErrorPtr err = virGetLastError();
    VN_ERROR(VIR_ERR_OPERATION_FAILED,
             "virtnatd is not reachable at %s (%s): start virtnatd "
             "(systemctl start virtnatd.socket) or remove the virtnat libvirtd module",
             vn.socket, err && err->message ? err->message : "no error given");
    return NULL;
  }
  if (virConnectNetworkEventRegisterAny(up, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                        VIR_NETWORK_EVENT_CALLBACK(vn_on_lifecycle), NULL,
                                        NULL) < 0 ||
      virConnectRegisterCloseCallback(up, vn_on_close, NULL, NULL) < 0) {
    virErrorPtr err = virSaveLastError();
    vn_priv.objectUnref(up);
    VN_ERROR(VIR_ERR_OPERATION_FAILED, "virtnatd at %s refused network event registration: %s",
             vn.socket, err && err->message ? err->message : "no error given");
    virFreeError(err);
    return NULL;
  }
  return up;
}

virConnectPtr vn_upstream_get(void) {
  virConnectPtr stale = NULL;
  virConnectPtr ret = NULL;

  g_mutex_lock(&vn.lock);
  if (vn.up && virConnectIsAlive(vn.up) != 1) stale = g_steal_pointer(&vn.up);
  g_mutex_unlock(&vn.lock);
  vn_drop(stale);

  g_mutex_lock(&vn.lock);
  if (!vn.events)
    VN_ERROR(VIR_ERR_INTERNAL_ERROR, "%s", "the virtnat network module is not initialized");
  else if (!vn.up)
    vn.up = vn_open();
  if (vn.up) ret = vn_priv.objectRef(vn.up);
  g_mutex_unlock(&vn.lock);
  return ret;
}

void vn_upstream_release(virConnectPtr up) {
  if (up) vn_priv.objectUnref(up);
}

int vn_upstream_init(void) {
  const char *path = g_getenv("VIRTNAT_PLUGIN_SOCKET");
  vn.socket = g_strdup(path && *path ? path : VN_DEFAULT_SOCKET);
  vn.uri = g_strdup_printf("network+unix:///system?socket=%s", vn.socket);
  if (!(vn.events = vn_priv.eventStateNew())) return -1;
  VN_LOG(VIR_LOG_INFO, "network calls go to virtnatd at %s", vn.socket);
  return 0;
}

void vn_upstream_cleanup(void) {
  g_mutex_lock(&vn.rlock);
  vn.stopping = true;
  g_cond_broadcast(&vn.wake);
  GThread *thread = g_steal_pointer(&vn.reconnect);
  g_mutex_unlock(&vn.rlock);
  if (thread) g_thread_join(thread);

  g_mutex_lock(&vn.lock);
  virConnectPtr up = g_steal_pointer(&vn.up);
  g_mutex_unlock(&vn.lock);
  vn_drop(up);
  if (vn.events) vn_priv.objectUnref(g_steal_pointer(&vn.events));
  g_clear_pointer(&vn.uri, g_free);
  g_clear_pointer(&vn.socket, g_free);
}
