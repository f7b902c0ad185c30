#!/usr/bin/env bash
# Network ports are complete and survive the daemon: four networks (nat,
# isolated, route, open) with ports that take settings from the network
# (isolation, rx filter trust, portgroup and default portgroup bandwidth);
# virtnatd is killed with SIGKILL and started again: net-port-list, every
# net-port-dumpxml and the connection counts are identical before and after,
# and the ports can be deleted afterwards. The RECLAIM and VALIDATE flags
# give libvirt's errors. Side by side, Debian's libvirtd 9.0 creates the same
# ports: each port's XML, the connection counts and the error lines equal
# virtnatd's byte for byte. A macvtap pool and a host bridge network keep
# their ports and per-device connection counts across SIGKILL too.
. "$(dirname "$0")/lib.sh"

if [[ $(id -u) != 0 ]]; then echo "needs root for a network namespace"; exit 1; fi
NS=virtnat-pr-$$
ip netns add "$NS"
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT
PY=/usr/bin/python3
# VALIDATE's error names the schema file the daemon read.
export VIRTNAT_SCHEMA_DIR=${VIRTNAT_SCHEMA_DIR:-$(cd "$(dirname "$0")/../../schemas" && pwd)}

# network NAME N MODE EXTRA: bridge virbrpN, subnet 192.168.21N.0/24.
network() {
  local fwd=""
  [[ $3 != none ]] && fwd="<forward mode='$3'/>"
  cat <<XML
<network${5:-}>
  <name>$1</name>
  <uuid>7a000000-0000-4000-8000-00000000000$2</uuid>
  $fwd
  <bridge name='virbrp$2' stp='on' delay='0'/>
  $4
  <ip address='192.168.21$2.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.21$2.100' end='192.168.21$2.200'/></dhcp>
  </ip>
</network>
XML
}
network pr-nat 1 nat "<port isolated='yes'/>
  <portgroup name='web'><bandwidth><inbound average='1000' peak='2000' burst='64'/></bandwidth></portgroup>" \
  " trustGuestRxFilters='yes'" >"$TMP/pr-nat.xml"
network pr-iso 2 none "<portgroup name='std' default='yes'><bandwidth><outbound average='500'/></bandwidth></portgroup>" \
  >"$TMP/pr-iso.xml"
network pr-route 3 route "<portgroup name='db' trustGuestRxFilters='yes'/>" >"$TMP/pr-route.xml"
network pr-open 4 open "" >"$TMP/pr-open.xml"
NETS=(pr-nat pr-iso pr-route pr-open)

# port NET-N PORT-N BODY: uuid 7b00000N-...-00000000000P, MAC 52:54:00:7b:0N:0P.
port() {
  cat <<XML
<networkport>
  <uuid>7b00000$1-0000-4000-8000-00000000000$2</uuid>
  <owner>
    <name>guest-$1-$2</name>
    <uuid>7c00000$1-0000-4000-8000-00000000000$2</uuid>
  </owner>
  <mac address='52:54:00:7b:0$1:0$2'/>
  $3
</networkport>
XML
}
port 1 1 "" >"$TMP/p11.xml"
port 1 2 "<group>web</group>" >"$TMP/p12.xml"
port 1 3 "<port isolated='no'/><rxfilters trustGuest='no'/><bandwidth><outbound average='10'/></bandwidth>" >"$TMP/p13.xml"
port 2 1 "" >"$TMP/p21.xml"
port 2 2 "<bandwidth><inbound average='300'/></bandwidth>" >"$TMP/p22.xml"
port 3 1 "<group>db</group>" >"$TMP/p31.xml"
port 3 2 "<port isolated='yes'/>" >"$TMP/p32.xml"
port 4 1 "" >"$TMP/p41.xml"
PORTS=(1:1 1:2 1:3 2:1 2:2 3:1 3:2 4:1)

# setup URI: the networks and their ports.
setup() {
  for net in "${NETS[@]}"; do
    virsh -q -c "$1" net-define "$TMP/$net.xml" >/dev/null
    virsh -q -c "$1" net-start "$net" >/dev/null
  done
  for p in "${PORTS[@]}"; do
    virsh -q -c "$1" net-port-create "${NETS[${p%:*} - 1]}" "$TMP/p${p%:*}${p#*:}.xml" >/dev/null
  done
}
# snapshot URI: the port lists, every port's XML, the connection counts.
snapshot() {
  for net in "${NETS[@]}"; do
    echo "== $net"
    virsh -q -c "$1" net-dumpxml "$net" | head -1
    virsh -q -c "$1" net-port-list "$net"
    for uuid in $(virsh -q -c "$1" net-port-list "$net" | awk '{print $1}'); do
      virsh -q -c "$1" net-port-dumpxml "$net" "$uuid"
    done
  done
}
# flag_errors URI: RECLAIM and VALIDATE as python-libvirt (virtqemud's calls) sees them.
flag_errors() {
  "$PY" - "$1" "$TMP" <<'PYEOF'
import sys
import libvirt
libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(sys.argv[1])
net = conn.networkLookupByName("pr-nat")
tmp = sys.argv[2]
def attempt(label, xml, flags):
    try:
        port = net.portCreateXML(xml, flags)
        plug = [line.strip() for line in port.XMLDesc(0).splitlines() if "<plug" in line]
        print(label, "created", " ".join(plug))
        port.delete()
    except libvirt.libvirtError as e:
        print(label, e.get_error_code(), e.get_error_domain(),
              e.get_error_message().rstrip("\n").replace("\n", " | "))
base = open(tmp + "/p11.xml").read().replace("7b000001-0000-4000-8000-000000000001",
                                            "7b000001-0000-4000-8000-000000000009")
plugged = base.replace("</networkport>", "  <plug type='network' bridge='virbrp1'/>\n</networkport>")
attempt("reclaim without plug:", base, libvirt.VIR_NETWORK_PORT_CREATE_RECLAIM)
attempt("plug without reclaim:", plugged, 0)
attempt("reclaim with plug:", plugged, libvirt.VIR_NETWORK_PORT_CREATE_RECLAIM)
attempt("bogus without validate:", base.replace("</networkport>", "<bogus/></networkport>"), 0)
attempt("bogus with validate:", base.replace("</networkport>", "<bogus/></networkport>"),
        libvirt.VIR_NETWORK_PORT_CREATE_VALIDATE)
attempt("no owner:", base.replace("<owner>", "<x>").replace("</owner>", "</x>"), 0)
attempt("virtualport on nat:", base.replace("</networkport>",
        "<virtualport type='openvswitch'/></networkport>"), 0)
PYEOF
}

start_daemon_in_ns "$NS"
setup "$URI"
snapshot "$URI" >"$TMP/before.txt"
check "ports created (8, connections 3 2 2 1)" "3 2 2 1" 0 bash -c \
  "grep -o \"connections='[0-9]*'\" $TMP/before.txt | grep -o '[0-9]' | tr '\n' ' ' | sed 's/ \$//'"
check "a port takes the network's isolation and rx filter trust" "  <port isolated='yes'/>
  <rxfilters trustGuest='yes'/>
  <plug type='network' bridge='virbrp1'/>" 0 bash -c \
  "virsh -q -c '$URI' net-port-dumpxml pr-nat 7b000001-0000-4000-8000-000000000001 | tail -4 | head -3"
check "a port in the default portgroup takes its bandwidth" "    <outbound average='500'/>" 0 bash -c \
  "virsh -q -c '$URI' net-port-dumpxml pr-iso 7b000002-0000-4000-8000-000000000001 | grep outbound"
check "the ports are in the status records" "3 2 2 1" 0 bash -c \
  "for n in ${NETS[*]}; do grep -c '<port>' $TMP/run/\$n.status; done | tr '\n' ' ' | sed 's/ \$//'"
flag_errors "$URI" >"$TMP/virtnatd.flags" 2>&1

{ kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null || true
DAEMON_PID=
start_daemon_in_ns "$NS"
check "after SIGKILL and restart: port lists, port XML and connections identical" \
  "$(cat "$TMP/before.txt")" 0 snapshot "$URI"
for p in "${PORTS[@]}"; do
  n=${p%:*} k=${p#*:}
  check "net-port-delete ${NETS[n - 1]} port $k after the restart" \
    "Network port 7b00000$n-0000-4000-8000-00000000000$k deleted" 0 \
    virsh -c "$URI" net-port-delete "${NETS[n - 1]}" "7b00000$n-0000-4000-8000-00000000000$k"
done
check "no ports and no connections left" "" 0 bash -c \
  "for n in ${NETS[*]}; do virsh -q -c '$URI' net-port-list \$n; virsh -q -c '$URI' net-dumpxml \$n | grep connections; done; true"
check "records hold no ports" "0 0 0 0" 0 bash -c \
  "for n in ${NETS[*]}; do grep -c '<port>' $TMP/run/\$n.status; done | tr '\n' ' ' | sed 's/ \$//'"
check "flag errors" "reclaim without plug: 8 19 invalid argument: Port reclaim requested but plug type is none
plug without reclaim: 8 19 invalid argument: Port reclaim not requested but plug type is not none
reclaim with plug: created <plug type='network' bridge='virbrp1'/>
bogus without validate: created <plug type='network' bridge='virbrp1'/>
bogus with validate: 92 5 XML document failed to validate against schema: Unable to validate doc against $VIRTNAT_SCHEMA_DIR/networkport.rng | Element networkport has extra content: bogus
no owner: 1 19 internal error: network port has no owner name
virtualport on nat: 67 19 unsupported configuration: <virtualport type='openvswitch'> not supported for network 'pr-nat' which uses IP forwarding" \
  0 cat "$TMP/virtnatd.flags"

# Modes without a bridge of virtnatd's own: a macvtap pool (private) spreads
# its ports over its devices and a host bridge (forward mode bridge) only
# counts them; after SIGKILL and restart the per-device counts are the same.
modes_across_restart() {
  local NETS=(pr-pool pr-hb) net p
  local PORTS=(5:1 5:2 5:3 6:1)
  ip -n "$NS" link add pr-eth0 type veth peer name pr-peer0
  ip -n "$NS" link add pr-eth1 type veth peer name pr-peer1
  ip -n "$NS" link add pr-br0 type bridge
  for l in pr-eth0 pr-eth1 pr-br0; do ip -n "$NS" link set "$l" up; done
  echo "<network><name>pr-pool</name><forward mode='private'><interface dev='pr-eth0'/><interface dev='pr-eth1'/></forward></network>" >"$TMP/pr-pool.xml"
  echo "<network><name>pr-hb</name><forward mode='bridge'/><bridge name='pr-br0'/></network>" >"$TMP/pr-hb.xml"
  for net in "${NETS[@]}"; do
    virsh -q -c "$URI" net-define "$TMP/$net.xml" >/dev/null
    virsh -q -c "$URI" net-start "$net" >/dev/null
  done
  for p in "${PORTS[@]}"; do
    port "${p%:*}" "${p#*:}" "" >"$TMP/pm${p%:*}${p#*:}.xml"
    virsh -q -c "$URI" net-port-create "${NETS[${p%:*} - 5]}" "$TMP/pm${p%:*}${p#*:}.xml" >/dev/null
  done
  snapshot "$URI" >"$TMP/modes-before.txt"
  check "pool and host bridge ports (network 3: devices 2 and 1; network 1)" \
    "connections='3' connections='2' connections='1' connections='1'" 0 bash -c \
    "grep -o \"connections='[0-9]*'\" <(virsh -q -c '$URI' net-dumpxml pr-pool; virsh -q -c '$URI' net-dumpxml pr-hb) | tr '\n' ' ' | sed 's/ \$//'"
  { kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null || true
  DAEMON_PID=
  start_daemon_in_ns "$NS"
  check "pool and host bridge: ports and per-device connections identical after SIGKILL" \
    "$(cat "$TMP/modes-before.txt")" 0 snapshot "$URI"
  check "pool devices' counts identical after SIGKILL" \
    "connections='3' connections='2' connections='1' connections='1'" 0 bash -c \
    "grep -o \"connections='[0-9]*'\" <(virsh -q -c '$URI' net-dumpxml pr-pool; virsh -q -c '$URI' net-dumpxml pr-hb) | tr '\n' ' ' | sed 's/ \$//'"
  for p in "${PORTS[@]}"; do
    virsh -q -c "$URI" net-port-delete "${NETS[${p%:*} - 5]}" "7b00000${p%:*}-0000-4000-8000-00000000000${p#*:}" >/dev/null
  done
  check "pool and host bridge: no connections once the ports are deleted" "" 0 bash -c \
    "virsh -q -c '$URI' net-dumpxml pr-pool | grep connections; virsh -q -c '$URI' net-dumpxml pr-hb | grep connections; true"
  for net in "${NETS[@]}"; do
    virsh -q -c "$URI" net-destroy "$net" >/dev/null
    virsh -q -c "$URI" net-undefine "$net" >/dev/null
  done
}
modes_across_restart

# Side by side: libvirtd 9.0 (lib.sh's start_libvirtd) with the same
# networks and ports.
if command -v libvirtd >/dev/null; then
  start_libvirtd
  # virtnatd again with the same ports, for the comparison.
  setup_ports() {
    for p in "${PORTS[@]}"; do
      virsh -q -c "$1" net-port-create "${NETS[${p%:*} - 1]}" "$TMP/p${p%:*}${p#*:}.xml" >/dev/null
    done
  }
  setup_ports "$URI"
  setup "$LV_URI"
  check "libvirtd 9.0: the same port lists, port XML and connection counts" \
    "$(snapshot "$URI")" 0 snapshot "$LV_URI"
  flag_errors "$LV_URI" >"$TMP/libvirtd.flags" 2>&1
  # The schema path names each daemon's own file.
  check "libvirtd 9.0: the same RECLAIM and VALIDATE outcomes" \
    "$(sed 's#against .*networkport.rng#against SCHEMA#' "$TMP/virtnatd.flags")" 0 \
    sed 's#against .*networkport.rng#against SCHEMA#' "$TMP/libvirtd.flags"
else
  echo "skip: libvirtd side by side (needs Debian's libvirtd)"
fi
finish
