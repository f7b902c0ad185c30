// libFuzzer target: ParseNetworkXml, validation, defaults, formatting and a
// re-parse, then UpdateNetworkDef with the input as a fragment on a fixed base.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "xml/network_defaults.h"
#include "xml/network_format.h"
#include "xml/network_parse.h"
#include "xml/network_update.h"
#include "xml/network_validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto def = virtnat::xml::ParseNetworkXml(text);
  if (def.ok()) {
    (void)virtnat::xml::ValidateNetworkDef(*def);
    virtnat::xml::DefaultsContext ctx;
    ctx.bridge_taken = [](const std::string&) { return false; };
    ctx.random_bytes = [](uint8_t* out, size_t len) {
      for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(i);
    };
    (void)virtnat::xml::ApplyDefineDefaults(*def, ctx);
    std::string xml = virtnat::xml::FormatNetworkXml(*def);
    auto again = virtnat::xml::ParseNetworkXml(xml);
    if (!again.ok()) {
      std::fprintf(stderr, "re-parse failed: %s\n%s\n", again.error().message.c_str(), xml.c_str());
      std::abort();
    }
  }
  static const char* kBase =
      "<network xmlns:vn='urn:virtnat:network:1'><name>b</name><forward mode='nat'/>"
      "<dns><host ip='10.0.0.2'><hostname>h</hostname></host><txt name='t' value='v'/></dns>"
      "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.10' end='10.0.0.20'/>"
      "<host mac='52:54:00:00:00:01' ip='10.0.0.11'/></dhcp></ip><portgroup name='p'/>"
      "<vn:portForward guest='10.0.0.11'><vn:range start='80'/></vn:portForward></network>";
  static auto base = virtnat::xml::ParseNetworkXml(kBase);
  if (size >= 2 && base.ok()) {
    virtnat::xml::NetworkDef copy = *base;
    (void)virtnat::xml::UpdateNetworkDef(copy, data[0] % 5, data[1] % 13, -1, text.substr(2));
  }
  return 0;
}
