#include "calls.h"

#define VIR_FROM_THIS VIR_FROM_NETWORK
VIR_LOG_INIT("virtnat.calls");

bool vn_call_begin(struct vn_call *call, virNetworkPtr local) {
  call->net = NULL;
  if (!(call->up = vn_upstream_get())) return false;
  if (local && !(call->net = vn_priv.getNetwork(call->up, local->name, local->uuid))) {
    vn_upstream_release(call->up);
    return false;
  }
  return true;
}

void vn_call_end(struct vn_call *call) {
  if (call->net) vn_priv.objectUnref(call->net);
  vn_upstream_release(call->up);
}

virNetworkPtr vn_local_network(virConnectPtr conn, virNetworkPtr upstream) {
  if (!upstream) return NULL;
  virNetworkPtr local = vn_priv.getNetwork(conn, upstream->name, upstream->uuid);
  vn_priv.objectUnref(upstream);
  return local;
}

/* One upstream call: `type r = fail`, then, if the access check ACL (an
 * int, 0: allowed) passes, `r = EXPR` with the call open. */
#define VN_FORWARD(type, fail, acl, local, expr)     \
  do {                                               \
    struct vn_call call;                             \
    type r = fail;                                   \
    if ((acl) == 0 && vn_call_begin(&call, local)) { \
      r = expr;                                      \
      vn_call_end(&call);                            \
    }                                                \
    return r;                                        \
  } while (0)

/* A call that returns a network of the caller's connection, if the access
 * check ACL (an int, 0: allowed) passes. */
#define VN_FORWARD_NET(conn, acl, expr)             \
  do {                                              \
    struct vn_call call;                            \
    virNetworkPtr r = NULL;                         \
    if ((acl) == 0 && vn_call_begin(&call, NULL)) { \
      r = vn_local_network(conn, expr);             \
      vn_call_end(&call);                           \
    }                                               \
    return r;                                       \
  } while (0)

/* A network virtnatd found, if the caller may see it (else released). */
static virNetworkPtr vn_lookup_checked(virConnectPtr conn, vn_acl_network_fn *check,
                                       virNetworkPtr upstream) {
  if (upstream && vn_acl_net(check, conn, upstream->name, upstream->uuid) < 0) {
    vn_priv.objectUnref(upstream);
    return NULL;
  }
  return upstream;
}

static void vn_free_networks(virNetworkPtr *nets, int n) {
  for (int i = 0; i < n; i++) vn_priv.objectUnref(nets[i]);
  g_free(nets);
}

/* The old list calls as libvirt's driver answers them: the active (or
 * inactive) networks the access filter lets the caller see. */
static int vn_networks_seen(virConnectPtr conn, vn_acl_connect_fn *check,
                            vn_filter_network_fn *filter, bool active, virNetworkPtr **nets) {
  struct vn_call call;
  int n;
  if (check(conn) < 0 || !vn_call_begin(&call, NULL)) return -1;
  n = virConnectListAllNetworks(
      call.up, nets,
      active ? VIR_CONNECT_LIST_NETWORKS_ACTIVE : VIR_CONNECT_LIST_NETWORKS_INACTIVE);
  vn_call_end(&call);
  return n < 0 ? -1 : vn_filter_networks(filter, conn, *nets, n);
}

static int vn_count_networks(virConnectPtr conn, vn_acl_connect_fn *check,
                             vn_filter_network_fn *filter, bool active) {
  virNetworkPtr *nets = NULL;
  int n = vn_networks_seen(conn, check, filter, active, &nets);
  if (n >= 0) vn_free_networks(nets, n);
  return n;
}

static int vn_network_names(virConnectPtr conn, vn_acl_connect_fn *check,
                            vn_filter_network_fn *filter, bool active, char **const names,
                            int maxnames) {
  virNetworkPtr *nets = NULL;
  int n = vn_networks_seen(conn, check, filter, active, &nets), got = 0;
  if (n < 0) return -1;
  for (int i = 0; i < n && got < maxnames; i++) names[got++] = g_strdup(nets[i]->name);
  vn_free_networks(nets, n);
  return got;
}

static int vnConnectNumOfNetworks(virConnectPtr conn) {
  return vn_count_networks(conn, vn_acl.numOfNetworks, vn_acl.numOfNetworksFilter, true);
}

static int vnConnectListNetworks(virConnectPtr conn, char **const names, int maxnames) {
  return vn_network_names(conn, vn_acl.listNetworks, vn_acl.listNetworksFilter, true, names,
                          maxnames);
}

static int vnConnectNumOfDefinedNetworks(virConnectPtr conn) {
  return vn_count_networks(conn, vn_acl.numOfDefinedNetworks, vn_acl.numOfDefinedNetworksFilter,
                           false);
}

static int vnConnectListDefinedNetworks(virConnectPtr conn, char **const names, int maxnames) {
  return vn_network_names(conn, vn_acl.listDefinedNetworks, vn_acl.listDefinedNetworksFilter, false,
                          names, maxnames);
}

int vn_local_list(void *owner, void **ups, int n, vn_twin_fn twin, void ***out) {
  void **list = g_new0(void *, n + 1);
  int ret = n;
  for (int i = 0; i < n; i++) {
    if (ret >= 0 && !(list[i] = twin(owner, ups[i]))) ret = -1;
    vn_priv.objectUnref(ups[i]);
  }
  g_free(ups);
  if (ret < 0) {
    for (int i = 0; i < n; i++)
      if (list[i]) vn_priv.objectUnref(list[i]);
    g_free(list);
    return -1;
  }
  *out = list;
  return ret;
}

static void *vn_network_twin(void *conn, void *upstream) {
  virNetworkPtr net = upstream;
  return vn_priv.getNetwork(conn, net->name, net->uuid);
}

static int vnConnectListAllNetworks(virConnectPtr conn, virNetworkPtr **nets, unsigned int flags) {
  struct vn_call call;
  virNetworkPtr *ups = NULL;
  int n;
  if (vn_acl.listAllNetworks(conn) < 0 || !vn_call_begin(&call, NULL)) return -1;
  n = virConnectListAllNetworks(call.up, &ups, flags);
  vn_call_end(&call);
  if (n < 0) return n;
  n = vn_filter_networks(vn_acl.listAllNetworksFilter, conn, ups, n);
  if (!nets) {
    vn_free_networks(ups, n);
    return n;
  }
  return vn_local_list(conn, (void **)ups, n, vn_network_twin, (void ***)nets);
}

static int vnConnectNetworkEventRegisterAny(virConnectPtr conn, virNetworkPtr net, int eventID,
                                            virConnectNetworkEventGenericCallback cb, void *opaque,
                                            virFreeCallback freecb) {
  /* Events come only while the connection to virtnatd is open: open it
   * now, or fail, rather than register a callback that never fires. */
  struct vn_call call;
  int id = -1;
  if (vn_acl.eventRegisterAny(conn) < 0 || !vn_call_begin(&call, NULL)) return -1;
  vn_call_end(&call);
  if (vn_priv.networkEventStateRegisterID(conn, vn_upstream_events(), net, eventID, cb, opaque,
                                          freecb, &id) < 0)
    return -1;
  return id;
}

static int vnConnectNetworkEventDeregisterAny(virConnectPtr conn, int callbackID) {
  if (vn_acl.eventDeregisterAny(conn) < 0) return -1;
  if (vn_priv.eventStateDeregisterID(conn, vn_upstream_events(), callbackID, true) < 0) return -1;
  return 0;
}

static virNetworkPtr vnNetworkLookupByUUID(virConnectPtr conn, const unsigned char *uuid) {
  VN_FORWARD_NET(
      conn, 0, vn_lookup_checked(conn, vn_acl.lookupByUUID, virNetworkLookupByUUID(call.up, uuid)));
}

static virNetworkPtr vnNetworkLookupByName(virConnectPtr conn, const char *name) {
  VN_FORWARD_NET(
      conn, 0, vn_lookup_checked(conn, vn_acl.lookupByName, virNetworkLookupByName(call.up, name)));
}

static virNetworkPtr vnNetworkCreateXML(virConnectPtr conn, const char *xml) {
  VN_FORWARD_NET(conn, vn_acl_network_xml(vn_acl.createXMLFlags, conn, xml) < 0,
                 virNetworkCreateXML(call.up, xml));
}

static virNetworkPtr vnNetworkCreateXMLFlags(virConnectPtr conn, const char *xml,
                                             unsigned int flags) {
  VN_FORWARD_NET(conn, vn_acl_network_xml(vn_acl.createXMLFlags, conn, xml) < 0,
                 virNetworkCreateXMLFlags(call.up, xml, flags));
}

static virNetworkPtr vnNetworkDefineXML(virConnectPtr conn, const char *xml) {
  VN_FORWARD_NET(conn, vn_acl_network_xml(vn_acl.defineXMLFlags, conn, xml) < 0,
                 virNetworkDefineXML(call.up, xml));
}

static virNetworkPtr vnNetworkDefineXMLFlags(virConnectPtr conn, const char *xml,
                                             unsigned int flags) {
  VN_FORWARD_NET(conn, vn_acl_network_xml(vn_acl.defineXMLFlags, conn, xml) < 0,
                 virNetworkDefineXMLFlags(call.up, xml, flags));
}

static int vnNetworkUndefine(virNetworkPtr net) {
  VN_FORWARD(int, -1, VN_ACL_NET(undefine, net), net, virNetworkUndefine(call.net));
}

static int vnNetworkUpdate(virNetworkPtr net, unsigned int command, unsigned int section,
                           int parentIndex, const char *xml, unsigned int flags) {
  VN_FORWARD(int, -1, vn_acl_update(net, flags), net,
             virNetworkUpdate(call.net, command, section, parentIndex, xml, flags));
}

static int vnNetworkCreate(virNetworkPtr net) {
  VN_FORWARD(int, -1, VN_ACL_NET(create, net), net, virNetworkCreate(call.net));
}

static int vnNetworkDestroy(virNetworkPtr net) {
  VN_FORWARD(int, -1, VN_ACL_NET(destroy, net), net, virNetworkDestroy(call.net));
}

static char *vnNetworkGetXMLDesc(virNetworkPtr net, unsigned int flags) {
  VN_FORWARD(char *, NULL, VN_ACL_NET(getXMLDesc, net), net, virNetworkGetXMLDesc(call.net, flags));
}

static char *vnNetworkGetBridgeName(virNetworkPtr net) {
  VN_FORWARD(char *, NULL, VN_ACL_NET(getBridgeName, net), net, virNetworkGetBridgeName(call.net));
}

static int vnNetworkGetAutostart(virNetworkPtr net, int *autostart) {
  VN_FORWARD(int, -1, VN_ACL_NET(getAutostart, net), net,
             virNetworkGetAutostart(call.net, autostart));
}

static int vnNetworkSetAutostart(virNetworkPtr net, int autostart) {
  VN_FORWARD(int, -1, VN_ACL_NET(setAutostart, net), net,
             virNetworkSetAutostart(call.net, autostart));
}

static int vnNetworkIsActive(virNetworkPtr net) {
  VN_FORWARD(int, -1, VN_ACL_NET(isActive, net), net, virNetworkIsActive(call.net));
}

static int vnNetworkIsPersistent(virNetworkPtr net) {
  VN_FORWARD(int, -1, VN_ACL_NET(isPersistent, net), net, virNetworkIsPersistent(call.net));
}

static int vnNetworkGetDHCPLeases(virNetworkPtr net, const char *mac,
                                  virNetworkDHCPLeasePtr **leases, unsigned int flags) {
  /* The leases are plain data the caller frees (virNetworkDHCPLeaseFree):
   * virtnatd's array is handed on as it is. */
  VN_FORWARD(int, -1, VN_ACL_NET(getDHCPLeases, net), net,
             virNetworkGetDHCPLeases(call.net, mac, leases, flags));
}

/* Every entry libvirt 9.0's own network driver fills (bridge_driver.c). */
virNetworkDriver vn_network_driver = {
    .name = "virtnat",
    .connectNumOfNetworks = vnConnectNumOfNetworks,
    .connectListNetworks = vnConnectListNetworks,
    .connectNumOfDefinedNetworks = vnConnectNumOfDefinedNetworks,
    .connectListDefinedNetworks = vnConnectListDefinedNetworks,
    .connectListAllNetworks = vnConnectListAllNetworks,
    .connectNetworkEventRegisterAny = vnConnectNetworkEventRegisterAny,
    .connectNetworkEventDeregisterAny = vnConnectNetworkEventDeregisterAny,
    .networkLookupByUUID = vnNetworkLookupByUUID,
    .networkLookupByName = vnNetworkLookupByName,
    .networkCreateXML = vnNetworkCreateXML,
    .networkCreateXMLFlags = vnNetworkCreateXMLFlags,
    .networkDefineXML = vnNetworkDefineXML,
    .networkDefineXMLFlags = vnNetworkDefineXMLFlags,
    .networkUndefine = vnNetworkUndefine,
    .networkUpdate = vnNetworkUpdate,
    .networkCreate = vnNetworkCreate,
    .networkDestroy = vnNetworkDestroy,
    .networkGetXMLDesc = vnNetworkGetXMLDesc,
    .networkGetBridgeName = vnNetworkGetBridgeName,
    .networkGetAutostart = vnNetworkGetAutostart,
    .networkSetAutostart = vnNetworkSetAutostart,
    .networkIsActive = vnNetworkIsActive,
    .networkIsPersistent = vnNetworkIsPersistent,
    .networkGetDHCPLeases = vnNetworkGetDHCPLeases,
    .networkPortLookupByUUID = vnNetworkPortLookupByUUID,
    .networkPortCreateXML = vnNetworkPortCreateXML,
    .networkPortGetXMLDesc = vnNetworkPortGetXMLDesc,
    .networkPortDelete = vnNetworkPortDelete,
    .networkListAllPorts = vnNetworkListAllPorts,
    .networkPortGetParameters = vnNetworkPortGetParameters,
    .networkPortSetParameters = vnNetworkPortSetParameters,
};
