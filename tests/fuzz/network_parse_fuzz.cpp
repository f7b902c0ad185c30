// libFuzzer target: the network XML parser on arbitrary bytes. A document
// the parser accepts must also survive format -> parse -> format with the
// same text both times (what net-dumpxml prints can be defined again and
// prints the same).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "xml/network_format.h"
#include "xml/network_parse.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "%s\n--- first ---\n%s\n--- second ---\n%s\n", what, a.c_str(), b.c_str());
  abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = virtnat::xml::ParseNetworkXml(text);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) abort();
    return 0;
  }
  for (unsigned flags : {0u, virtnat::xml::kFormatInactive}) {
    std::string first = virtnat::xml::FormatNetworkXml(*parsed, flags);
    auto reparsed = virtnat::xml::ParseNetworkXml(first);
    if (!reparsed.ok())
      Fail("formatted output does not parse again", first, reparsed.error().message);
    std::string second = virtnat::xml::FormatNetworkXml(*reparsed, flags);
    if (first != second) Fail("format is not stable across a round trip", first, second);
  }
  return 0;
}
