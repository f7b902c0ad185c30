/*
 * The access checks libvirt's own network driver makes in every call.
 *
 * libvirt generates one check per API from the @acl and @aclfilter lines of
 * src/remote/remote_protocol.x (src/rpc/gendispatch.pl, modes aclheader and
 * aclbody) into libvirt.so, exported as LIBVIRT_PRIVATE_<version>
 * (src/libvirt_access.syms): virNetworkCreateEnsureACL(conn, def) and the
 * like, and the list filters virConnectListAllNetworksCheckACL(conn, def).
 * They ask the access manager libvirtd was configured with
 * (access_drivers in libvirtd.conf: polkit, or none) about the object's
 * name and UUID, and report "access denied: '<driver>' denied access" on a
 * denial. The generated header is not in libvirt's source tree, so the
 * signatures are declared here as gendispatch.pl writes them; the functions
 * are looked up with dlsym like the module's other internal symbols.
 *
 * The module calls them where libvirt's driver does, with the same
 * connection (the caller's; a network's or port's own for object calls)
 * and a definition carrying what the access drivers read: the network's
 * name and UUID, and for a port the port's UUID.
 */
#pragma once

#include "libvirt_private.h"

typedef int vn_acl_connect_fn(virConnectPtr conn);
typedef int vn_acl_network_fn(virConnectPtr conn, virNetworkDef *net);
typedef bool vn_filter_network_fn(virConnectPtr conn, virNetworkDef *net);
typedef int vn_acl_update_fn(virConnectPtr conn, virNetworkDef *net, unsigned int flags);
typedef int vn_acl_port_fn(virConnectPtr conn, virNetworkDef *net, virNetworkPortDef *port);
typedef bool vn_filter_port_fn(virConnectPtr conn, virNetworkDef *net, virNetworkPortDef *port);

/* One field per check libvirt 9.0's bridge_driver.c makes (the define and
 * create calls without flags use the *Flags checks there too). */
struct vn_acl {
  vn_acl_connect_fn *connectOpen, *connectSupportsFeature, *numOfNetworks, *listNetworks,
      *numOfDefinedNetworks, *listDefinedNetworks, *listAllNetworks, *eventRegisterAny,
      *eventDeregisterAny;
  vn_filter_network_fn *numOfNetworksFilter, *listNetworksFilter, *numOfDefinedNetworksFilter,
      *listDefinedNetworksFilter, *listAllNetworksFilter;
  vn_acl_network_fn *lookupByUUID, *lookupByName, *createXMLFlags, *defineXMLFlags, *undefine,
      *create, *destroy, *getXMLDesc, *getBridgeName, *getAutostart, *setAutostart, *isActive,
      *isPersistent, *getDHCPLeases, *listAllPorts;
  vn_acl_update_fn *update;
  vn_acl_port_fn *portLookupByUUID, *portCreateXML, *portGetXMLDesc, *portDelete,
      *portSetParameters, *portGetParameters;
  vn_filter_port_fn *listAllPortsFilter;
};

extern struct vn_acl vn_acl;

/* Fills vn_acl; on a missing symbol returns its name, else NULL. */
const char *vn_acl_resolve(void);

/* 0 allowed; -1 denied or failed, with libvirt's error set. */
int vn_acl_net(vn_acl_network_fn *check, virConnectPtr conn, const char *name,
               const unsigned char *uuid);
/* The access check CHECK (a field of vn_acl) of a call on network `net`. */
#define VN_ACL_NET(check, net) vn_acl_net(vn_acl.check, (net)->conn, (net)->name, (net)->uuid)
int vn_acl_update(virNetworkPtr net, unsigned int flags);
int vn_acl_port(vn_acl_port_fn *check, virNetworkPtr net, const unsigned char *port_uuid);

/* The checks of define/create and port create, made on the XML's <name>
 * and <uuid> (a network without one gets a random UUID, as libvirt's parser
 * gives it). 1: the XML has no readable name or UUID: no check; virtnatd
 * refuses that XML with its parse error, as libvirt's parse fails before
 * its check. */
int vn_acl_network_xml(vn_acl_network_fn *check, virConnectPtr conn, const char *xml);
int vn_acl_port_xml(virNetworkPtr net, const char *xml);

/* Keeps those of `n` objects (networks of `conn`, or ports of `net`) the
 * filter allows, in order; the others are released. Returns the count. */
int vn_filter_networks(vn_filter_network_fn *filter, virConnectPtr conn, virNetworkPtr *nets,
                       int n);
int vn_filter_ports(virNetworkPtr net, virNetworkPortPtr *ports, int n);
