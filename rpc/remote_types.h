#pragma once
// XDR forms of the structures shared by the remote protocol's network
// procedures (remote_nonnull_network, remote_nonnull_network_port,
// remote_network_dhcp_lease, remote_typed_param, remote_error).

#include <optional>

#include "common/status.h"
#include "driver/network_driver.h"
#include "rpc/xdr.h"

namespace virtnat::rpc {

void EncodeNetwork(XdrEncoder& enc, const driver::NetworkRef& net);
driver::NetworkRef DecodeNetwork(XdrDecoder& dec);
// remote_network: an optional remote_nonnull_network.
std::optional<driver::NetworkRef> DecodeOptNetwork(XdrDecoder& dec);

void EncodePort(XdrEncoder& enc, const driver::PortRef& port);
driver::PortRef DecodePort(XdrDecoder& dec);

void EncodeLease(XdrEncoder& enc, const driver::NetworkDhcpLease& lease);
driver::NetworkDhcpLease DecodeLease(XdrDecoder& dec);

void EncodeTypedParam(XdrEncoder& enc, const driver::TypedParam& param);
// Fails the decoder on an unknown type.
driver::TypedParam DecodeTypedParam(XdrDecoder& dec);

// remote_error as libvirtd fills it: level ERROR, the message, str1 the
// template ("Network not found: %s") and str2 the detail, int1/int2 -1.
void EncodeError(XdrEncoder& enc, const Error& error);
Error DecodeError(XdrDecoder& dec);

}  // namespace virtnat::rpc
