#!/usr/bin/env bash
# The libvirtd module exports only networkRegister and links only libvirt's
# public API: an internal (LIBVIRT_PRIVATE_*) symbol linked directly would
# make dlopen fail in any other libvirt version, and libvirtd with it.
set -euo pipefail
module=${1:?usage: $0 MODULE}
fail=0
exports=$(nm -D --defined-only "$module" | awk '$2 == "T" || $2 == "D" {print $3}')
if [[ $exports != networkRegister ]]; then
  echo "FAIL: exports other than networkRegister:"; echo "$exports"; fail=1
fi
private=$(nm -D --undefined-only "$module" | grep -F LIBVIRT_PRIVATE || true)
if [[ -n $private ]]; then
  echo "FAIL: links libvirt's internal symbols directly:"; echo "$private"; fail=1
fi
public=$(nm -D --undefined-only "$module" | grep -c '@LIBVIRT_[0-9]' || true)
if [[ $public == 0 ]]; then echo "FAIL: links no libvirt public symbol"; fail=1; fi
[[ $fail == 0 ]] && echo "ok: exports networkRegister only; $public public libvirt symbols, no internal ones"
exit $fail
