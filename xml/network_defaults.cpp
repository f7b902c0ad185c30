// Define-time defaults (network-xml.md §3.5): what libvirt's
// virNetworkDefParseXML (UUID), networkBridgeNameValidate and
// virNetworkSetBridgeMacAddr fill in.
#include "xml/network_defaults.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace virtnat::xml {
namespace {

// libvirt's MAX_BRIDGE_ID: names N = 0..256 are tried.
constexpr int kMaxBridgeId = 256;

void Random(const DefaultsContext& ctx, uint8_t* out, size_t len) {
  if (ctx.random_bytes) {
    ctx.random_bytes(out, len);
  } else {
    SystemRandomBytes(out, len);
  }
}

// The template is the given name only if it holds exactly one '%' and that
// one is followed by 'd'; otherwise "virbr%d" (so "virbrx%d%d" gives virbrN).
std::string BridgeTemplate(const std::string& name) {
  size_t first = name.find('%');
  if (first != std::string::npos && first == name.rfind('%') && first + 1 < name.size() &&
      name[first + 1] == 'd') {
    return name;
  }
  return "virbr%d";
}

Status ChooseBridgeName(NetworkDef& def, const DefaultsContext& ctx) {
  std::string templ = BridgeTemplate(def.bridge.name);
  size_t pos = templ.find("%d");
  for (int id = 0; id <= kMaxBridgeId; ++id) {
    std::string candidate = templ.substr(0, pos) + std::to_string(id) + templ.substr(pos + 2);
    if (!ctx.bridge_taken || !ctx.bridge_taken(candidate)) {
      def.bridge.name = std::move(candidate);
      return Status::Ok();
    }
  }
  return InternalError("Bridge generation exceeded max id " + std::to_string(kMaxBridgeId));
}

}  // namespace

void SystemRandomBytes(uint8_t* out, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
  if (done == len) return;
  // getrandom is unavailable (very old kernel or seccomp): fall back to the
  // device, which is never short of entropy once the system is up.
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  while (fd >= 0 && done < len) {
    ssize_t n = read(fd, out + done, len - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
  if (fd >= 0) close(fd);
}

Status ApplyDefineDefaults(NetworkDef& def, const DefaultsContext& ctx) {
  if (!def.uuid_given) {
    Random(ctx, def.uuid.data(), def.uuid.size());
    // RFC 4122 version 4, variant 1.
    def.uuid[6] = static_cast<uint8_t>((def.uuid[6] & 0x0f) | 0x40);
    def.uuid[8] = static_cast<uint8_t>((def.uuid[8] & 0x3f) | 0x80);
    def.uuid_given = true;
  }
  if (!HasManagedBridge(def.forward.mode)) return Status::Ok();
  // A name without "%d" is used as given; only other networks can object to
  // it, which is the driver's check.
  if (def.bridge.name.empty() || def.bridge.name.find("%d") != std::string::npos) {
    RETURN_IF_ERROR(ChooseBridgeName(def, ctx));
  }
  if (!def.mac) {
    MacAddress mac{0x52, 0x54, 0x00, 0, 0, 0};
    Random(ctx, mac.data() + 3, 3);
    def.mac = mac;
  }
  return Status::Ok();
}

}  // namespace virtnat::xml
