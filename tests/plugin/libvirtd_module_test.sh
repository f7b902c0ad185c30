#!/usr/bin/env bash
# Debian's libvirtd 9.0 with virtnat's network module (plugin/) in place of
# its own: the module is bind-mounted over libvirt's module path inside
# libvirtd's private mount namespace (the host's files are never touched).
# virsh and python-libvirt on libvirtd's qemu:///system act on virtnatd's
# networks with the output virsh gives straight at virtnatd; lifecycle
# events reach libvirtd's clients, also after virtnatd restarts; a stopped
# virtnatd is a clear error; a module built for another libvirt version
# declines with a log line and libvirtd still starts; without the module
# libvirtd has its own driver back. virt-manager lists virtnatd's networks
# on qemu:///system. A QEMU guest (no OS: iPXE's DHCP) with
# <interface type='network'> gets its port and lease from virtnatd.
#
#   libvirtd_module_test.sh VIRTNATD MODULE WRONG-VERSION-MODULE
. "$(dirname "$0")/../compat/lib.sh"
. "$(dirname "$0")/../compat/gui.sh"
DATA=$(cd "$(dirname "$0")/../compat/data" && pwd)
MODULE=${2:?module}
WRONG_MODULE=${3:?wrong-version module}
LIBVIRT_MODULE=/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_network.so
[[ $(id -u) == 0 ]] || { echo "needs root (namespaces, libvirtd)"; exit 1; }
[[ -f $LIBVIRT_MODULE ]] || { echo "no $LIBVIRT_MODULE: is Debian's libvirt-daemon-driver-network installed?"; exit 1; }

# dnsmasq drops to its user before it reads the hosts file: it must reach it.
chmod 755 "$TMP"
LV=$TMP/libvirtd
LV_PID=
LV_URI="qemu+unix:///system?socket=$LV/sock/libvirt-sock"
EVENTS_PID=

stop_libvirtd() {
  [[ -n $LV_PID ]] || return 0
  local ns
  ns=$(readlink "/proc/$LV_PID/ns/net" 2>/dev/null || true)
  kill "$LV_PID" 2>/dev/null || true
  wait "$LV_PID" 2>/dev/null || true
  if [[ -n $ns ]]; then # what libvirtd started in its namespace (dnsmasq)
    for p in /proc/[0-9]*; do
      [[ $(readlink "$p/ns/net" 2>/dev/null) == "$ns" ]] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  fi
  LV_PID=
}
all_cleanup() {
  stop_gui
  [[ -n $EVENTS_PID ]] && kill "$EVENTS_PID" 2>/dev/null
  stop_libvirtd
  cleanup
}
trap all_cleanup EXIT

# start_libvirtd MODULE-OR-"own": libvirtd in its own network and mount
# namespaces (tmpfs over its directories, as bench/lib/daemons.py runs it).
start_libvirtd() {
  rm -rf "$LV"
  write_libvirtd_conf "$LV"
  {
    echo "set -e"
    echo "ip link set lo up"
    echo "for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do"
    echo "  mount -t tmpfs -o mode=0755 vnplugin \$d"
    echo "done"
    # Guests log to files (no virtlogd in the namespace) and run as root.
    echo "printf 'stdio_handler = \"file\"\\nuser = \"root\"\\ngroup = \"root\"\\n' >/etc/libvirt/qemu.conf"
    [[ $1 == own ]] || echo "mount --bind '$1' '$LIBVIRT_MODULE'"
    echo "exec libvirtd --config '$LV/libvirtd.conf' --pid-file /run/libvirtd.pid"
  } >"$LV/enter.sh"
  VIRTNAT_PLUGIN_SOCKET=$SOCK unshare --net --mount --propagation private sh "$LV/enter.sh" \
    >"$LV/out.log" 2>&1 &
  LV_PID=$!
  for _ in $(seq 300); do
    virsh -q -c "$LV_URI" uri >/dev/null 2>&1 && return 0
    kill -0 "$LV_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "libvirtd did not start:"; cat "$LV/out.log" "$LV/libvirtd.log" 2>/dev/null; return 1
}

# same NAME ARGS...: virsh ARGS on libvirtd's qemu:///system prints what
# it prints straight at virtnatd, with the same exit code.
same() {
  local name=$1 out rc=0; shift
  out=$(virsh -q -c "$URI" "$@" 2>&1) || rc=$?
  check "$name (as at virtnatd, exit $rc)" "$out" "$rc" virsh -q -c "$LV_URI" "$@"
}

start_daemon
start_libvirtd "$MODULE"
V=(virsh -c "$LV_URI")

# Lifecycle events on libvirtd's qemu:///system, from python-libvirt.
cat >"$TMP/events.py" <<'PY'
import sys
import libvirt
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(sys.argv[1])
out = open(sys.argv[2], "w", buffering=1)
names = {libvirt.VIR_NETWORK_EVENT_DEFINED: "Defined", libvirt.VIR_NETWORK_EVENT_UNDEFINED: "Undefined",
         libvirt.VIR_NETWORK_EVENT_STARTED: "Started", libvirt.VIR_NETWORK_EVENT_STOPPED: "Stopped"}
def cb(_conn, net, event, _detail, _opaque):
    out.write("%s %s\n" % (net.name(), names.get(event, event)))
conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, cb, None)
out.write("registered\n")
while True:
    libvirt.virEventRunDefaultImpl()
PY
/usr/bin/python3 "$TMP/events.py" "$LV_URI" "$TMP/events.txt" 2>"$TMP/events.err" &
EVENTS_PID=$!
# wait_events N: until the listener has written N event lines (or 60 s).
wait_events() {
  for _ in $(seq 600); do
    [[ $(grep -vc registered "$TMP/events.txt" 2>/dev/null) -ge $1 ]] && return 0
    sleep 0.1
  done
}
for _ in $(seq 300); do grep -q registered "$TMP/events.txt" 2>/dev/null && break; sleep 0.1; done
check "python-libvirt registers for network events on qemu:///system" "registered" 0 \
  head -1 "$TMP/events.txt"

check "net-define through libvirtd" "Network a-demo defined from $DATA/a-demo.xml" 0 \
  "${V[@]}" net-define "$DATA/a-demo.xml"
check "the definition is virtnatd's" "a-demo" 0 bash -c "ls '$TMP/etc' | sed -n 's/\\.xml\$//p'"
check "net-start through libvirtd" "Network a-demo started" 0 "${V[@]}" net-start a-demo
check "the bridge is in virtnatd's namespace" "virbra1" 0 \
  bash -c "nsenter --net=/proc/$DAEMON_PID/ns/net ip -o link show virbra1 | awk -F': ' '{print \$2}'"
same "net-list --all" net-list --all
same "net-info" net-info a-demo
same "net-dumpxml" net-dumpxml a-demo
same "net-dumpxml --inactive" net-dumpxml --inactive a-demo
same "net-dhcp-leases" net-dhcp-leases a-demo
same "net-autostart" net-autostart a-demo
same "net-list --autostart" net-list --autostart
HOST="<host mac='52:54:00:a1:00:02' name='fixed3' ip='192.168.201.11'/>"
check "net-update through libvirtd" "Updated network a-demo persistent config and live state" 0 \
  "${V[@]}" net-update a-demo add ip-dhcp-host "$HOST" --live --config
same "net-dumpxml after net-update" net-dumpxml a-demo
same "net-update duplicate (virtnatd's error)" net-update a-demo add ip-dhcp-host "$HOST" --live
same "net-info of an unknown network (virtnatd's error)" net-info no-such-net
same "net-define of bad XML (virtnatd's error)" net-define /dev/null

# Ports, as the qemu driver uses them for <interface type='network'>.
PORT=a1a1a1a1-0000-4000-8000-000000000099
check "net-port-create through libvirtd" "Network port $PORT created from $DATA/port.xml" 0 \
  "${V[@]}" net-port-create a-demo "$DATA/port.xml"
same "net-port-list" net-port-list a-demo
same "net-port-dumpxml" net-port-dumpxml a-demo "$PORT"
check "net-port-delete through libvirtd" "Network port $PORT deleted" 0 \
  "${V[@]}" net-port-delete a-demo "$PORT"
same "net-port-list after delete" net-port-list a-demo

# virt-manager (under Xvfb) on libvirtd's qemu:///system lists virtnatd's
# network; VIRTNAT_SCREENSHOT=FILE saves its Virtual Networks tab.
start_gui
virt-manager --debug --connect "$LV_URI" --show-host-summary >"$TMP/virt-manager.log" 2>&1 &
VM_PID=$!
for _ in $(seq 600); do
  grep -q "error dialog message\|=a-demo status=Active added" "$TMP/virt-manager.log" && break
  sleep 0.1
done
check "virt-manager on qemu:///system lists virtnatd's network" "=a-demo status=Active added" 0 \
  bash -c "grep -o '=a-demo status=Active added' '$TMP/virt-manager.log' | head -1"
check "virt-manager shows no error dialog" "" 0 \
  bash -c "grep -A8 'error dialog message' '$TMP/virt-manager.log' || true"
if [[ -n ${VIRTNAT_SCREENSHOT:-} ]]; then
  wid=$(xdotool search --sync --name "Connection Details" | head -1)
  xdotool mousemove --window "$wid" 175 49 click 1  # the Virtual Networks tab
  sleep 1
  xdotool mousemove --window "$wid" 100 80 click 1  # a-demo, first in the list
  sleep 1
  screenshot "$VIRTNAT_SCREENSHOT"
fi
stop_gui

# An event that virtnatd raises for a client of its own.
virsh -q -c "$URI" net-destroy a-demo >/dev/null
wait_events 3
check "lifecycle events reach libvirtd's client" "registered
a-demo Defined
a-demo Started
a-demo Stopped" 0 cat "$TMP/events.txt"

# virtnatd stopped: a clear error; restarted: calls and events again.
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
check "virtnatd stopped: the error names it" "match" 0 bash -c '
  out=$(virsh -q -c "$1" net-list 2>&1); [[ $out == *"virtnatd is not reachable at $2"*"start virtnatd"* ]] &&
  echo match || printf "%s\n" "$out"' _ "$LV_URI" "$SOCK"
rm -f "$SOCK" "$SOCK_RO"
start_daemon
same "virtnatd restarted: net-list --all" net-list --all
# The network outlived virtnatd (virtnatd re-adopted it): stop and start.
virsh -q -c "$URI" net-destroy a-demo >/dev/null
virsh -q -c "$URI" net-start a-demo >/dev/null
wait_events 5
check "events flow after virtnatd restarted" "a-demo Stopped
a-demo Started" 0 tail -2 "$TMP/events.txt"
check "net-undefine through libvirtd" "Network a-demo has been undefined" 0 \
  "${V[@]}" net-undefine a-demo
wait_events 6
check "undefine event" "a-demo Undefined" 0 tail -1 "$TMP/events.txt"
virsh -q -c "$URI" net-destroy a-demo >/dev/null
kill "$EVENTS_PID"; wait "$EVENTS_PID" 2>/dev/null || true; EVENTS_PID=
stop_libvirtd

# A guest libvirtd starts with <interface type='network'> (QEMU software
# emulation, no disk: its firmware's iPXE asks for a lease, so no guest OS
# is needed): the qemu driver gets the port from virtnatd through the
# module, the guest its lease from virtnatd's dnsmasq, and `virsh destroy`
# removes the port. The guest's tap joins virtnatd's bridge, so virtnatd
# runs in libvirtd's network namespace here.
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
start_libvirtd "$MODULE"
rm -f "$SOCK" "$SOCK_RO"
nsenter --net="/proc/$LV_PID/ns/net" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" \
  --config-dir "$TMP/g/etc" --state-dir "$TMP/g/lib" --lease-status-dir "$TMP/g/lib/nss" --run-dir "$TMP/g/run" --log-level warning \
  2>>"$TMP/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -S $SOCK_RO ]] && break; sleep 0.05; done
cat >"$TMP/guest.xml" <<'XML'
<domain type='qemu'>
  <name>vn-guest</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <interface type='network'>
      <source network='a-demo'/>
      <mac address='52:54:00:a1:00:01'/>
      <model type='e1000'/>
    </interface>
  </devices>
</domain>
XML
"${V[@]}" net-define "$DATA/a-demo.xml" >/dev/null
"${V[@]}" net-start a-demo >/dev/null
"${V[@]}" define "$TMP/guest.xml" >/dev/null
check "guest with <interface type='network'> starts" "Domain 'vn-guest' started" 0 \
  "${V[@]}" start vn-guest
check "its port is virtnatd's, owned by the guest" "1 vn-guest" 0 bash -c \
  "echo \$(virsh -q -c '$URI' net-port-list a-demo | wc -l) \
   \$(virsh -q -c '$URI' net-port-list a-demo | xargs virsh -q -c '$URI' net-port-dumpxml a-demo |
      sed -n 's,.*<name>\\(.*\\)</name>.*,\\1,p')"
same "net-port-list with the guest's port" net-port-list a-demo
check "the guest's tap is on virtnatd's bridge" "vnet0" 0 bash -c \
  "nsenter --net=/proc/$DAEMON_PID/ns/net ip -o link show master virbra1 | awk -F': ' '{print \$2}' | sed 's/@.*//'"
for _ in $(seq 600); do
  virsh -q -c "$LV_URI" net-dhcp-leases a-demo 2>/dev/null | grep -q 52:54:00:a1:00:01 && break
  sleep 0.1
done
check "the guest's lease from virtnatd's dnsmasq" "52:54:00:a1:00:01 ipv4 192.168.201.10/24 fixed1" 0 \
  bash -c "virsh -q -c '$LV_URI' net-dhcp-leases a-demo | awk '{print \$3, \$4, \$5, \$6}'"
same "net-dhcp-leases with the guest's lease" net-dhcp-leases a-demo
check "virsh destroy" "Domain 'vn-guest' destroyed" 0 "${V[@]}" destroy vn-guest
check "the port is gone" "" 0 virsh -q -c "$URI" net-port-list a-demo
"${V[@]}" undefine vn-guest >/dev/null
"${V[@]}" net-destroy a-demo >/dev/null
"${V[@]}" net-undefine a-demo >/dev/null
stop_libvirtd  # and virtnatd, in its namespace: back to a namespace of its own
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$SOCK" "$SOCK_RO"
start_daemon

# A module built for another libvirt version declines, and libvirtd starts.
start_libvirtd "$WRONG_MODULE"
check "wrong version: the module's log line" "match" 0 bash -c '
  grep -q "virtnat network module: built for libvirt 8.9.9, running in libvirt 9.0.0: not loading" "$1" &&
  echo match || cat "$1"' _ "$LV/out.log"
check "wrong version: libvirtd runs without a network driver" \
  "error: failed to get network 'a-demo'
error: this function is not supported by the connection driver: virNetworkLookupByName" 1 \
  virsh -q -c "$LV_URI" net-info a-demo
stop_libvirtd

# Without the module libvirtd has its own driver back and starts cleanly.
start_libvirtd own
check "own driver: net-list" "" 0 virsh -q -c "$LV_URI" net-list --all
check "own driver: virtnatd's network is not there" "error: failed to get network 'a-demo'
error: Network not found: no network with matching name 'a-demo'" 1 \
  virsh -q -c "$LV_URI" net-info a-demo
check "own driver: net-define" "Network a-demo defined from $DATA/a-demo.xml" 0 \
  virsh -c "$LV_URI" net-define "$DATA/a-demo.xml"
check "own driver: not in virtnatd" "" 0 virsh -q -c "$URI" net-list --all
# The namespace has no D-Bus, DMI or udev (errors of libvirtd's other
# drivers); its network driver (functions network*) reports no error.
check "own driver: no error from libvirt's network driver" "" 0 \
  bash -c 'grep -E ": error : (network|virNetwork)" "$1" || true' _ "$LV/libvirtd.log"
stop_libvirtd

finish
