#pragma once
// Numbers of libvirt's remote protocol (libvirt 9.0 remote_protocol.x and
// the network additions since, virnetprotocol.x, virkeepaliveprotocol.x)
// that a network daemon needs.
// Procedure numbers are append-only upstream, so these stay valid.

#include <cstdint>

namespace virtnat::rpc {

inline constexpr uint32_t kRemoteProgram = 0x20008086;
inline constexpr uint32_t kKeepaliveProgram = 0x6b656570;  // "keep"
inline constexpr uint32_t kProtocolVersion = 1;

enum class MessageType : int32_t {
  kCall = 0,
  kReply = 1,
  kMessage = 2,
  kStream = 3,
  kCallWithFds = 4,
  kReplyWithFds = 5,
  kStreamHole = 6,
};

enum class MessageStatus : int32_t { kOk = 0, kError = 1, kContinue = 2 };

// Size limits enforced by libvirt's client and server (virnetprotocol.x,
// remote_protocol.x).
inline constexpr uint32_t kHeaderSize = 24;
inline constexpr uint32_t kLengthWordSize = 4;
inline constexpr uint32_t kMessageMax = 33554432;  // frame without the length word
inline constexpr uint32_t kPayloadMax = kMessageMax - kHeaderSize;
inline constexpr size_t kStringMax = 4194304;
inline constexpr uint32_t kDomainListMax = 16384;
inline constexpr uint32_t kNetworkListMax = 16384;
inline constexpr uint32_t kPortListMax = 16384;
inline constexpr uint32_t kDhcpLeasesMax = 65536;
inline constexpr uint32_t kPortParametersMax = 16;
inline constexpr uint32_t kIdentityParamsMax = 20;
inline constexpr uint32_t kAuthTypeListMax = 20;
inline constexpr size_t kNodeInfoModelSize = 32;  // remote_node_get_info_ret's char model[32]

namespace keepalive {
inline constexpr int32_t kPing = 1;
inline constexpr int32_t kPong = 2;
}  // namespace keepalive

// Procedures of the REMOTE program this daemon knows about.
namespace proc {
inline constexpr int32_t kConnectOpen = 1;
inline constexpr int32_t kConnectClose = 2;
inline constexpr int32_t kConnectGetType = 3;
inline constexpr int32_t kConnectGetVersion = 4;
inline constexpr int32_t kNodeGetInfo = 6;
inline constexpr int32_t kConnectGetCapabilities = 7;
inline constexpr int32_t kConnectListDefinedDomains = 21;
inline constexpr int32_t kConnectNumOfDefinedDomains = 25;
inline constexpr int32_t kConnectListDefinedNetworks = 36;
inline constexpr int32_t kConnectListDomains = 37;
inline constexpr int32_t kConnectListNetworks = 38;
inline constexpr int32_t kNetworkCreate = 39;
inline constexpr int32_t kNetworkCreateXml = 40;
inline constexpr int32_t kNetworkDefineXml = 41;
inline constexpr int32_t kNetworkDestroy = 42;
inline constexpr int32_t kNetworkGetXmlDesc = 43;
inline constexpr int32_t kNetworkGetAutostart = 44;
inline constexpr int32_t kNetworkGetBridgeName = 45;
inline constexpr int32_t kNetworkLookupByName = 46;
inline constexpr int32_t kNetworkLookupByUuid = 47;
inline constexpr int32_t kNetworkSetAutostart = 48;
inline constexpr int32_t kNetworkUndefine = 49;
inline constexpr int32_t kConnectNumOfDefinedNetworks = 50;
inline constexpr int32_t kConnectNumOfDomains = 51;
inline constexpr int32_t kConnectNumOfNetworks = 52;
inline constexpr int32_t kConnectGetHostname = 59;
inline constexpr int32_t kConnectSupportsFeature = 60;
inline constexpr int32_t kAuthList = 66;
inline constexpr int32_t kConnectGetUri = 110;
inline constexpr int32_t kConnectIsSecure = 149;
inline constexpr int32_t kNetworkIsActive = 152;
inline constexpr int32_t kNetworkIsPersistent = 153;
inline constexpr int32_t kConnectGetLibVersion = 157;
inline constexpr int32_t kConnectGetSysinfo = 203;
inline constexpr int32_t kConnectListAllDomains = 273;
inline constexpr int32_t kConnectListAllNetworks = 283;
inline constexpr int32_t kNetworkUpdate = 291;
inline constexpr int32_t kConnectNetworkEventRegisterAny = 313;
inline constexpr int32_t kConnectNetworkEventDeregisterAny = 314;
inline constexpr int32_t kNetworkEventLifecycle = 315;
inline constexpr int32_t kNetworkGetDhcpLeases = 341;
inline constexpr int32_t kConnectRegisterCloseCallback = 360;
inline constexpr int32_t kConnectUnregisterCloseCallback = 361;
inline constexpr int32_t kNetworkListAllPorts = 404;
inline constexpr int32_t kNetworkPortLookupByUuid = 405;
inline constexpr int32_t kNetworkPortCreateXml = 406;
inline constexpr int32_t kNetworkPortGetParameters = 407;
inline constexpr int32_t kNetworkPortSetParameters = 408;
inline constexpr int32_t kNetworkPortGetXmlDesc = 409;
inline constexpr int32_t kNetworkPortDelete = 410;
inline constexpr int32_t kConnectSetIdentity = 419;
inline constexpr int32_t kNetworkDefineXmlFlags = 432;
inline constexpr int32_t kNetworkCreateXmlFlags = 437;
// libvirt 9.7+ (the network procedures added after 9.0, through 11.3).
inline constexpr int32_t kNetworkSetMetadata = 444;
inline constexpr int32_t kNetworkGetMetadata = 445;
inline constexpr int32_t kNetworkEventCallbackMetadataChange = 446;  // a MESSAGE
}  // namespace proc

// VIR_DRV_FEATURE_* numbers asked through CONNECT_SUPPORTS_FEATURE.
namespace feature {
inline constexpr int32_t kFdPassing = 8;
inline constexpr int32_t kTypedParamString = 9;
inline constexpr int32_t kProgramKeepalive = 10;
inline constexpr int32_t kRemoteEventCallback = 14;
inline constexpr int32_t kRemoteCloseCallback = 15;
inline constexpr int32_t kNetworkUpdateHasCorrectOrder = 16;
}  // namespace feature

}  // namespace virtnat::rpc
