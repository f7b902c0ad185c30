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
finish
