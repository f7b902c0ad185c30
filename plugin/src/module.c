/*
 * libvirtd's network driver module, forwarding to virtnatd.
 *
 * libvirtd (monolithic, as Debian and Ubuntu ship it) dlopen()s
 * connection-driver/libvirt_driver_network.so and calls networkRegister.
 * This module registers what libvirt's own network driver registers (9.0,
 * src/network/bridge_driver.c): the connection driver for the `network`
 * URI scheme, the shared network driver the hypervisor drivers use for
 * <interface type='network'>, and a state driver; every call goes to
 * virtnatd (upstream.h, calls.c, port_calls.c).
 */
#include <stdio.h>

#include "calls.h"

#define VIR_FROM_THIS VIR_FROM_NETWORK
VIR_LOG_INIT("virtnat.module");

int networkRegister(void) __attribute__((visibility("default")));

/* The libvirt version the headers are from; the tests build a copy that
 * claims another one, to see it decline. */
#ifndef VN_BUILT_FOR_VERSION
#define VN_BUILT_FOR_VERSION LIBVIR_VERSION_NUMBER
#endif

static bool vn_privileged;

static virDrvOpenStatus vnConnectOpen(virConnectPtr conn, virConnectAuthPtr auth G_GNUC_UNUSED,
                                      virConf *conf G_GNUC_UNUSED, unsigned int flags) {
  if (flags & ~VIR_CONNECT_RO) {
    VN_ERROR(VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
             flags & ~VIR_CONNECT_RO, __func__);
    return VIR_DRV_OPEN_ERROR;
  }
  if (!vn_upstream_active()) {
    VN_ERROR(VIR_ERR_INTERNAL_ERROR, "%s",
             "the virtnat network module serves only a privileged libvirtd "
             "(network:///system); this libvirtd is unprivileged");
    return VIR_DRV_OPEN_ERROR;
  }
  if (!vn_priv.connectValidateURIPath(conn->uri->path, "network", vn_privileged))
    return VIR_DRV_OPEN_ERROR;
  if (vn_acl.connectOpen(conn) < 0) return VIR_DRV_OPEN_ERROR;
  return VIR_DRV_OPEN_SUCCESS;
}

static int vnConnectClose(virConnectPtr conn G_GNUC_UNUSED) { return 0; }

static int vnConnectIsSecure(virConnectPtr conn G_GNUC_UNUSED) { return 1; /* inside the daemon */ }

static int vnConnectIsEncrypted(virConnectPtr conn G_GNUC_UNUSED) {
  return 0; /* the remote driver encrypts, when it does */
}

static int vnConnectIsAlive(virConnectPtr conn G_GNUC_UNUSED) { return 1; }

static int vnConnectSupportsFeature(virConnectPtr conn, int feature) {
  int supported;
  if (vn_acl.connectSupportsFeature(conn) < 0) return -1;
  if (vn_priv.driverFeatureIsGlobal(feature, &supported)) return supported;
  return 0; /* the migration and hypervisor features: none here */
}

static virHypervisorDriver vn_hypervisor_driver = {
    .name = "network",
    .connectOpen = vnConnectOpen,
    .connectClose = vnConnectClose,
    .connectIsEncrypted = vnConnectIsEncrypted,
    .connectIsSecure = vnConnectIsSecure,
    .connectIsAlive = vnConnectIsAlive,
    .connectSupportsFeature = vnConnectSupportsFeature,
};

static virConnectDriver vn_connect_driver = {
    .localOnly = true,
    .uriSchemes = (const char *[]){"network", NULL},
    .hypervisorDriver = &vn_hypervisor_driver,
    .networkDriver = &vn_network_driver,
};

static virDrvStateInitResult vnStateInitialize(bool privileged, const char *root,
                                               bool monolithic G_GNUC_UNUSED,
                                               virStateInhibitCallback callback G_GNUC_UNUSED,
                                               void *opaque G_GNUC_UNUSED) {
  if (root) {
    VN_ERROR(VIR_ERR_INVALID_ARG, "%s",
             "the virtnat network module does not support an embedded driver root");
    return VIR_DRV_STATE_INIT_ERROR;
  }
  /* virtnatd serves the system networks; an unprivileged libvirtd has
   * no network driver with this module (see README). */
  if (!privileged) return VIR_DRV_STATE_INIT_SKIPPED;
  vn_privileged = privileged;
  return vn_upstream_init() < 0 ? VIR_DRV_STATE_INIT_ERROR : VIR_DRV_STATE_INIT_COMPLETE;
}

static int vnStateCleanup(void) {
  vn_upstream_cleanup();
  return 0;
}

static virStateDriver vn_state_driver = {
    .name = "virtnat",
    .stateInitialize = vnStateInitialize,
    .stateCleanup = vnStateCleanup,
};

/* Declines (returns 0, registers nothing) in a libvirt other than the one
 * the module was built against: libvirtd then starts without a network
 * driver instead of not at all. */
int networkRegister(void) {
  unsigned long version = 0;
  if (virGetVersion(&version, NULL, NULL) < 0 || version != VN_BUILT_FOR_VERSION) {
    fprintf(stderr,
            "virtnat network module: built for libvirt %d.%d.%d, running in libvirt "
            "%lu.%lu.%lu: not loading; libvirtd has no network driver until the module "
            "is rebuilt for this version or removed (see virtnat's plugin/README.md)\n",
            VN_BUILT_FOR_VERSION / 1000000, VN_BUILT_FOR_VERSION / 1000 % 1000,
            VN_BUILT_FOR_VERSION % 1000, version / 1000000, version / 1000 % 1000, version % 1000);
    return 0;
  }
  const char *missing = vn_private_resolve();
  if (!missing) missing = vn_acl_resolve();
  if (missing) {
    fprintf(stderr,
            "virtnat network module: libvirt %lu.%lu.%lu does not export %s: "
            "not loading; libvirtd has no network driver\n",
            version / 1000000, version / 1000 % 1000, version % 1000, missing);
    return 0;
  }
  if (vn_priv.registerConnectDriver(&vn_connect_driver, false) < 0 ||
      vn_priv.setSharedNetworkDriver(&vn_network_driver) < 0 ||
      vn_priv.registerStateDriver(&vn_state_driver) < 0)
    return -1;
  VN_LOG(VIR_LOG_INFO, "virtnat network module registered (libvirt %lu)", version);
  return 0;
}
