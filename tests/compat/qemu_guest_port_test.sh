#!/usr/bin/env bash
# A real guest (Debian's kernel and a busybox initramfs under QEMU's TCG,
# tests/support/guest/) on a virtnatd NAT network, in namespaces the test
# makes (host: virtnatd; wan: the outside):
#   1. plain QEMU with script=virtnat-ifup, downscript=virtnat-ifdown: the
#      guest gets its lease, pings the wan, answers the network's port
#      forward from the wan, is listed by net-port-list with its name and
#      MAC, and is gone from it after QEMU exits (ifdown);
#   2. the same guest, with an e1000 NIC, through virt-qemu-run (libvirt's
#      embedded qemu driver) with <interface type='network'>: libvirt opens
#      network:///system, which in this test's private mount namespace is
#      virtnatd on virtnetworkd's socket path, and gets its port from it;
#   3. the same through virt-qemu-run with <interface type='ethernet'> and
#      <script path='.../virtnat-ifup@vnq'/> (and downscript): the way
#      libvirtd-only hosts put a guest on a virtnatd network.
# Prints how long each boot took to the guest's "ready" line.
set -euo pipefail
VIRTNATD=${1:?usage: $0 PATH-TO-VIRTNATD}
VIRTNATD=$(realpath "$VIRTNATD")
BIN=$(dirname "$VIRTNATD")
# A private mount namespace: /run/libvirt becomes this test's, so
# network:///system (the helper's default and libvirt's) reaches virtnatd.
if [[ -z ${VIRTNAT_QEMU_TEST_MNTNS:-} ]]; then
  exec unshare -m --propagation private env VIRTNAT_QEMU_TEST_MNTNS=1 "$0" "$VIRTNATD"
fi
for tool in qemu-system-x86_64 virt-qemu-run; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/deps.sh installs it)"; exit 1; }
done
ID=$$
HOST=vn-qg-host-$ID WAN=vn-qg-wan-$ID
WORK=$(mktemp -d /tmp/virtnat-qemu.XXXXXX)
chmod 0755 "$WORK"
DAEMON_PID= QEMU_PID= VQR_PID=
FAILURES=0

cleanup() {
  set +e
  for pid in $VQR_PID $QEMU_PID; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [[ -n $DAEMON_PID ]] && virsh -q net-destroy vnq >/dev/null 2>&1
  [[ -n $DAEMON_PID ]] && { kill "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null
  del_namespaces $WAN $HOST
  pkill -9 -f -- "--conf-file=$WORK/" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/namespaces.sh"
source "$(dirname "$0")/../support/guest/lib.sh"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }
expect() { # NAME TEXT PATTERN
  if grep -Eq -- "$3" <<<"$2"; then ok "$1"; else fail "$1: '$2' does not match '$3'"; fi
}
now() { date +%s.%N; }
# guest_checks NAME LOG NIC-DRIVER MAC ADDRESS FORWARD-PORT [OWNER PORT-MAC]:
# what every guest must show: its NIC, its lease, the wan pinged, the port
# forward answered, and one port on vnq with its owner (default NAME) and
# MAC (default MAC); the port's XML is left in PORT_XML.
guest_checks() {
  local name=$1 log=$2 driver=$3 mac=$4 address=$5 forward=$6 owner=${7:-$1} port_mac=${8:-$4}
  local ports
  expect "$name: $driver NIC" "$(guest_line "$log" nic)" "eth0 $mac driver $driver"
  expect "$name: its lease" "$(guest_line "$log" lease)" "lease $address/24 router 10.78.0.1"
  expect "$name: pings the wan" "$(guest_line "$log" ping)" "ping-ok 203.0.113.2"
  expect "$name: answers the port forward from the wan" \
    "$(in_ns "$WAN" timeout 10 busybox wget -q -O - "http://203.0.113.1:$forward/" 2>&1)" \
    "^virtnat-guest $mac$"
  ports=$(virsh -q net-port-list vnq | awk '{print $1}')
  expect "$name: net-port-list lists one port" "$(wc -w <<<"$ports")" "^1$"
  PORT_XML=$(virsh net-port-dumpxml vnq "$ports" 2>&1)
  expect "$name's port: owner $owner" "$PORT_XML" "<name>$owner</name>"
  expect "$name's port: MAC $port_mac" "$PORT_XML" "<mac address='$port_mac'/>"
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

t=$(now)
guest_image
echo "guest image: $(since "$t") s ($GUEST_KERNEL)"

mkdir -p /run/libvirt
mount -t tmpfs tmpfs /run/libvirt
for ns in $HOST $WAN; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
add_wan "$HOST" "$WAN"
in_ns "$HOST" "$VIRTNATD" --socket /run/libvirt/virtnetworkd-sock \
  --socket-ro /run/libvirt/virtnetworkd-sock-ro --config-dir "$WORK/etc" \
  --state-dir "$WORK/lib" --lease-status-dir "$WORK/lib/nss" --run-dir "$WORK/run" --log-level warning 2>"$WORK/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -S /run/libvirt/virtnetworkd-sock ]] && break; sleep 0.05; done
export LIBVIRT_DEFAULT_URI=network:///system

cat >"$WORK/vnq.xml" <<'XML'
<network xmlns:vn='urn:virtnat:network:1'>
  <name>vnq</name>
  <forward mode='nat'/>
  <bridge name='vnq0'/>
  <ip address='10.78.0.1' prefix='24'>
    <dhcp>
      <range start='10.78.0.100' end='10.78.0.199'/>
      <host mac='52:54:00:78:00:8c' name='seedvm' ip='10.78.0.140'/>
      <host mac='52:54:00:78:00:8d' name='libvirtvm' ip='10.78.0.141'/>
      <host mac='52:54:00:78:00:8e' name='ethernetvm' ip='10.78.0.142'/>
    </dhcp>
  </ip>
  <vn:portForward guest='10.78.0.140'>
    <vn:range start='8080' to='80'/>
  </vn:portForward>
  <vn:portForward guest='10.78.0.141'>
    <vn:range start='8081' to='80'/>
  </vn:portForward>
  <vn:portForward guest='10.78.0.142'>
    <vn:range start='8082' to='80'/>
  </vn:portForward>
</network>
XML
virsh -q net-create "$WORK/vnq.xml" >/dev/null

# --- 1. plain QEMU and the helper --------------------------------------------
LOG1=$WORK/seedvm.log
t=$(now)
# ip netns exec, env and bash each exec the next: $! is QEMU's pid (a shell
# function in the background would be a subshell of its own).
ip netns exec "$HOST" env VIRTNAT_NETWORK=vnq bash -c "source '$GUEST_DIR/lib.sh'
    GUEST_KERNEL='$GUEST_KERNEL' GUEST_INITRD='$GUEST_INITRD'
    guest_qemu '$LOG1' -name guest=seedvm -uuid 5a3b0a6e-8c61-4c2a-9d43-0f3c0d6b7a11 \
      -netdev tap,id=n0,ifname=vnq-t0,script='$BIN/virtnat-ifup',downscript='$BIN/virtnat-ifdown' \
      -device virtio-net-pci,netdev=n0,mac=52:54:00:78:00:8c \
      -append '$(guest_append 203.0.113.2 80)'" &
QEMU_PID=$!
if guest_wait "$LOG1" 120 "$QEMU_PID"; then
  echo "seedvm (plain QEMU): ready after $(since "$t") s"
  guest_checks seedvm "$LOG1" virtio_net 52:54:00:78:00:8c 10.78.0.140 8080
  expect "vnq-t0 is up, a port of vnq0" "$(in_ns "$HOST" ip -o link show vnq-t0)" "<[^>]*,UP[,>].* master vnq0 "
  expect "seedvm's port: the guest's uuid" "$PORT_XML" "<uuid>5a3b0a6e-8c61-4c2a-9d43-0f3c0d6b7a11</uuid>"
  expect "seedvm's port: plugged into vnq0" "$PORT_XML" "<plug type='network' bridge='vnq0'"
else
  fail "seedvm did not boot"
fi
kill "$QEMU_PID"; wait "$QEMU_PID" 2>/dev/null || true
QEMU_PID=
expect "after QEMU exits (ifdown), net-port-list is empty" "$(virsh -q net-port-list vnq | wc -l)" "^0$"
expect "the tap is gone" "$(in_ns "$HOST" ip -o link show vnq-t0 2>&1 || true)" "does not exist"

# --- 2. virt-qemu-run and <interface type='network'> ---------------------
mkdir -p "$WORK/vqr/etc"
# The embedded driver's qemu.conf: QEMU as root, no security driver (the
# guest's files are in this test's directories), QEMU's output to a file
# (no virtlogd).
printf 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\nstdio_handler = "file"\n' \
  >"$WORK/vqr/etc/qemu.conf"
# run_domain NAME INTERFACE-XML: boots the guest NAME through virt-qemu-run;
# its console goes to $WORK/NAME.log. Sets VQR_PID.
run_domain() {
  guest_domain_xml "$1" "$WORK/$1.log" 203.0.113.2 80 "$2" >"$WORK/$1.xml"
  ip netns exec "$HOST" virt-qemu-run -r "$WORK/vqr" "$WORK/$1.xml" >"$WORK/$1.vqr.log" 2>&1 &
  VQR_PID=$!
}
stop_domain() {
  kill "$VQR_PID"; wait "$VQR_PID" 2>/dev/null || true
  VQR_PID=
}

t=$(now)
run_domain libvirtvm "<interface type='network'>
      <source network='vnq'/>
      <mac address='52:54:00:78:00:8d'/>
      <model type='e1000'/>
    </interface>"
if guest_wait "$WORK/libvirtvm.log" 120 "$VQR_PID"; then
  echo "libvirtvm (virt-qemu-run, type='network'): ready after $(since "$t") s"
  guest_checks libvirtvm "$WORK/libvirtvm.log" e1000 52:54:00:78:00:8d 10.78.0.141 8081
else
  fail "libvirtvm did not boot"; cat "$WORK/libvirtvm.vqr.log"
fi
stop_domain
expect "after virt-qemu-run stops, net-port-list is empty" "$(virsh -q net-port-list vnq | wc -l)" "^0$"

# --- 3. virt-qemu-run, <interface type='ethernet'> and the helper ------------
# libvirt runs the scripts with a cleared environment: the network is in
# the script's name. The port's MAC is the tap's (libvirt gives it the
# guest's MAC with the first byte FE), its owner the tap's name.
mkdir -p "$WORK/bin"
ln -s "$BIN/virtnat-port" "$WORK/bin/virtnat-ifup@vnq"
ln -s "$BIN/virtnat-port" "$WORK/bin/virtnat-ifdown@vnq"
t=$(now)
run_domain ethernetvm "<interface type='ethernet'>
      <mac address='52:54:00:78:00:8e'/>
      <target dev='vnq-e0'/>
      <script path='$WORK/bin/virtnat-ifup@vnq'/>
      <downscript path='$WORK/bin/virtnat-ifdown@vnq'/>
      <model type='virtio'/>
    </interface>"
if guest_wait "$WORK/ethernetvm.log" 120 "$VQR_PID"; then
  echo "ethernetvm (virt-qemu-run, type='ethernet' + virtnat-ifup): ready after $(since "$t") s"
  guest_checks ethernetvm "$WORK/ethernetvm.log" virtio_net 52:54:00:78:00:8e 10.78.0.142 8082 \
    vnq-e0 fe:54:00:78:00:8e
else
  fail "ethernetvm did not boot"; cat "$WORK/ethernetvm.vqr.log"
fi
stop_domain
expect "after virt-qemu-run stops (downscript), net-port-list is empty" \
  "$(virsh -q net-port-list vnq | wc -l)" "^0$"

if [[ -s $WORK/daemon.log ]]; then echo "--- daemon log"; cat "$WORK/daemon.log"; fi
kill -0 "$DAEMON_PID" 2>/dev/null || fail "virtnatd died"
[[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
