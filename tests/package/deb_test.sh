#!/usr/bin/env bash
# The Debian package end to end: packaging/build-deb builds the .deb
# (dpkg-buildpackage -b), lintian finds no error in it, and it installs into
# a throw-away root where the installed daemon, started through the socket
# units' paths with systemd-socket-activate (the admin socket passed first,
# fds named as the units name them), answers
# `virsh -c network:///system net-list` and defines, starts and destroys a
# network validated against the installed grammar.
#
# The throw-away root: an overlayfs whose lower layer is the host's / and
# whose upper layer is a tmpfs, mounted in a private mount namespace
# (unshare --mount) and entered with chroot, with a private tmpfs /run and
# /tmp and a private network namespace (unshare --net). dpkg -i runs its
# maintainer scripts for real against a copy-on-write view of the host's
# dpkg database; nothing reaches the host's files, its /run/libvirt or its
# network, and all of it vanishes with the namespace.
#
#   tests/package/deb_test.sh [DEB]   (without DEB: the one scripts/test built
#                                     in $VIRTNAT_PREBUILT_DEB_DIR, else build it)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$HERE/root.sh"

if [[ ${1:-} == --inside ]]; then
  # In the private mount and network namespaces.
  deb=$2 scratch=$3
  root=$(make_root "$scratch")
  cp "$deb" "$root/tmp/virtnat.deb"
  cp "$SRC/tests/compat/data/a-demo.xml" "$root/tmp/net.xml"
  enter_root "$root" "$0"
fi

if [[ $(id -u) != 0 ]]; then echo "FAIL: needs root (mount and network namespaces)"; exit 1; fi
TMP=$(mktemp -d /tmp/virtnat-debtest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
DEB=${1:-}
if [[ -z $DEB && -n ${VIRTNAT_PREBUILT_DEB_DIR:-} ]]; then
  DEB=$(ls "$VIRTNAT_PREBUILT_DEB_DIR"/virtnat_*.deb) ||
    { echo "FAIL: no virtnat_*.deb in VIRTNAT_PREBUILT_DEB_DIR=$VIRTNAT_PREBUILT_DEB_DIR"; exit 1; }
  echo "ok: using the package scripts/test built: $DEB"
fi
if [[ -z $DEB ]]; then
  "$SRC/packaging/build-deb" "$TMP/out" >/dev/null
  DEB=$(ls "$TMP"/out/virtnat_*.deb)
fi
inspect_deb "$DEB" "$TMP"
mkdir "$TMP/scratch"
unshare --mount --net --propagation private -- "$0" --inside "$DEB" "$TMP/scratch"
# The libvirtd module's package, built beside it: its own root and checks.
MODULE_DEB=$(ls "$(dirname "$DEB")"/virtnat-libvirt-module_*.deb 2>/dev/null || true)
if [[ -n $MODULE_DEB ]]; then
  echo "--- virtnat-libvirt-module"
  "$HERE/module_deb_test.sh" "$DEB" "$MODULE_DEB"
fi
exit  # the root section below runs only under chroot

# --- in the root: runs under chroot, after dpkg -i, as the packaged system.
set -euo pipefail
FAILURES=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
ip link set lo up
dpkg -i /tmp/virtnat.deb >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; echo "FAIL: dpkg -i"; exit 1; }
echo "ok: dpkg -i"
for f in /usr/sbin/virtnatd /usr/bin/virtnat-xml /usr/bin/virtnat-port /usr/bin/virtnat-ifup \
    /usr/bin/virtnat-ifdown /usr/share/man/man8/virtnat-port.8.gz /etc/virtnat/virtnatd.conf \
    /usr/share/virtnat/schemas/network.rng /usr/share/virtnat/schemas/networkport.rng \
    /usr/share/man/man8/virtnatd.8.gz \
    /usr/share/man/man1/virtnat-xml.1.gz /lib/systemd/system/virtnatd.service \
    /lib/systemd/system/virtnatd.socket /lib/systemd/system/virtnatd-ro.socket \
    /lib/systemd/system/virtnatd-admin.socket; do
  [[ -e $f ]] || fail "not installed: $f"
done
man -l /usr/share/man/man8/virtnatd.8.gz 2>/dev/null | grep -q SYNOPSIS || fail "man -l virtnatd.8.gz"
[[ -d /run/libvirt && -d /run/virtnat ]] || fail "tmpfiles.d did not create /run/libvirt, /run/virtnat"

units=(/lib/systemd/system/virtnatd{.service,.socket,-ro.socket,-admin.socket})
out=$(systemd-analyze verify --man=no "${units[@]}" 2>&1) && echo "ok: systemd-analyze verify" ||
  fail "systemd-analyze verify: $out"

unit() { sed -n "s/^$2=//p" "/lib/systemd/system/$1"; }
rw=$(unit virtnatd.socket ListenStream) ro=$(unit virtnatd-ro.socket ListenStream)
admin=$(unit virtnatd-admin.socket ListenStream)
names="$(unit virtnatd-admin.socket FileDescriptorName):$(unit virtnatd.socket FileDescriptorName)"
names+=":$(unit virtnatd-ro.socket FileDescriptorName)"
exec_start=$(unit virtnatd.service ExecStart)
daemon=${exec_start%% *}
echo "ok: units: $daemon on $rw, $ro, $admin (passed as $names)"
[[ $rw == /run/libvirt/virtnetworkd-sock && $ro == /run/libvirt/virtnetworkd-sock-ro ]] ||
  fail "socket paths are not virtnetworkd's"


# The admin socket first: the daemon must pick its sockets by name.
systemd-socket-activate -l "$admin" -l "$rw" -l "$ro" --fdname="$names" "$daemon" \
  2>/tmp/daemon.log &
pid=$!
for _ in $(seq 100); do [[ -S $ro ]] && break; sleep 0.05; done
out=$(virsh -c network:///system net-list --all 2>&1) || fail "virsh net-list: $out"
[[ $out == *Name*State*Autostart* ]] && echo "ok: virsh -c network:///system net-list" ||
  fail "net-list printed: $out"
out=$(virsh -c network:///system net-define /tmp/net.xml --validate 2>&1) &&
  echo "ok: net-define --validate with the installed grammar" || fail "net-define: $out"
out=$(virsh -c network:///system net-start a-demo 2>&1) && echo "ok: net-start" ||
  fail "net-start: $out"
out=$(virsh -c network:///system net-list 2>&1)
[[ $out == *a-demo*active* ]] && echo "ok: the network runs" || fail "net-list: $out"
out=$(virsh -c network:///system net-destroy a-demo 2>&1) && echo "ok: net-destroy" ||
  fail "net-destroy: $out"
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[[ $rc == 0 ]] && echo "ok: SIGTERM exits cleanly" || fail "exit code $rc after SIGTERM"
if [[ -s /tmp/daemon.log ]]; then echo "--- daemon log"; cat /tmp/daemon.log; fi
[[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
