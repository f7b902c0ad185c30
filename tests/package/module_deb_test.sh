#!/usr/bin/env bash
# The libvirtd module's Debian package end to end, in a throw-away root (an
# overlayfs over the host's /, in private mount and network namespaces,
# entered with chroot, as tests/package/deb_test.sh does): dpkg -i diverts
# libvirt's network module and puts virtnatd's at its path; the packaged
# libvirtd, started plainly, answers `virsh -c qemu:///system` with the
# packaged virtnatd's networks (socket-activated on its unit's paths); dpkg
# -r puts libvirt's module back byte for byte, the diversion is gone, and
# libvirtd starts again with its own network driver.
#
#   tests/package/module_deb_test.sh [VIRTNAT-DEB MODULE-DEB]   (without: build them)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$HERE/root.sh"

if [[ ${1:-} == --inside ]]; then
  deb=$2 module_deb=$3 scratch=$4
  # libvirtd sees none of the host's libvirt state, definitions or config.
  root=$(make_root "$scratch" var/log/libvirt var/lib/libvirt var/cache/libvirt etc/libvirt)
  cp "$deb" "$root/tmp/virtnat.deb"
  cp "$module_deb" "$root/tmp/module.deb"
  cp "$SRC/tests/compat/data/a-demo.xml" "$root/tmp/net.xml"
  enter_root "$root" "$0"
fi

if [[ $(id -u) != 0 ]]; then echo "FAIL: needs root (mount and network namespaces)"; exit 1; fi
TMP=$(mktemp -d /tmp/virtnat-moddebtest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
DEB=${1:-} MODULE_DEB=${2:-}
if [[ -z $DEB ]]; then
  "$SRC/packaging/build-deb" "$TMP/out" >/dev/null
  DEB=$(ls "$TMP"/out/virtnat_*.deb)
  MODULE_DEB=$(ls "$TMP"/out/virtnat-libvirt-module_*.deb)
fi
inspect_deb "$MODULE_DEB" "$TMP"
mkdir "$TMP/scratch"
unshare --mount --net --propagation private -- "$0" --inside "$DEB" "$MODULE_DEB" "$TMP/scratch"
exit  # the root section below runs only under chroot

# --- in the root: runs under chroot, as the packaged system.
set -euo pipefail
FAILURES=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
ip link set lo up
M=/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_network.so
original=$(sha256sum <"$M")
LIBVIRTD_PID=
start_libvirtd() {
  rm -f /run/libvirtd.pid
  libvirtd --pid-file /run/libvirtd.pid >/tmp/libvirtd.out 2>&1 &
  LIBVIRTD_PID=$!
  for _ in $(seq 300); do virsh -q -c qemu:///system uri >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "libvirtd did not start"; cat /tmp/libvirtd.out
}
stop_libvirtd() { kill "$LIBVIRTD_PID"; wait "$LIBVIRTD_PID" 2>/dev/null || true; }

dpkg -i /tmp/virtnat.deb /tmp/module.deb >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; echo "FAIL: dpkg -i"; exit 1; }
echo "ok: dpkg -i virtnat virtnat-libvirt-module"
div=$(dpkg-divert --list "$M")
[[ $div == "diversion of $M to $M.distrib by virtnat-libvirt-module" ]] &&
  echo "ok: $div" || fail "dpkg-divert --list: $div"
[[ $(sha256sum <"$M.distrib") == "$original" ]] && echo "ok: libvirt's module kept as .distrib" ||
  fail "$M.distrib is not libvirt's module"
nm -D --defined-only "$M" | grep -q ' T networkRegister$' && ! cmp -s "$M" "$M.distrib" &&
  echo "ok: virtnat's module at libvirt's path" || fail "$M is not virtnat's module"

dropin=/lib/systemd/system/libvirtd.service.d/virtnat.conf
[[ $(grep -E '^(Wants|After)=' "$dropin" 2>/dev/null) == "Wants=virtnatd.socket
After=virtnatd.socket" ]] && echo "ok: libvirtd.service starts after virtnatd.socket ($dropin)" ||
  fail "no drop-in ordering libvirtd after virtnatd.socket at $dropin"

# virtnatd on its units' paths, as socket activation starts it.
unit() { sed -n "s/^$2=//p" "/lib/systemd/system/$1"; }
rw=$(unit virtnatd.socket ListenStream) ro=$(unit virtnatd-ro.socket ListenStream)
admin=$(unit virtnatd-admin.socket ListenStream)
names="$(unit virtnatd-admin.socket FileDescriptorName):$(unit virtnatd.socket FileDescriptorName)"
names+=":$(unit virtnatd-ro.socket FileDescriptorName)"
exec_start=$(unit virtnatd.service ExecStart)
systemd-socket-activate -l "$admin" -l "$rw" -l "$ro" --fdname="$names" "${exec_start%% *}" \
  2>/tmp/daemon.log &
daemon=$!
for _ in $(seq 100); do [[ -S $ro ]] && break; sleep 0.05; done

start_libvirtd
out=$(virsh -c qemu:///system net-define /tmp/net.xml 2>&1) && echo "ok: virsh -c qemu:///system net-define" ||
  fail "net-define: $out"
out=$(virsh -c qemu:///system net-start a-demo 2>&1) && echo "ok: net-start" || fail "net-start: $out"
a=$(virsh -q -c qemu:///system net-list --all 2>&1)
b=$(virsh -q -c network:///system net-list --all 2>&1)
[[ $a == *a-demo*active* && $a == "$b" ]] && echo "ok: qemu:///system lists virtnatd's network" ||
  fail "qemu:///system: $a / virtnatd: $b"
[[ -f /etc/virtnat/a-demo.xml ]] &&
  echo "ok: the definition is virtnatd's" || fail "no virtnatd definition of a-demo"
virsh -q -c network:///system net-destroy a-demo >/dev/null
virsh -q -c network:///system net-undefine a-demo >/dev/null
stop_libvirtd
kill "$daemon"; wait "$daemon" 2>/dev/null || true

dpkg -r virtnat-libvirt-module >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "dpkg -r"; }
[[ $(sha256sum <"$M") == "$original" ]] && echo "ok: dpkg -r puts libvirt's module back" ||
  fail "$M is not libvirt's module after removal"
[[ ! -e $M.distrib && -z $(dpkg-divert --list "$M") && ! -e $dropin ]] &&
  echo "ok: no diversion or drop-in left" ||
  fail "diversion or .distrib left: $(dpkg-divert --list "$M")"
start_libvirtd
out=$(virsh -c qemu:///system net-define /tmp/net.xml 2>&1) &&
  echo "ok: libvirtd's own network driver is back (net-define)" || fail "own driver: $out"
stop_libvirtd
[[ $FAILURES == 0 ]] || { cat /tmp/libvirtd.out; echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
