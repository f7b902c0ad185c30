#pragma once
// RelaxNG validation against schemas/network.rng, used for the
// VIR_NETWORK_DEFINE_VALIDATE / VIR_NETWORK_CREATE_VALIDATE flags, and
// against schemas/networkport.rng for VIR_NETWORK_PORT_CREATE_VALIDATE.

#include <string>
#include <string_view>

#include "common/status.h"

namespace virtnat::xml {

// Error: VIR_ERR_XML_INVALID_SCHEMA (92), domain XML, "XML document failed to
// validate against schema: Unable to validate doc against PATH\n<detail>".
Status ValidateNetworkSchema(std::string_view text);
// The same for a <networkport> document (libvirtd 9.0 reports it in the
// same code and domain).
Status ValidateNetworkPortSchema(std::string_view text);
// `file` in the schema directory; `document_name` names an unreadable
// document in the parser's error.
Status ValidateSchema(std::string_view text, const char* file, const char* document_name);

// Where network.rng is read from: $VIRTNAT_SCHEMA_DIR when set (the tests
// point it at the source tree), else the installed DATADIR/virtnat/schemas.
std::string NetworkSchemaPath();

}  // namespace virtnat::xml
