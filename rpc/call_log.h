#pragma once
// One debug line per call the dispatcher runs, naming the procedure and what
// it acts on: "call NETWORK_CREATE network 'lab' (client pid 4242 (virsh),
// uid 0)". The line is built only while call logging is on (the daemon turns
// it on with log level debug); what a call names is decoded again from its
// arguments here, so handlers need not know about the log. Never XML.

#include <cstdint>
#include <span>
#include <string>

namespace virtnat::rpc {

// Off by default; the daemon follows its log level (debug: on).
void SetCallLogging(bool on);
bool CallLogging();

// The procedure's name in libvirt's remote protocol ("NETWORK_CREATE"), or
// nullptr for a number libvirt does not know as a call.
const char* ProcedureName(int32_t number);

// The line for call `proc` with argument bytes `args` from client `peer`
// (empty: not named). `subject`, when not empty, is what the handler said the
// call acted on (the network a define created); otherwise the network or
// port the arguments name, when they name one.
std::string CallLine(const std::string& peer, int32_t proc, std::span<const uint8_t> args,
                     const std::string& subject);

}  // namespace virtnat::rpc
