#!/usr/bin/env bash
# Clients of a newer libvirt against virtnatd: Debian 13's virsh and
# python3-libvirt (11.3), run from the Debian 13 root that bench/trixie-root
# builds and caches (built here when absent: ~100 s and a reachable Debian
# mirror). The root is entered with chroot in a private mount namespace:
# an overlay over the cached root (which stays untouched), a tmpfs /run with
# virtnatd's sockets bind-mounted at the standard paths
# (/run/libvirt/virtnetworkd-sock, -ro), so `network:///system` reaches it.
# Exercised: the metadata calls of libvirt 9.7+ (net-desc, net-desc --title,
# net-metadata --set/--remove, net-dumpxml), the metadata-change event seen
# by `virsh net-event` and by python, persistence of config and live
# metadata across a daemon restart, and net-list/net-start/net-destroy.
. "$(dirname "$0")/lib.sh"
if [[ $(id -u) != 0 ]]; then echo "needs root (chroot, mount and network namespaces)"; exit 1; fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=$("$TOP/bench/trixie-root")
NS=vn-newer-$$
HOLDER=

newer_cleanup() {
  if [[ -n $HOLDER ]]; then kill "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true; fi
  cleanup
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}
trap newer_cleanup EXIT

ip netns add "$NS"
start_daemon_in_ns "$NS"

# The mount namespace the chrooted clients run in, held by a sleeping
# process; everything mounted in it goes when the holder does.
M=$TMP/merged
mkdir -p "$TMP/upper" "$TMP/ovlwork" "$M" "$TMP/in"
cp "$DATA/a-demo.xml" "$TMP/in/"
unshare --mount --propagation private sleep infinity &
HOLDER=$!
sleep 0.2
nsenter -t "$HOLDER" -m sh -e -c "
  mount -t overlay vnnewer -o lowerdir=$ROOT,upperdir=$TMP/upper,workdir=$TMP/ovlwork $M
  mount -t proc proc $M/proc
  mount --rbind /dev $M/dev
  mount -t tmpfs -o mode=0755 vnnewer $M/run
  mount -t tmpfs -o mode=1777 vnnewer $M/tmp
  mkdir -p $M/run/libvirt $M/vntest
  touch $M/run/libvirt/virtnetworkd-sock $M/run/libvirt/virtnetworkd-sock-ro
  mount --bind $SOCK $M/run/libvirt/virtnetworkd-sock
  mount --bind $SOCK_RO $M/run/libvirt/virtnetworkd-sock-ro
  mount --bind $TMP/in $M/vntest"
# A restarted daemon makes new socket files: bind them again.
rebind_sockets() {
  nsenter -t "$HOLDER" -m sh -e -c "
    umount -l $M/run/libvirt/virtnetworkd-sock $M/run/libvirt/virtnetworkd-sock-ro
    mount --bind $SOCK $M/run/libvirt/virtnetworkd-sock
    mount --bind $SOCK_RO $M/run/libvirt/virtnetworkd-sock-ro"
}
T=(nsenter -t "$HOLDER" -m -- chroot "$M" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root)
V=("${T[@]}" virsh -c network:///system)
Q=("${T[@]}" virsh -q -c network:///system)

check "virsh is Debian 13's" "11.3.0" 0 "${T[@]}" virsh --version
check "net-define" "Network a-demo defined from /vntest/a-demo.xml" 0 \
  "${V[@]}" net-define /vntest/a-demo.xml

# net-desc / net-metadata on the inactive network (its config).
check "net-desc without one" "No description for network: a-demo" 0 "${V[@]}" net-desc a-demo
check "net-desc set" "Network description updated successfully" 0 \
  "${V[@]}" net-desc a-demo --new-desc "a demo & more"
check "net-desc get" "a demo & more" 0 "${Q[@]}" net-desc a-demo
check "net-desc --title set" "Network title updated successfully" 0 \
  "${V[@]}" net-desc a-demo --title --new-desc "Demo"
check "net-desc --title get" "Demo" 0 "${Q[@]}" net-desc a-demo --title
check "net-metadata --set" "Metadata modified" 0 \
  "${V[@]}" net-metadata a-demo --uri urn:vn:test --key vt --set "<info><owner>lab</owner></info>"
check "net-metadata get" "<info>
  <owner>lab</owner>
</info>" 0 "${Q[@]}" net-metadata a-demo --uri urn:vn:test
check "net-dumpxml head" "<network>
  <name>a-demo</name>
  <uuid>addbccd4-ca08-4474-9b95-62a5c99a6a8a</uuid>
  <title>Demo</title>
  <description>a demo &amp; more</description>
  <metadata>
    <vt:info xmlns:vt=\"urn:vn:test\">
      <vt:owner>lab</vt:owner>
    </vt:info>
  </metadata>" 0 sh -c "$(printf '%q ' "${Q[@]}") net-dumpxml a-demo | head -10"
check "net-list --title" " a-demo   inactive   no   yes   Demo" 0 \
  "${Q[@]}" net-list --all --title

# The metadata-change event, seen by virsh and by python in the chroot.
"${T[@]}" virsh -c network:///system net-event --event metadata-change --loop --timeout 6 \
  >"$TMP/events.txt" 2>&1 &
EVENTS=$!
cat >"$TMP/in/listen.py" <<'PY'
import sys, threading, libvirt
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.openReadOnly("network:///system")
seen = []
def cb(conn, net, mtype, nsuri, opaque):
    seen.append("%s %d %s" % (net.name(), mtype, nsuri))
conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_METADATA_CHANGE, cb, None)
print("ready", flush=True)
while len(seen) < 2:
    libvirt.virEventRunDefaultImpl()
print("\n".join(seen))
PY
: >"$TMP/py.txt"
"${T[@]}" timeout 20 python3 /vntest/listen.py >"$TMP/py.txt" 2>&1 &
PY=$!
for _ in $(seq 100); do grep -q ready "$TMP/py.txt" && break; sleep 0.1; done
sleep 1  # virsh net-event registers as it starts
"${Q[@]}" net-desc a-demo --new-desc "changed" >/dev/null
"${Q[@]}" net-metadata a-demo --uri urn:vn:test --remove >/dev/null
wait $PY || true
wait $EVENTS || true
check "python listener" "ready
a-demo 0 None
a-demo 2 urn:vn:test" 0 cat "$TMP/py.txt"
check "net-event metadata-change" "event 'metadata-change' for network a-demo: type description, uri <null>
event 'metadata-change' for network a-demo: type element, uri urn:vn:test
event loop timed out
events received: 2" 0 cat "$TMP/events.txt"
# virsh 11.3 prints nothing for a missing element; the API's error is 111.
check "net-metadata after --remove" "" 0 "${V[@]}" net-metadata a-demo --uri urn:vn:test
check "GetMetadata after --remove (python)" \
  "111 metadata not found: Requested metadata element is not present" 0 "${T[@]}" python3 -c '
import libvirt
libvirt.registerErrorHandler(lambda ctx, err: None, None)
net = libvirt.openReadOnly("network:///system").networkLookupByName("a-demo")
try:
    net.metadata(libvirt.VIR_NETWORK_METADATA_ELEMENT, "urn:vn:test")
except libvirt.libvirtError as e:
    print(e.get_error_code(), e.get_error_message())
'

# Lifecycle from the 11.3 client, and live metadata on the running network.
check "net-start" "Network a-demo started" 0 "${V[@]}" net-start a-demo
check "net-list" " a-demo   active   no   yes" 0 "${Q[@]}" net-list
check "net-desc --live" "Network description updated successfully" 0 \
  "${V[@]}" net-desc a-demo --live --new-desc "live only"
check "live description" "live only" 0 "${Q[@]}" net-desc a-demo --live
check "config description" "changed" 0 "${Q[@]}" net-desc a-demo --config

# Both survive a restart of virtnatd (the network keeps running).
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
start_daemon_in_ns "$NS"
rebind_sockets
check "live description after restart" "live only" 0 "${Q[@]}" net-desc a-demo
check "config description after restart" "changed" 0 "${Q[@]}" net-desc a-demo --config
check "title after restart" "Demo" 0 "${Q[@]}" net-desc a-demo --title
check "net-destroy" "Network a-demo destroyed" 0 "${V[@]}" net-destroy a-demo
check "config is current again" "changed" 0 "${Q[@]}" net-desc a-demo
check "read-only client refused" "error: Failed to set new network description
error: operation forbidden: read only access prevents virNetworkSetMetadata" 1 \
  "${T[@]}" virsh -q -r -c network:///system net-desc a-demo --new-desc x
check "net-undefine" "Network a-demo has been undefined" 0 "${V[@]}" net-undefine a-demo

# The same metadata steps on virtnatd and on Debian 13's libvirtd 11.3 (in
# its own network and mount namespaces, chrooted into a second overlay over
# the same root, as bench/lib/daemons.py runs it) print the same.
cat >"$TMP/in/cmp.xml" <<'XML'
<network>
  <name>cmp</name>
  <uuid>5ad1c4a0-1c1f-4f7e-9d4e-2a6b1f00c0de</uuid>
  <bridge name='vncmp0'/>
</network>
XML
metadata_steps() {
  local v=("${T[@]}" virsh -c "$1")
  set +e  # the steps that fail print their error and exit code
  {
    "${v[@]}" net-define /vntest/cmp.xml
    "${v[@]}" net-desc cmp; echo " rc=$?"
    "${v[@]}" net-desc cmp --new-desc $'two\nlines & <b>'
    "${v[@]}" net-desc cmp --title --new-desc "T"
    "${v[@]}" net-desc cmp --title --new-desc $'bad\ntitle'; echo " rc=$?"
    "${v[@]}" net-metadata cmp --uri urn:a --key a --set '<x y="1"><z/>text</x>'
    "${v[@]}" net-metadata cmp --uri urn:b --key b --set '<w xmlns:o="urn:o"><o:p/></w>'
    "${v[@]}" net-metadata cmp --uri urn:a; echo " rc=$?"
    "${v[@]}" net-metadata cmp --uri urn:b; echo " rc=$?"
    "${v[@]}" net-metadata cmp --uri urn:a --key a2 --set '<x2/>'
    "${v[@]}" net-dumpxml --inactive cmp | sed -n '/<title>/,/<\/metadata>/p'
    "${v[@]}" net-metadata cmp --uri urn:a --remove
    "${v[@]}" net-metadata cmp --uri urn:a; echo " rc=$?"
    "${v[@]}" net-desc cmp --live --new-desc x; echo " rc=$?"
    "${v[@]}" net-metadata cmp --uri urn:b --key 1bad --set '<q/>'; echo " rc=$?"
    "${v[@]}" net-metadata cmp --uri urn:b --key b --set '<q>'; echo " rc=$?"
    "${v[@]}" net-desc cmp --new-desc ""
    "${v[@]}" net-dumpxml --inactive cmp | sed -n '/<uuid>/,/<bridge/p'
    "${v[@]}" net-undefine cmp
  } 2>&1
  set -e
}
metadata_steps network:///system >"$TMP/vn-steps.txt"

LV11=$TMP/lv11
mkdir -p "$LV11/sock" "$LV11/upper" "$LV11/work" "$LV11/merged"
cat >"$LV11/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "/vnlv/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:/vnlv/libvirtd.log"
CONF
cat >"$LV11/enter.sh" <<SH
set -e
m=$LV11/merged
mount -t overlay vnlv -o lowerdir=$ROOT,upperdir=$LV11/upper,workdir=$LV11/work \$m
mount -t proc proc \$m/proc
mount --rbind /sys \$m/sys
mount --rbind /dev \$m/dev
mount -t tmpfs -o mode=0755 vnlv \$m/run
mount -t tmpfs -o mode=1777 vnlv \$m/tmp
mkdir -p \$m/vnlv
mount --bind $LV11 \$m/vnlv
printf 'firewall_backend = "nftables"\n' >\$m/etc/libvirt/network.conf
rm -rf \$m/etc/libvirt/qemu/networks/autostart \$m/etc/libvirt/qemu/networks/*.xml
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec chroot \$m /usr/sbin/libvirtd --config /vnlv/libvirtd.conf --pid-file /run/libvirtd.pid
SH
unshare --net --mount --propagation private sh "$LV11/enter.sh" >"$LV11/out.log" 2>&1 &
LV_PID=$!  # stop_libvirtd (lib.sh) ends it and what runs in its namespace
nsenter -t "$HOLDER" -m sh -e -c "mkdir -p $M/vnlv; mount --bind $LV11/sock $M/vnlv"
LV11_URI="network+unix:///system?socket=/vnlv/libvirt-sock"
for _ in $(seq 300); do
  "${T[@]}" virsh -q -c "$LV11_URI" net-list --all >/dev/null 2>&1 && break
  sleep 0.1
done
metadata_steps "$LV11_URI" >"$TMP/lv11-steps.txt"
check "libvirtd 11.3 answered the steps (both dumpxml)" "2" 0 \
  grep -cF "<title>T</title>" "$TMP/lv11-steps.txt"
check "metadata steps print what libvirtd 11.3 prints" "$(cat "$TMP/lv11-steps.txt")" 0 \
  cat "$TMP/vn-steps.txt"
stop_libvirtd
finish
