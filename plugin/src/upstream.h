/*
 * The module's one connection to virtnatd, shared by every libvirtd client
 * (the hypervisor drivers call the network driver with their own
 * connection, so nothing can live in a connection's private data).
 *
 * It is a libvirt client connection on an explicit-socket URI,
 * network+unix:///system?socket=PATH: the scheme "network+unix" matches no
 * registered driver's scheme (libvirt compares schemes whole), so
 * virConnectOpen inside libvirtd reaches the remote driver, which does not
 * defer a URI naming a socket to the local drivers (remoteConnectOpen,
 * virURICheckUnixSocket). The module never calls back into itself.
 */
#pragma once

#include "libvirt_private.h"

/* Called from the state driver: the event state libvirtd's clients
 * register with, and the socket path (VIRTNAT_PLUGIN_SOCKET in libvirtd's
 * environment, else virtnatd's default /run/libvirt/virtnetworkd-sock). */
int vn_upstream_init(void);
void vn_upstream_cleanup(void);
bool vn_upstream_active(void);

/* A reference to the open connection, opened (or reopened after virtnatd
 * went away) here; NULL with an error naming virtnatd and its socket. */
virConnectPtr vn_upstream_get(void);
void vn_upstream_release(virConnectPtr up);

/* Where virtnatd's lifecycle events are queued for libvirtd's clients. */
virObjectEventState *vn_upstream_events(void);
