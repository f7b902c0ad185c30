#!/usr/bin/env bash
# The layout the restructure set (ARCHITECTURE.md): no source file outside
# tests/ over 450 lines, daemon/ under 900, and driver/'s top level only the
# driver interface and its wiring (everything else lives in a room).
set -euo pipefail
cd "${1:?usage: $0 SOURCE-DIR}"
failures=0
# The sources below $1 (build trees, .git and the libvirt source tree the
# plugin fetches left out), NUL-free paths.
sources() {
  local dir=$1; shift
  find "$dir" -path './build*' -prune -o -path ./.git -prune -o -path './plugin/libvirt-*' -prune \
    -o "$@" \( -name '*.cpp' -o -name '*.c' -o -name '*.h' -o -name '*.inc' \) -type f -print
}
while read -r lines file; do
  [[ $file == total ]] && continue
  if ((lines > 450)); then echo "FAIL: $file has $lines lines (at most 450)"; failures=$((failures + 1)); fi
done < <(sources . -path ./tests -prune -o | xargs wc -l)
daemon=$(sources daemon | xargs cat | wc -l)
if ((daemon >= 900)); then echo "FAIL: daemon/ has $daemon lines (under 900)"; failures=$((failures + 1)); fi
top=$(find driver -maxdepth 1 -type f | grep -vxE \
  'driver/(CMakeLists.txt|network_driver\.(h|cpp)|network_realizer\.h|host_driver\.(h|cpp)|host_adoption\.cpp)' || true)
if [[ -n $top ]]; then echo "FAIL: driver/'s top level holds more than the interface and wiring:"; echo "$top"; failures=$((failures + 1)); fi
echo "daemon/: $daemon lines"
((failures == 0)) && echo "layout ok"
exit $((failures > 0))
