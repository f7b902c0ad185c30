#include "rpc/remote_types.h"

#include <libvirt/libvirt.h>

#include "rpc/protocol.h"

namespace virtnat::rpc {

void EncodeNetwork(XdrEncoder& enc, const driver::NetworkRef& net) {
  enc.String(net.name);
  enc.FixedOpaque(net.uuid);
}

driver::NetworkRef DecodeNetwork(XdrDecoder& dec) {
  driver::NetworkRef net;
  net.name = dec.String(kStringMax);
  dec.FixedOpaque(net.uuid);
  return net;
}

std::optional<driver::NetworkRef> DecodeOptNetwork(XdrDecoder& dec) {
  if (!dec.Present()) return std::nullopt;
  return DecodeNetwork(dec);
}

void EncodePort(XdrEncoder& enc, const driver::PortRef& port) {
  EncodeNetwork(enc, port.network);
  enc.FixedOpaque(port.uuid);
}

driver::PortRef DecodePort(XdrDecoder& dec) {
  driver::PortRef port;
  port.network = DecodeNetwork(dec);
  dec.FixedOpaque(port.uuid);
  return port;
}

void EncodeLease(XdrEncoder& enc, const driver::NetworkDhcpLease& lease) {
  enc.String(lease.iface);
  enc.Hyper(lease.expiry_time);
  enc.Int(lease.type);
  enc.OptString(lease.mac);
  enc.OptString(lease.iaid);
  enc.String(lease.ip_address);
  enc.Uint(lease.prefix);
  enc.OptString(lease.hostname);
  enc.OptString(lease.client_id);
}

driver::NetworkDhcpLease DecodeLease(XdrDecoder& dec) {
  driver::NetworkDhcpLease lease;
  lease.iface = dec.String(kStringMax);
  lease.expiry_time = dec.Hyper();
  lease.type = dec.Int();
  lease.mac = dec.OptString(kStringMax);
  lease.iaid = dec.OptString(kStringMax);
  lease.ip_address = dec.String(kStringMax);
  lease.prefix = dec.Uint();
  lease.hostname = dec.OptString(kStringMax);
  lease.client_id = dec.OptString(kStringMax);
  return lease;
}

void EncodeTypedParam(XdrEncoder& enc, const driver::TypedParam& p) {
  enc.String(p.field);
  enc.Int(p.type);
  switch (p.type) {
    case VIR_TYPED_PARAM_INT:
    case VIR_TYPED_PARAM_BOOLEAN:
      enc.Int(static_cast<int32_t>(p.i));
      break;
    case VIR_TYPED_PARAM_UINT:
      enc.Uint(static_cast<uint32_t>(p.u));
      break;
    case VIR_TYPED_PARAM_LLONG:
      enc.Hyper(p.i);
      break;
    case VIR_TYPED_PARAM_ULLONG:
      enc.Uhyper(p.u);
      break;
    case VIR_TYPED_PARAM_DOUBLE:
      enc.Double(p.d);
      break;
    case VIR_TYPED_PARAM_STRING:
      enc.String(p.s);
      break;
    default:
      break;
  }
}

driver::TypedParam DecodeTypedParam(XdrDecoder& dec) {
  driver::TypedParam p;
  // VIR_TYPED_PARAM_FIELD_LENGTH is 80 including the NUL.
  p.field = dec.String(VIR_TYPED_PARAM_FIELD_LENGTH - 1);
  p.type = dec.Int();
  switch (p.type) {
    case VIR_TYPED_PARAM_INT:
    case VIR_TYPED_PARAM_BOOLEAN:
      p.i = dec.Int();
      break;
    case VIR_TYPED_PARAM_UINT:
      p.u = dec.Uint();
      break;
    case VIR_TYPED_PARAM_LLONG:
      p.i = dec.Hyper();
      break;
    case VIR_TYPED_PARAM_ULLONG:
      p.u = dec.Uhyper();
      break;
    case VIR_TYPED_PARAM_DOUBLE:
      p.d = dec.Double();
      break;
    case VIR_TYPED_PARAM_STRING:
      p.s = dec.String(kStringMax);
      break;
    default:
      dec.Fail();
      break;
  }
  return p;
}

namespace {

// The prefix libvirt's message template starts with for `code`. RPC errors
// carry none; "invalid argument: " is not in ErrorPrefix() because libvirt's
// flag checks report INVALID_ARG without it.
std::string TemplatePrefix(int code) {
  if (code == VIR_ERR_RPC) return "";
  if (code == VIR_ERR_INVALID_ARG) return "invalid argument: ";
  return ErrorPrefix(code);
}

}  // namespace

void EncodeError(XdrEncoder& enc, const Error& error) {
  enc.Int(error.code);
  enc.Int(error.domain);
  enc.OptString(error.message);
  enc.Int(VIR_ERR_ERROR);
  enc.Bool(false);  // dom
  // libvirtd sends the printf template and the text that filled it; derive
  // them from the code's prefix.
  std::string prefix = TemplatePrefix(error.code);
  if (!prefix.empty() && error.message.compare(0, prefix.size(), prefix) == 0) {
    enc.OptString(prefix + "%s");
    enc.OptString(error.message.substr(prefix.size()));
  } else {
    enc.OptString(std::string("%s"));
    enc.OptString(error.message);
  }
  enc.OptString(std::nullopt);  // str3
  enc.Int(-1);
  enc.Int(-1);
  enc.Bool(false);  // net
}

Error DecodeError(XdrDecoder& dec) {
  Error e;
  e.code = dec.Int();
  e.domain = dec.Int();
  e.message = dec.OptString(kStringMax).value_or("");
  dec.Int();  // level
  if (dec.Present()) {
    // remote_nonnull_domain: name, uuid, id.
    dec.String(kStringMax);
    uint8_t uuid[16];
    dec.FixedOpaque(uuid);
    dec.Int();
  }
  dec.OptString(kStringMax);
  dec.OptString(kStringMax);
  dec.OptString(kStringMax);
  dec.Int();
  dec.Int();
  DecodeOptNetwork(dec);
  return e;
}

}  // namespace virtnat::rpc
