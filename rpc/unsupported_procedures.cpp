#include "rpc/unsupported_procedures.h"

#include <libvirt/virterror.h>

#include <algorithm>
#include <string>

namespace virtnat::rpc {
namespace {

constexpr UnsupportedProcedure kTable[] = {
#include "rpc/unsupported_procedures.inc"
};

constexpr bool SortedByNumber() {
  for (size_t i = 1; i < std::size(kTable); ++i) {
    if (kTable[i - 1].number >= kTable[i].number) return false;
  }
  return true;
}
static_assert(SortedByNumber(), "tools/gen_unsupported_procedures.py writes them in order");

}  // namespace

std::span<const UnsupportedProcedure> UnsupportedProcedures() { return kTable; }

const UnsupportedProcedure* FindUnsupportedProcedure(int32_t number) {
  auto it = std::lower_bound(std::begin(kTable), std::end(kTable), number,
                             [](const UnsupportedProcedure& p, int32_t n) { return p.number < n; });
  return it != std::end(kTable) && it->number == number ? &*it : nullptr;
}

Error UnsupportedError(const UnsupportedProcedure& procedure) {
  if (procedure.api == nullptr) {
    // libvirtd's answer to SASL or polkit steps on a socket whose auth is none.
    return MakeError(VIR_ERR_AUTH_FAILED, VIR_FROM_RPC,
                     "authentication failed: authentication failed");
  }
  return MakeError(VIR_ERR_NO_SUPPORT, procedure.domain, procedure.api);
}

}  // namespace virtnat::rpc
