/*
 * The forwarding helpers shared by the network and port calls: every call
 * takes a reference to the connection to virtnatd, makes libvirt's public
 * call on it with the upstream twin of the local object (same name and
 * UUID, built locally by virGetNetwork: no round trip), and hands back
 * local objects of the caller's connection. virtnatd's error (code, domain,
 * message) reaches the caller unchanged: the remote driver recreates it as
 * the thread's last error, and the libvirt API that called the module
 * dispatches it.
 */
#pragma once

#include "acl.h"
#include "upstream.h"

struct vn_call {
  virConnectPtr up;
  virNetworkPtr net; /* upstream twin of the local network, or NULL */
};

/* false with the error set; on true, vn_call_end releases. */
bool vn_call_begin(struct vn_call *call, virNetworkPtr local);
void vn_call_end(struct vn_call *call);

/* A local network of `conn` for an upstream one (which is released). */
virNetworkPtr vn_local_network(virConnectPtr conn, virNetworkPtr upstream);

/* The local objects for an upstream list, in libvirt's allocator: `twin`
 * builds one from its owner (a connection or a network) and an upstream
 * object; the upstream objects are released and their list freed. */
typedef void *(*vn_twin_fn)(void *owner, void *upstream);
int vn_local_list(void *owner, void **ups, int n, vn_twin_fn twin, void ***out);

/* The port calls (port_calls.c), entries of the driver. */
virNetworkPortPtr vnNetworkPortLookupByUUID(virNetworkPtr net, const unsigned char *uuid);
virNetworkPortPtr vnNetworkPortCreateXML(virNetworkPtr net, const char *xml, unsigned int flags);
char *vnNetworkPortGetXMLDesc(virNetworkPortPtr port, unsigned int flags);
int vnNetworkPortSetParameters(virNetworkPortPtr port, virTypedParameterPtr params, int nparams,
                               unsigned int flags);
int vnNetworkPortGetParameters(virNetworkPortPtr port, virTypedParameterPtr *params, int *nparams,
                               unsigned int flags);
int vnNetworkPortDelete(virNetworkPortPtr port, unsigned int flags);
int vnNetworkListAllPorts(virNetworkPtr net, virNetworkPortPtr **ports, unsigned int flags);

extern virNetworkDriver vn_network_driver;
