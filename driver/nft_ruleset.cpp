#include "driver/nft_ruleset.h"

namespace virtnat::driver {

const char* ProtoName(uint8_t proto) { return proto == kProtoUdp ? "udp" : "tcp"; }

}  // namespace virtnat::driver
