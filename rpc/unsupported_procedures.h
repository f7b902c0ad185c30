#pragma once
// Every call of libvirt's REMOTE program that this daemon does not serve,
// with what libvirt's daemon answers for it on a network connection: the
// public API it runs finds no function in the network driver and reports
// VIR_ERR_NO_SUPPORT naming itself, in the domain of its source file, after
// refusing a read-only connection where the API is a write. The table is
// data generated from libvirt's sources (tools/gen_unsupported_procedures.py).

#include <cstdint>
#include <span>

#include "common/status.h"

namespace virtnat::rpc {

struct UnsupportedProcedure {
  int32_t number;
  const char* api;   // nullptr for the AUTH_* calls, which run no API
  int domain;        // virErrorDomain of the API's source file
  bool write;        // the API refuses a read-only connection first
  const char* name;  // the procedure's name in remote_protocol.x ("NETWORK_CREATE")
};

// Sorted by number. The table holds every call of libvirt's REMOTE program,
// served here or not: it also names them (ProcedureName, rpc/call_log.h).
std::span<const UnsupportedProcedure> UnsupportedProcedures();

// nullptr when libvirt does not know the number as a call (unknown numbers
// and the events the daemon sends stay "unknown procedure").
const UnsupportedProcedure* FindUnsupportedProcedure(int32_t number);

// What the procedure answers once the connection checks passed.
Error UnsupportedError(const UnsupportedProcedure& procedure);

}  // namespace virtnat::rpc
