#!/usr/bin/env bash
# `cmake --install` of the build tree ($1) into a temporary prefix installs
# exactly the expected files, the man pages read cleanly with man -l and
# document every option, and the installed grammar validates.
set -euo pipefail
BUILD=${1:?usage: $0 BUILD-DIR}
TMP=$(mktemp -d /tmp/virtnat-install.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILURES=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }

cmake --install "$BUILD" --prefix "$TMP/usr" >/dev/null
(cd "$TMP/usr" && find . -type f | sort) >"$TMP/files"
cat >"$TMP/expected" <<'LIST'
./bin/virtnat-port
./bin/virtnat-xml
./etc/virtnat/virtnatd.conf
./lib/systemd/system/virtnatd-admin.socket
./lib/systemd/system/virtnatd-ro.socket
./lib/systemd/system/virtnatd.service
./lib/systemd/system/virtnatd.socket
./lib/tmpfiles.d/virtnatd.conf
./sbin/virtnatd
./share/man/man1/virtnat-xml.1
./share/man/man8/virtnat-port.8
./share/man/man8/virtnatd.8
./share/virtnat/schemas/network.rng
./share/virtnat/schemas/networkport.rng
./share/virtnat/schemas/portforward.rng
./share/virtnat/schemas/types.rng
LIST
# The libvirtd module, when it is built (plugin/): beside, not over, libvirt's.
if [[ -f $BUILD/plugin/libvirt_driver_network.so ]]; then
  echo ./lib/virtnat/libvirt-9.0.0/libvirt_driver_network.so >>"$TMP/expected"
  sort -o "$TMP/expected" "$TMP/expected"
fi
if diff -u "$TMP/expected" "$TMP/files"; then echo "ok: installed files"; else fail "installed files"; fi
# QEMU's script= and downscript= names of virtnat-port.
for link in virtnat-ifup virtnat-ifdown; do
  [[ $(readlink "$TMP/usr/bin/$link") == virtnat-port ]] && echo "ok: bin/$link -> virtnat-port" ||
    fail "bin/$link is not a link to virtnat-port"
  [[ $(readlink "$TMP/usr/share/man/man8/$link.8") == virtnat-port.8 ]] &&
    echo "ok: man8/$link.8 -> virtnat-port.8" || fail "man8/$link.8 is not a link to virtnat-port.8"
done

# The unit names the configured prefix's sbin (CMAKE_INSTALL_PREFIX; --prefix
# at install time cannot change it).
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
grep -qx "ExecStart=$prefix/sbin/virtnatd \$VIRTNATD_ARGS" "$TMP/usr/lib/systemd/system/virtnatd.service" &&
  echo "ok: the service runs the installed daemon" || fail "ExecStart of virtnatd.service"

for page in "$TMP"/usr/share/man/man*/*; do
  warnings=$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/dev/null)
  text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
  name=$(basename "$page")
  if [[ -n $warnings ]]; then fail "man -l $name: $warnings"
  elif [[ $text != *NAME* || $text != *SYNOPSIS* ]]; then fail "man -l $name: no NAME/SYNOPSIS"
  else echo "ok: man -l $name"; fi
done

# Every option virtnatd --help names is in its man page.
for opt in $("$TMP/usr/sbin/virtnatd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  MANWIDTH=200 man -l "$TMP/usr/share/man/man8/virtnatd.8" 2>/dev/null | grep -q -- "$opt" ||
    fail "virtnatd(8) does not document $opt"
done
echo "ok: virtnatd(8) documents every option of --help"

# Every option of virtnat-port's usage is in its man page.
for opt in $("$TMP/usr/bin/virtnat-port" 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  MANWIDTH=200 man -l "$TMP/usr/share/man/man8/virtnat-port.8" 2>/dev/null | grep -q -- "$opt" ||
    fail "virtnat-port(8) does not document $opt"
done
echo "ok: virtnat-port(8) documents every option of its usage"

# Every setting of the default config, uncommented, is one virtnatd reads.
sed -n 's/^#\([a-z_]* = .*\)$/\1/p' "$TMP/usr/etc/virtnat/virtnatd.conf" >"$TMP/all.conf"
keys=$(wc -l <"$TMP/all.conf")
rc=0
"$TMP/usr/sbin/virtnatd" -f "$TMP/all.conf" --status --run-dir "$TMP/run" >/dev/null 2>"$TMP/err" || rc=$?
if [[ $rc == 3 && $keys -ge 15 && ! -s $TMP/err ]]; then echo "ok: the default config's $keys settings are all read"
else fail "default config uncommented (exit $rc, $keys keys): $(cat "$TMP/err")"; fi

# The installed grammar is complete (the tool reads it from the prefix it was
# built for; VIRTNAT_SCHEMA_DIR points it here).
cat >"$TMP/net.xml" <<'XML'
<network><name>t</name><forward mode='nat'/><ip address='192.168.150.1' netmask='255.255.255.0'/></network>
XML
if VIRTNAT_SCHEMA_DIR=$TMP/usr/share/virtnat/schemas "$TMP/usr/bin/virtnat-xml" --validate \
    "$TMP/net.xml" >/dev/null 2>"$TMP/err"; then
  echo "ok: virtnat-xml --validate with the installed grammar"
else
  fail "virtnat-xml --validate: $(cat "$TMP/err")"
fi

[[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
