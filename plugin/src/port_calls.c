/* The network port calls: what the hypervisor drivers use for a guest's
 * <interface type='network'> (virNetworkPortCreateXML when it starts,
 * virNetworkPortDelete when it stops), forwarded to virtnatd. */
#include "calls.h"

#define VIR_FROM_THIS VIR_FROM_NETWORK
VIR_LOG_INIT("virtnat.ports");

/* A local port of `net` for an upstream one (which is released). */
static virNetworkPortPtr vn_local_port(virNetworkPtr net, virNetworkPortPtr upstream) {
  if (!upstream) return NULL;
  virNetworkPortPtr local = vn_priv.getNetworkPort(net, upstream->uuid);
  vn_priv.objectUnref(upstream);
  return local;
}

static void *vn_port_twin(void *net, void *upstream) {
  return vn_priv.getNetworkPort(net, ((virNetworkPortPtr)upstream)->uuid);
}

/* An upstream call on the twin of a local port, if access check CHECK
 * allows it. */
#define VN_PORT_FORWARD(type, fail, check, expr)                        \
  do {                                                                  \
    struct vn_call call;                                                \
    virNetworkPortPtr up_port;                                          \
    type r = fail;                                                      \
    if (vn_acl_port(vn_acl.check, port->net, port->uuid) < 0) return r; \
    if (!vn_call_begin(&call, port->net)) return r;                     \
    if ((up_port = vn_priv.getNetworkPort(call.net, port->uuid))) {     \
      r = expr;                                                         \
      vn_priv.objectUnref(up_port);                                     \
    }                                                                   \
    vn_call_end(&call);                                                 \
    return r;                                                           \
  } while (0)

virNetworkPortPtr vnNetworkPortLookupByUUID(virNetworkPtr net, const unsigned char *uuid) {
  struct vn_call call;
  virNetworkPortPtr r = NULL;
  if (vn_call_begin(&call, net)) {
    r = vn_local_port(net, virNetworkPortLookupByUUID(call.net, uuid));
    if (r && vn_acl_port(vn_acl.portLookupByUUID, net, r->uuid) < 0) {
      vn_priv.objectUnref(r);
      r = NULL;
    }
    vn_call_end(&call);
  }
  return r;
}

virNetworkPortPtr vnNetworkPortCreateXML(virNetworkPtr net, const char *xml, unsigned int flags) {
  struct vn_call call;
  virNetworkPortPtr r = NULL;
  if (vn_acl_port_xml(net, xml) >= 0 && vn_call_begin(&call, net)) {
    r = vn_local_port(net, virNetworkPortCreateXML(call.net, xml, flags));
    vn_call_end(&call);
  }
  return r;
}

char *vnNetworkPortGetXMLDesc(virNetworkPortPtr port, unsigned int flags) {
  VN_PORT_FORWARD(char *, NULL, portGetXMLDesc, virNetworkPortGetXMLDesc(up_port, flags));
}

int vnNetworkPortSetParameters(virNetworkPortPtr port, virTypedParameterPtr params, int nparams,
                               unsigned int flags) {
  VN_PORT_FORWARD(int, -1, portSetParameters,
                  virNetworkPortSetParameters(up_port, params, nparams, flags));
}

int vnNetworkPortGetParameters(virNetworkPortPtr port, virTypedParameterPtr *params, int *nparams,
                               unsigned int flags) {
  /* Typed parameters are plain data the caller frees: handed on as is. */
  VN_PORT_FORWARD(int, -1, portGetParameters,
                  virNetworkPortGetParameters(up_port, params, nparams, flags));
}

int vnNetworkPortDelete(virNetworkPortPtr port, unsigned int flags) {
  VN_PORT_FORWARD(int, -1, portDelete, virNetworkPortDelete(up_port, flags));
}

int vnNetworkListAllPorts(virNetworkPtr net, virNetworkPortPtr **ports, unsigned int flags) {
  struct vn_call call;
  virNetworkPortPtr *ups = NULL;
  int n;
  if (VN_ACL_NET(listAllPorts, net) < 0 || !vn_call_begin(&call, net)) return -1;
  n = virNetworkListAllPorts(call.net, &ups, flags);
  vn_call_end(&call);
  if (n < 0) return n;
  n = vn_filter_ports(net, ups, n);
  if (!ports) {
    for (int i = 0; i < n; i++) vn_priv.objectUnref(ups[i]);
    g_free(ups);
    return n;
  }
  return vn_local_list(net, (void **)ups, n, vn_port_twin, (void ***)ports);
}
