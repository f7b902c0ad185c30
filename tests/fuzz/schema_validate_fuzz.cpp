// libFuzzer target: RelaxNG validation of arbitrary bytes. Any input must
// end in success or in one of the two errors the contract allows, never in
// a crash, a leak or an internal error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xml/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  virtnat::Status status = virtnat::xml::ValidateNetworkSchema(text);
  if (status.ok()) return 0;
  // Unreadable documents are XML_DETAIL; readable ones that break the grammar
  // are XML_INVALID_SCHEMA. Anything else means the validator itself failed.
  if (status.code() != VIR_ERR_XML_DETAIL && status.code() != VIR_ERR_XML_INVALID_SCHEMA) abort();
  if (status.message().empty()) abort();
  return 0;
}
