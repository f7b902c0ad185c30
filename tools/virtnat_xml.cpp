// virtnat-xml: reads a libvirt <network> definition, checks it as
// `virsh net-define` would, applies the define-time defaults and prints it
// back as libvirt does. Errors are printed as virsh prints them.
//
//   virtnat-xml [--validate] [--inactive] FILE
#include <net/if.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "xml/network_defaults.h"
#include "xml/network_format.h"
#include "xml/network_parse.h"
#include "xml/network_validate.h"
#include "xml/schema.h"

namespace {

using namespace virtnat;

int Fail(const std::string& file, const Status& status) {
  std::cerr << "error: Failed to define network from " << file << "\n"
            << "error: " << status.message() << "\n\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool validate = false;
  unsigned flags = 0;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--validate") == 0) {
      validate = true;
    } else if (std::strcmp(argv[i], "--inactive") == 0) {
      flags |= xml::kFormatInactive;
    } else if (file.empty() && argv[i][0] != '-') {
      file = argv[i];
    } else {
      std::cerr << "usage: virtnat-xml [--validate] [--inactive] FILE\n";
      return 2;
    }
  }
  if (file.empty()) {
    std::cerr << "usage: virtnat-xml [--validate] [--inactive] FILE\n";
    return 2;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "error: failed to read '" << file << "': " << std::strerror(errno) << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();

  if (validate) {
    if (Status s = xml::ValidateNetworkSchema(text.str()); !s.ok()) return Fail(file, s);
  }
  Result<xml::NetworkDef> def = xml::ParseNetworkXml(text.str());
  if (!def.ok()) return Fail(file, def.status());
  if (Status s = xml::ValidateNetworkDef(*def); !s.ok()) return Fail(file, s);

  xml::DefaultsContext ctx;
  // A bridge name is taken here when a host interface has it; the daemon also
  // counts the bridges of its other networks.
  ctx.bridge_taken = [](const std::string& name) { return if_nametoindex(name.c_str()) != 0; };
  ctx.random_bytes = xml::SystemRandomBytes;
  if (Status s = xml::ApplyDefineDefaults(*def, ctx); !s.ok()) return Fail(file, s);

  std::cout << xml::FormatNetworkXml(*def, flags);
  return 0;
}
