#include "libvirt_private.h"

struct vn_private vn_priv;

#define VN_RESOLVE(field, symbol) VN_DLSYM(vn_priv.field, symbol)

const char* vn_private_resolve(void) {
  VN_RESOLVE(registerConnectDriver, virRegisterConnectDriver);
  VN_RESOLVE(setSharedNetworkDriver, virSetSharedNetworkDriver);
  VN_RESOLVE(registerStateDriver, virRegisterStateDriver);
  VN_RESOLVE(connectValidateURIPath, virConnectValidateURIPath);
  VN_RESOLVE(driverFeatureIsGlobal, virDriverFeatureIsGlobal);
  VN_RESOLVE(getNetwork, virGetNetwork);
  VN_RESOLVE(getNetworkPort, virGetNetworkPort);
  VN_RESOLVE(objectRef, virObjectRef);
  VN_RESOLVE(objectUnref, virObjectUnref);
  VN_RESOLVE(eventStateNew, virObjectEventStateNew);
  VN_RESOLVE(eventStateQueue, virObjectEventStateQueue);
  VN_RESOLVE(eventStateDeregisterID, virObjectEventStateDeregisterID);
  VN_RESOLVE(networkEventStateRegisterID, virNetworkEventStateRegisterID);
  VN_RESOLVE(networkEventLifecycleNew, virNetworkEventLifecycleNew);
  VN_RESOLVE(reportErrorHelper, virReportErrorHelper);
  VN_RESOLVE(logMessage, virLogMessage);
  return NULL;
}
