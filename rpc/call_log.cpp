#include "rpc/call_log.h"

#include <atomic>

#include "rpc/procedures.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "rpc/unsupported_procedures.h"
#include "rpc/xdr.h"
#include "xml/network_def.h"

namespace virtnat::rpc {
namespace {

std::atomic<bool> call_logging{false};

// The calls whose first argument is a remote_nonnull_network.
bool NamesNetworkFirst(int32_t proc) {
  switch (proc) {
    case proc::kNetworkCreate:
    case proc::kNetworkDestroy:
    case proc::kNetworkGetXmlDesc:
    case proc::kNetworkGetAutostart:
    case proc::kNetworkGetBridgeName:
    case proc::kNetworkSetAutostart:
    case proc::kNetworkUndefine:
    case proc::kNetworkIsActive:
    case proc::kNetworkIsPersistent:
    case proc::kNetworkUpdate:
    case proc::kNetworkGetDhcpLeases:
    case proc::kNetworkListAllPorts:
    case proc::kNetworkPortCreateXml:
    case proc::kNetworkSetMetadata:
    case proc::kNetworkGetMetadata:
      return true;
    default:
      return false;
  }
}

// What the arguments name, or "" (nothing, or arguments that do not decode).
std::string NamedObject(int32_t proc, std::span<const uint8_t> args) {
  XdrDecoder dec(args);
  std::string named;
  if (NamesNetworkFirst(proc)) {
    named = NetworkSubject(DecodeNetwork(dec));
  } else if (proc == proc::kNetworkPortLookupByUuid) {
    driver::PortRef port;
    port.network = DecodeNetwork(dec);
    dec.FixedOpaque(port.uuid);
    named = PortSubject(port);
  } else if (proc >= proc::kNetworkPortGetParameters && proc <= proc::kNetworkPortDelete) {
    named = PortSubject(DecodePort(dec));
  } else if (proc == proc::kNetworkLookupByName) {
    named = "network '" + dec.String(kStringMax) + "'";
  } else if (proc == proc::kNetworkLookupByUuid) {
    driver::Uuid uuid{};
    dec.FixedOpaque(uuid);
    named = "network " + xml::FormatUuid(uuid);
  }
  return dec.ok() ? named : "";
}

}  // namespace

void SetCallLogging(bool on) { call_logging.store(on, std::memory_order_relaxed); }

bool CallLogging() { return call_logging.load(std::memory_order_relaxed); }

const char* ProcedureName(int32_t number) {
  const UnsupportedProcedure* known = FindUnsupportedProcedure(number);
  return known != nullptr ? known->name : nullptr;
}

std::string CallLine(const std::string& peer, int32_t proc, std::span<const uint8_t> args,
                     const std::string& subject) {
  const char* name = ProcedureName(proc);
  std::string line = "call ";
  line += name != nullptr ? name : "procedure " + std::to_string(proc);
  std::string what = subject.empty() ? NamedObject(proc, args) : subject;
  if (!what.empty()) line += " " + what;
  if (!peer.empty()) line += " (client " + peer + ")";
  return line;
}

}  // namespace virtnat::rpc
