#pragma once
// RelaxNG validation against schemas/network.rng, used for the
// VIR_NETWORK_DEFINE_VALIDATE / VIR_NETWORK_CREATE_VALIDATE flags.

#include <string>
#include <string_view>

#include "common/status.h"

namespace virtnat::xml {

// Error: VIR_ERR_XML_INVALID_SCHEMA (92), domain XML, "XML document failed to
// validate against schema: Unable to validate doc against PATH\n<detail>".
Status ValidateNetworkSchema(std::string_view text);

// Where network.rng is read from: $VIRTNAT_SCHEMA_DIR when set (the tests
// point it at the source tree), else the installed DATADIR/virtnat/schemas.
std::string NetworkSchemaPath();

}  // namespace virtnat::xml
