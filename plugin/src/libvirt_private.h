/*
 * libvirtd's internal functions the module calls, resolved at run time.
 *
 * libvirt exports its internal functions from libvirt.so.0 under the
 * symbol version LIBVIRT_PRIVATE_<version>. A module linked against them
 * directly fails to dlopen() in any other libvirt version, and libvirtd
 * then refuses to start at all. This module links only libvirt's public
 * API and looks the internal functions up with dlsym() after it has
 * checked that the running libvirt is the version its headers come from
 * (vn_private_resolve), so that a libvirt upgrade leaves libvirtd running,
 * without a network driver, and a log line saying why.
 */
#pragma once

#include <dlfcn.h>

#include "datatypes.h"
#include "driver.h"
#include "network_conf.h"
#include "network_event.h"
#include "object_event.h"
#include "virerror.h"
#include "virlog.h"
#include "virnetworkportdef.h"

struct vn_private {
  __typeof__(virRegisterConnectDriver) *registerConnectDriver;
  __typeof__(virSetSharedNetworkDriver) *setSharedNetworkDriver;
  __typeof__(virRegisterStateDriver) *registerStateDriver;
  __typeof__(virConnectValidateURIPath) *connectValidateURIPath;
  __typeof__(virDriverFeatureIsGlobal) *driverFeatureIsGlobal;
  __typeof__(virGetNetwork) *getNetwork;
  __typeof__(virGetNetworkPort) *getNetworkPort;
  __typeof__(virObjectRef) *objectRef;
  __typeof__(virObjectUnref) *objectUnref;
  __typeof__(virObjectEventStateNew) *eventStateNew;
  __typeof__(virObjectEventStateQueue) *eventStateQueue;
  __typeof__(virObjectEventStateDeregisterID) *eventStateDeregisterID;
  __typeof__(virNetworkEventStateRegisterID) *networkEventStateRegisterID;
  __typeof__(virNetworkEventLifecycleNew) *networkEventLifecycleNew;
  __typeof__(virReportErrorHelper) *reportErrorHelper;
  __typeof__(virLogMessage) *logMessage;
};

extern struct vn_private vn_priv;

/* Sets PTR to libvirt's SYMBOL, or returns the symbol's name from the
 * calling function when libvirt has no such symbol. */
#define VN_DLSYM(ptr, symbol)                                                     \
  do {                                                                            \
    if (!((ptr) = (__typeof__(ptr))dlsym(RTLD_DEFAULT, #symbol))) return #symbol; \
  } while (0)

/* Fills vn_priv; on a missing symbol returns its name (and leaves the
 * module unregistered), else NULL. */
const char *vn_private_resolve(void);

/* libvirt's error and log calls through vn_priv (the VIR_ERROR and
 * virReportError macros would link the private symbols directly). */
#define VN_ERROR(code, ...) \
  vn_priv.reportErrorHelper(VIR_FROM_NETWORK, code, __FILE__, __func__, __LINE__, __VA_ARGS__)
#define VN_LOG(prio, ...) \
  vn_priv.logMessage(&virLogSelf, prio, __FILE__, __LINE__, __func__, NULL, __VA_ARGS__)
