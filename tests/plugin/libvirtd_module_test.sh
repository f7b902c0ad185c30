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
# on qemu:///system. virtnatd's debug log shows the calls libvirtd made. A
# real guest (tests/support/guest/, booted directly under TCG) with
# <interface type='network'> gets its port and lease from virtnatd, NATs
# to a wan namespace and answers a port forward from it; `virsh destroy`
# removes the port. With polkit as libvirtd's access driver, the module's
# answers (lists filtered, denials) are those of libvirt's own driver.
#
#   libvirtd_module_test.sh VIRTNATD MODULE WRONG-VERSION-MODULE
. "$(dirname "$0")/../compat/lib.sh"
. "$(dirname "$0")/../compat/gui.sh"
. "$(dirname "$0")/../compat/namespaces.sh"
. "$(dirname "$0")/../support/guest/lib.sh"
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
LV_NS=vn-plugin-lv-$$
WAN_NS=vn-plugin-wan-$$

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
  set +e
  stop_gui
  [[ -n $EVENTS_PID ]] && kill "$EVENTS_PID" 2>/dev/null
  stop_libvirtd
  del_namespaces "$WAN_NS" "$LV_NS"
  cleanup
}
trap all_cleanup EXIT

# start_libvirtd MODULE-OR-"own": libvirtd in its own network and mount
# namespaces (tmpfs over its directories, as bench/lib/daemons.py runs it).
# With LV_POLKIT=1 its access driver is polkit: a polkitd on a private
# system bus in the namespace, with the rules of $LV_RULES, and a socket
# every user may open; the networks of $LV_OWN_NETWORKS (files) are copied
# into its own driver's directory first.
start_libvirtd() {
  rm -rf "$LV"
  write_libvirtd_conf "$LV"
  if [[ ${LV_POLKIT:-} == 1 ]]; then
    sed -i 's/^unix_sock_rw_perms = .*/unix_sock_rw_perms = "0777"/' "$LV/libvirtd.conf"
    echo 'access_drivers = [ "polkit" ]' >>"$LV/libvirtd.conf"
    write_bus_conf "$LV/bus.conf" /run/dbus/system_bus_socket
  fi
  {
    echo "set -e"
    echo "ip link set lo up"
    echo "for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do"
    echo "  mount -t tmpfs -o mode=0755 vnplugin \$d"
    echo "done"
    # Guests log to files (no virtlogd in the namespace) and run as root.
    echo "printf 'stdio_handler = \"file\"\\nuser = \"root\"\\ngroup = \"root\"\\n' >/etc/libvirt/qemu.conf"
    [[ $1 == own ]] || echo "mount --bind '$1' '$LIBVIRT_MODULE'"
    if [[ -n ${LV_OWN_NETWORKS:-} ]]; then
      echo "mkdir -p /etc/libvirt/qemu/networks"
      echo "cp $LV_OWN_NETWORKS /etc/libvirt/qemu/networks/"
    fi
    if [[ ${LV_POLKIT:-} == 1 ]]; then
      echo "mkdir -p /run/dbus"
      echo "dbus-daemon --config-file='$LV/bus.conf' --fork --nopidfile"
      echo "mount --bind '$LV_RULES' /etc/polkit-1/rules.d"
      echo "/usr/lib/polkit-1/polkitd --no-debug >'$LV/polkitd.log' 2>&1 &"
      echo "for i in \$(seq 100); do busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1 && break; sleep 0.1; done"
    fi
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

# virtnatd logs a line per call at debug level (rpc/call_log.h).
LOG_LEVEL=debug start_daemon
start_libvirtd "$MODULE"
V=(virsh -c "$LV_URI")

# called LOG PROCEDURE [SUBJECT]: virtnatd's log LOG has the call, made by
# libvirtd (the module's connection).
called() {
  local line="call $2${3:+ $3}"
  if grep -F -- "$line" "$1" | grep -qF -- "(client pid $LV_PID (libvirtd), uid 0)"; then
    echo "logged"
  else
    echo "no line '$line' from libvirtd (pid $LV_PID) in:"; grep -F ": debug: call " "$1" | tail -20
  fi
}

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

# virtnatd's log shows the calls virsh made on libvirtd's qemu:///system.
for call in "NETWORK_DEFINE_XML network 'a-demo'" "NETWORK_CREATE network 'a-demo'" \
  "CONNECT_LIST_ALL_NETWORKS" "NETWORK_GET_XML_DESC network 'a-demo'" \
  "NETWORK_GET_DHCP_LEASES network 'a-demo'" "NETWORK_UPDATE network 'a-demo'"; do
  proc=${call%% *} subject=${call#"${call%% *}"}
  check "virtnatd's log: $call from libvirtd" "logged" 0 called "$TMP/daemon.log" "$proc" "${subject# }"
done

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

# A real guest libvirtd starts with <interface type='network'>: Debian's
# kernel and a busybox initramfs (tests/support/guest/) booted directly
# under QEMU's TCG. The qemu driver gets the port from virtnatd through the
# module; the guest gets its lease from virtnatd's dnsmasq, pings the wan
# namespace through virtnatd's NAT and answers the network's port forward
# from the wan; `virsh destroy` removes the port. The guest's tap joins
# virtnatd's bridge, so virtnatd runs in libvirtd's network namespace here
# (named for the test, so that the wan can be joined to it).
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
guest_image
start_libvirtd "$MODULE"
ip netns attach "$LV_NS" "$LV_PID"
ip netns add "$WAN_NS"
in_ns "$WAN_NS" ip link set lo up
add_wan "$LV_NS" "$WAN_NS"
rm -f "$SOCK" "$SOCK_RO"
in_ns "$LV_NS" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" \
  --config-dir "$TMP/g/etc" --state-dir "$TMP/g/lib" --lease-status-dir "$TMP/g/lib/nss" --run-dir "$TMP/g/run" --log-level debug \
  2>>"$TMP/daemon-guest.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -S $SOCK_RO ]] && break; sleep 0.05; done
cat >"$TMP/guestnet.xml" <<'XML'
<network xmlns:vn='urn:virtnat:network:1'>
  <name>guestnet</name>
  <forward mode='nat'/>
  <bridge name='vnpg0'/>
  <ip address='10.79.0.1' prefix='24'>
    <dhcp>
      <range start='10.79.0.100' end='10.79.0.199'/>
      <host mac='52:54:00:79:00:01' name='vn-guest' ip='10.79.0.10'/>
    </dhcp>
  </ip>
  <vn:portForward guest='10.79.0.10'>
    <vn:range start='8080' to='80'/>
  </vn:portForward>
</network>
XML
GUEST_LOG=$TMP/vn-guest.console
guest_domain_xml vn-guest "$GUEST_LOG" 203.0.113.2 80 "<interface type='network'>
      <source network='guestnet'/>
      <mac address='52:54:00:79:00:01'/>
      <model type='e1000'/>
    </interface>" >"$TMP/guest.xml"
"${V[@]}" net-define "$TMP/guestnet.xml" >/dev/null
"${V[@]}" net-start guestnet >/dev/null
"${V[@]}" define "$TMP/guest.xml" >/dev/null
check "guest with <interface type='network'> starts" "Domain 'vn-guest' started" 0 \
  "${V[@]}" start vn-guest
# QEMU's pid file is in libvirtd's /run (its own tmpfs).
if guest_wait "$GUEST_LOG" 240 "$(cat "/proc/$LV_PID/root/run/libvirt/qemu/vn-guest.pid")"; then
  check "the guest's e1000 NIC" "VIRTNAT-GUEST nic eth0 52:54:00:79:00:01 driver e1000" 0 \
    guest_line "$GUEST_LOG" nic
  check "the guest's lease (as the guest sees it)" "VIRTNAT-GUEST lease 10.79.0.10/24 router 10.79.0.1" 0 \
    guest_line "$GUEST_LOG" lease
  check "the guest pings the wan through virtnatd's NAT" "VIRTNAT-GUEST ping-ok 203.0.113.2" 0 \
    guest_line "$GUEST_LOG" ping
  check "the port forward from the wan reaches the guest's service" "virtnat-guest 52:54:00:79:00:01" 0 \
    in_ns "$WAN_NS" timeout 20 busybox wget -q -O - "http://203.0.113.1:8080/"
else
  echo "FAIL: the guest did not boot"; FAILURES=$((FAILURES + 1))
  cat "$LV/libvirtd.log" 2>/dev/null | tail -20
fi
check "its port is virtnatd's, owned by the guest" "1 vn-guest 52:54:00:79:00:01" 0 bash -c \
  "echo \$(virsh -q -c '$URI' net-port-list guestnet | wc -l) \
   \$(virsh -q -c '$URI' net-port-list guestnet | xargs virsh -q -c '$URI' net-port-dumpxml guestnet |
      sed -n -e 's,.*<name>\\(.*\\)</name>.*,\\1,p' -e \"s,.*<mac address='\\([^']*\\)'.*,\\1,p\")"
same "net-port-list with the guest's port (as virtnatd lists it)" net-port-list guestnet
check "the guest's tap is on virtnatd's bridge" "vnet0" 0 bash -c \
  "ip netns exec '$LV_NS' ip -o link show master vnpg0 | awk -F': ' '{print \$2}' | sed 's/@.*//'"
for _ in $(seq 300); do
  virsh -q -c "$LV_URI" net-dhcp-leases guestnet 2>/dev/null | grep -q 52:54:00:79:00:01 && break
  sleep 0.1
done
check "the guest's lease from virtnatd's dnsmasq" "52:54:00:79:00:01 ipv4 10.79.0.10/24 vn-guest" 0 \
  bash -c "virsh -q -c '$LV_URI' net-dhcp-leases guestnet | awk '{print \$3, \$4, \$5, \$6}'"
same "net-dhcp-leases with the guest's lease" net-dhcp-leases guestnet
GUEST_PORT=$(virsh -q -c "$URI" net-port-list guestnet | awk '{print $1}')
check "virsh destroy" "Domain 'vn-guest' destroyed" 0 "${V[@]}" destroy vn-guest
check "the port is gone" "" 0 virsh -q -c "$URI" net-port-list guestnet
check "virtnatd's log: the guest's port created by libvirtd" "logged" 0 \
  called "$TMP/daemon-guest.log" NETWORK_PORT_CREATE_XML "network 'guestnet'"
check "virtnatd's log: the guest's port deleted by libvirtd" "logged" 0 \
  called "$TMP/daemon-guest.log" NETWORK_PORT_DELETE "port $GUEST_PORT of network 'guestnet'"
"${V[@]}" undefine vn-guest >/dev/null
"${V[@]}" net-destroy guestnet >/dev/null
"${V[@]}" net-undefine guestnet >/dev/null
stop_libvirtd  # and virtnatd, in its namespace: back to a namespace of its own
wait "$DAEMON_PID" 2>/dev/null || true
del_namespaces "$WAN_NS" "$LV_NS"
rm -f "$SOCK" "$SOCK_RO"
start_daemon

# Access control: libvirtd with access_drivers = ["polkit"] (a polkitd on a
# private system bus, rules that deny everything on network 'b-denied',
# stopping any network and creating ports). An unprivileged client (polkit
# allows root everything) runs the same commands against libvirtd with the
# module (virtnatd's networks) and with its own driver (the same networks
# in its own directory): the module makes libvirt's checks, so the output,
# the lists filtered and the denials, is the same.
mkdir -p "$TMP/polkit-rules" "$TMP/nobody"
chown 65534:65534 "$TMP/nobody"
cat >"$TMP/polkit-rules/50-virtnat-test.rules" <<'JS'
polkit.addRule(function(action, subject) {
  if (action.id.indexOf("org.libvirt.api.") != 0) return polkit.Result.NOT_HANDLED;
  if (action.lookup("network_name") == "b-denied") return polkit.Result.NO;
  if (action.id == "org.libvirt.api.network.stop" ||
      action.id == "org.libvirt.api.network-port.create") return polkit.Result.NO;
  return polkit.Result.YES;
});
JS
sed -e 's/a-demo/b-denied/; s/addbccd4/bddbccd4/; s/virbra1/virbra2/; s/9f:8a:29/9f:8a:2a/' \
  -e 's/192\.168\.201\./192.168.202./g' "$DATA/a-demo.xml" >"$TMP/b-denied.xml"
cp "$DATA/a-demo.xml" "$TMP/a-demo.xml"
chmod 644 "$TMP"/*.xml
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$TMP/nobody" "$@"; }
cat >"$TMP/old_lists.py" <<'PY'
import sys
import libvirt
conn = libvirt.open(sys.argv[1])
print("numOfNetworks", conn.numOfNetworks(), "numOfDefinedNetworks", conn.numOfDefinedNetworks(),
      "listNetworks", conn.listNetworks(), "listDefinedNetworks", conn.listDefinedNetworks())
PY
# acl_session OUT: the commands, as user nobody, on libvirtd's qemu:///system.
acl_session() {
  local cmd
  {
    for cmd in "net-list --all" "net-info a-demo" "net-info b-denied" "net-dumpxml --inactive b-denied" \
      "net-destroy a-demo" "net-define $TMP/b-denied.xml" "net-port-create a-demo $DATA/port.xml" \
      "net-port-list a-demo" "net-autostart a-demo" "net-autostart --disable a-demo"; do
      echo "\$ virsh $cmd"
      # shellcheck disable=SC2086 # the command's words
      as_nobody virsh -q -c "$LV_URI" $cmd 2>&1 || echo "(exit $?)"
    done
    as_nobody /usr/bin/python3 "$TMP/old_lists.py" "$LV_URI" 2>&1
  } >"$1"
}
virsh -q -c "$URI" net-define "$TMP/a-demo.xml" >/dev/null
virsh -q -c "$URI" net-define "$TMP/b-denied.xml" >/dev/null
LV_POLKIT=1 LV_RULES=$TMP/polkit-rules start_libvirtd "$MODULE"
acl_session "$TMP/acl-module.txt"
stop_libvirtd
LV_POLKIT=1 LV_RULES=$TMP/polkit-rules LV_OWN_NETWORKS="$TMP/a-demo.xml $TMP/b-denied.xml" start_libvirtd own
acl_session "$TMP/acl-own.txt"
stop_libvirtd
check "polkit: the module's answers are libvirt's own driver's" "$(cat "$TMP/acl-own.txt")" 0 \
  cat "$TMP/acl-module.txt"
check "polkit: net-list --all lists a-demo, not b-denied" " a-demo   inactive   no   yes" 0 \
  bash -c "grep -F -x -A1 '\$ virsh net-list --all' '$TMP/acl-module.txt' | tail -1"
check "polkit: the lookups of b-denied, the stop, the define and the port creation are denied" \
  "5" 0 grep -c "^error: access denied: 'QEMU' denied access" "$TMP/acl-module.txt"
check "polkit: the old list calls are filtered" \
  "numOfNetworks 0 numOfDefinedNetworks 1 listNetworks [] listDefinedNetworks ['a-demo']" 0 \
  tail -1 "$TMP/acl-module.txt"
virsh -q -c "$URI" net-undefine a-demo >/dev/null
virsh -q -c "$URI" net-undefine b-denied >/dev/null

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
