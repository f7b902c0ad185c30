#!/usr/bin/env bash
# Take-over from Debian's libvirtd 9.0 and hand-back, with a guest up:
#   - libvirtd (in a private mount namespace with its own /run, /etc/libvirt
#     and /var/lib/libvirt, in the host namespace of the test) runs a NAT
#     network; a guest namespace (veth into the bridge) holds a DHCP lease
#     and streams TCP through NAT to a wan namespace;
#   - libvirtd stops (leaving the network running); `virtnatd
#     take-over-libvirt` adopts it: the stream arrives whole (byte count and
#     checksum), virtnatd's `net-dhcp-leases` lists the lease with the same
#     address, a renewal keeps it, no LIBVIRT_* chain remains and virtnatd's
#     rules are present;
#   - `virtnatd hand-back-libvirt` gives it back: libvirtd started again
#     runs the network, with its own chains and dnsmasq, and the guest still
#     reaches the wan (and keeps its address on renewal).
set -euo pipefail
VIRTNATD=${1:?usage: $0 PATH-TO-VIRTNATD}
if ! command -v libvirtd >/dev/null || [[ $(id -u) != 0 ]]; then
  echo "needs root and Debian's libvirtd (libvirt-daemon-system)"; exit 1
fi
ID=$$
HOST=vn-to-host-$ID G=vn-to-g-$ID WAN=vn-to-wan-$ID
WORK=$(mktemp -d /tmp/virtnat-takeover.XXXXXX)
chmod 0755 "$WORK"
SOCK=$WORK/sock
URI="network+unix:///system?socket=$SOCK"
LV_URI="qemu+unix:///system?socket=$WORK/lvsock/libvirt-sock"
PY=/usr/bin/python3
LIBVIRTD_PID= DAEMON_PID= STREAM_PID= SERVER_PID=
FAILURES=0

cleanup() {
  set +e
  for pid in $STREAM_PID $SERVER_PID $DAEMON_PID $LIBVIRTD_PID; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Whatever runs in the namespaces (both dnsmasqs among it) goes with them.
  for ns in $G $WAN $HOST; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/namespaces.sh"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }
expect() { if eval "$2"; then ok "$1"; else fail "$1"; fi; }

for ns in $HOST $G $WAN; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
add_wan "$HOST" "$WAN"

# libvirtd's directories, seen by the test at $WORK/fs_*.
LV_DIRS=(/run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt)
mkdir -p "$WORK/lvsock"
{
  echo "set -e"
  for d in "${LV_DIRS[@]}"; do
    src=$WORK/fs${d//\//_}; mkdir -p "$src"
    echo "mount --bind $src $d"
  done
  echo "exec libvirtd --config $WORK/libvirtd.conf --pid-file /run/libvirtd.pid"
} >"$WORK/enter.sh"
cat >"$WORK/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$WORK/lvsock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$WORK/libvirtd.log"
CONF
LV_NET=$WORK/fs_etc_libvirt/qemu/networks
LV_RUN=$WORK/fs_run/libvirt/network
LV_LEASES=$WORK/fs_var_lib_libvirt/dnsmasq
start_libvirtd() {
  rm -f "$WORK/lvsock/libvirt-sock"
  # Each exec keeps the pid: ip netns exec -> unshare -> sh -> libvirtd.
  ip netns exec "$HOST" unshare -m --propagation private sh "$WORK/enter.sh" >>"$WORK/libvirtd.out" 2>&1 &
  LIBVIRTD_PID=$!
  for _ in $(seq 200); do [[ -S $WORK/lvsock/libvirt-sock ]] && return 0; sleep 0.05; done
  echo "libvirtd did not start"; cat "$WORK/libvirtd.out"; return 1
}
stop_libvirtd() { kill -TERM "$LIBVIRTD_PID"; wait "$LIBVIRTD_PID" || true; LIBVIRTD_PID=; }
# Options every virtnatd call shares: its directories, libvirt's.
VN_DIRS=(--config-dir "$WORK/etc" --state-dir "$WORK/lib" --lease-status-dir "$WORK/lib/nss" --run-dir "$WORK/run")
LV_OPTS=(--libvirt-config-dir "$LV_NET" --libvirt-run-dir "$LV_RUN" --libvirt-lease-dir "$LV_LEASES")

start_libvirtd
cat >"$WORK/tk.xml" <<'XML'
<network>
  <name>tk</name>
  <uuid>6a1f3c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b</uuid>
  <forward mode='nat'/>
  <bridge name='vntk0' stp='on' delay='0'/>
  <mac address='52:54:00:aa:bb:01'/>
  <ip address='10.78.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.78.0.100' end='10.78.0.199'/>
    </dhcp>
  </ip>
</network>
XML
virsh -q -c "$LV_URI" net-define "$WORK/tk.xml" >/dev/null
virsh -q -c "$LV_URI" net-autostart tk >/dev/null
virsh -q -c "$LV_URI" net-start tk >/dev/null

write_udhcpc_script "$WORK/udhcpc.sh"
ip link add vnet0 netns "$HOST" type veth peer name eth0 netns "$G"
in_ns "$HOST" ip link set vnet0 master vntk0 up
in_ns "$G" ip link set eth0 address 52:54:00:78:00:01 up
dhcp() { in_ns "$G" busybox udhcpc -i eth0 -n -q -f -t 10 -T 1 -x hostname:guest1 -s "$WORK/udhcpc.sh" >/dev/null 2>&1; }
guest_ip() { in_ns "$G" ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }
dhcp
LEASE=$(guest_ip)
expect "the guest has a lease from libvirt's dnsmasq ($LEASE)" '[[ $LEASE == 10.78.0.1[0-9][0-9] ]]'

# The stream: the guest sends until told to stop, then says what it sent;
# the wan end says what arrived (and from where: masqueraded to wan0's address).
in_ns "$WAN" "$PY" -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5000)); s.listen(1); c, peer = s.accept()
h, n = hashlib.sha256(), 0
while True:
    data = c.recv(65536)
    if not data: break
    h.update(data); n += len(data)
open(sys.argv[1], "w").write("%d %s %s\n" % (n, h.hexdigest(), peer[0]))
' "$WORK/received" &
SERVER_PID=$!
sleep 0.3
in_ns "$G" "$PY" -c '
import hashlib, os, socket, sys, time
c = socket.create_connection(("203.0.113.2", 5000), timeout=10)
h, n, i = hashlib.sha256(), 0, 0
while not os.path.exists(sys.argv[2]):
    chunk = os.urandom(16384); c.sendall(chunk); h.update(chunk); n += len(chunk); i += 1
    time.sleep(0.01)
c.close()
open(sys.argv[1], "w").write("%d %s 203.0.113.1\n" % (n, h.hexdigest()))
' "$WORK/sent" "$WORK/stop" &
STREAM_PID=$!
sleep 1

stop_libvirtd
expect "libvirtd stopped, its network runs on" '[[ -f $LV_RUN/tk.xml ]] && in_ns "$HOST" ip link show vntk0 >/dev/null'

echo "--- take-over, dry run"
in_ns "$HOST" "$VIRTNATD" take-over-libvirt --dry-run "${LV_OPTS[@]}" "${VN_DIRS[@]}" >"$WORK/dry.out" 2>&1 || true
cat "$WORK/dry.out"
expect "the dry run says what it will do" 'grep -q "^tk: will take over bridge vntk0 with its ports, 1 lease(s), replacing libvirt" "$WORK/dry.out"'
expect "the dry run changed nothing" '[[ -f $LV_RUN/tk.xml && ! -e $WORK/run/tk.status ]] && in_ns "$HOST" iptables-save | grep -q LIBVIRT_FWO'

echo "--- a take-over that fails at its last step is undone"
# libvirt's run directory read-only for the command alone: putting libvirt's
# status aside fails after both dnsmasqs were switched and the rules swapped.
lv_rules() { in_ns "$HOST" iptables-save | grep -v '^#' | sed 's/\[[0-9:]*\]//'; }
lv_rules >"$WORK/rules.before"
rc=0
ip netns exec "$HOST" unshare -m --propagation private sh -c \
  'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh "$LV_RUN" \
  "$VIRTNATD" take-over-libvirt "${LV_OPTS[@]}" "${VN_DIRS[@]}" >"$WORK/failed.out" 2>&1 || rc=$?
cat "$WORK/failed.out"
expect "the failed take-over says so and exits 1" '[[ $rc == 1 ]] && grep -q "^failed: cannot put libvirt.s status of network .tk. aside" "$WORK/failed.out"'
expect "libvirt's rules are back as they were" 'diff "$WORK/rules.before" <(lv_rules)'
expect "libvirt's dnsmasq runs again, virtnatd's does not" 'pgrep -f "dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/tk.conf" >/dev/null && ! pgrep -f -- "--conf-file=$WORK/lib/" >/dev/null'
expect "virtnatd defines and records nothing" '[[ -z $(ls "$WORK/etc" 2>/dev/null | grep -v autostart) && ! -e $WORK/run/tk.status ]]'
expect "virtnatd's rules are gone" '! in_ns "$HOST" nft list table inet virtnat 2>/dev/null | grep -q vntk0'
expect "libvirt's status and autostart link are in place" '[[ -f $LV_RUN/tk.xml && -L $LV_NET/autostart/tk.xml ]]'
dhcp
expect "a renewal from libvirt's restarted dnsmasq keeps the address" '[[ $(guest_ip) == "$LEASE" ]]'

echo "--- take-over"
rc=0
in_ns "$HOST" "$VIRTNATD" take-over-libvirt "${LV_OPTS[@]}" "${VN_DIRS[@]}" >"$WORK/takeover.out" 2>&1 || rc=$?
cat "$WORK/takeover.out"
expect "take-over-libvirt succeeds" '[[ $rc == 0 ]]'
grep "unavailable for" "$WORK/takeover.out" || true
expect "no LIBVIRT_* chain remains (iptables, ip6tables)" '! in_ns "$HOST" iptables-save | grep -q LIBVIRT_ && ! in_ns "$HOST" ip6tables-save | grep -q LIBVIRT_'
expect "virtnatd's rules are present" 'in_ns "$HOST" nft list table inet virtnat | grep -q "masquerade"'
expect "libvirt's dnsmasq is gone, virtnatd's runs" '! pgrep -f "dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/tk.conf" >/dev/null && pgrep -f -- "--conf-file=$WORK/lib/" >/dev/null'
expect "libvirt's status and autostart link are put aside" '[[ ! -e $LV_RUN/tk.xml && ! -e $LV_NET/autostart/tk.xml && -f $WORK/lib/libvirt/tk.status.xml ]]'

ip netns exec "$HOST" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK-ro" "${VN_DIRS[@]}" \
  --log-level warning 2>"$WORK/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.05; done
expect "virtnatd runs the network" 'virsh -q -c "$URI" net-list | grep -Eq "^ tk +active +yes +yes"'
leases=$(virsh -q -c "$URI" net-dhcp-leases tk)
echo "$leases"
expect "net-dhcp-leases on virtnatd lists the lease ($LEASE)" 'grep -Eq "52:54:00:78:00:01 +ipv4 +$LEASE/24 +guest1" <<<"$leases"'
dhcp
expect "a renewal from virtnatd's dnsmasq keeps the address" '[[ $(guest_ip) == "$LEASE" ]]'

touch "$WORK/stop"
wait "$STREAM_PID" || true; STREAM_PID=
wait "$SERVER_PID" || true; SERVER_PID=
echo "sent:     $(cat "$WORK/sent" 2>/dev/null)"
echo "received: $(cat "$WORK/received" 2>/dev/null)"
expect "the stream arrived whole through NAT, across the take-over (bytes, sha256, masqueraded source)" \
  '[[ -s $WORK/sent && $(cat "$WORK/sent") == "$(cat "$WORK/received")" ]]'

echo "--- hand-back"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
rc=0
in_ns "$HOST" "$VIRTNATD" hand-back-libvirt "${LV_OPTS[@]}" "${VN_DIRS[@]}" >"$WORK/handback.out" 2>&1 || rc=$?
cat "$WORK/handback.out"
expect "hand-back-libvirt succeeds" '[[ $rc == 0 ]]'
expect "virtnatd's rules and dnsmasq are gone" '! in_ns "$HOST" nft list table inet virtnat 2>/dev/null | grep -q vntk0 && ! pgrep -f -- "--conf-file=$WORK/lib/" >/dev/null'
expect "libvirt's status, autostart link and leases are back" '[[ -f $LV_RUN/tk.xml && -L $LV_NET/autostart/tk.xml ]] && grep -q "\"ip-address\": \"$LEASE\"" "$LV_LEASES/vntk0.status"'
expect "the bridge and the guest's port stayed" 'in_ns "$HOST" ip link show vnet0 | grep -q "master vntk0"'

start_libvirtd
for _ in $(seq 100); do pgrep -f "dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/tk.conf" >/dev/null && break; sleep 0.1; done
expect "libvirtd runs the network again" 'virsh -q -c "$LV_URI" net-list | grep -Eq "^ tk +active +yes +yes"'
expect "with its own chains and dnsmasq" 'in_ns "$HOST" iptables-save | grep -q "LIBVIRT_PRT -s 10.78.0.0/24 ! -d 10.78.0.0/24 -j MASQUERADE" && pgrep -f "dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/tk.conf" >/dev/null'
expect "the guest still reaches the wan" 'in_ns "$G" busybox ping -c 2 -W 2 203.0.113.2 >/dev/null'
dhcp
expect "a renewal from libvirt's dnsmasq keeps the address" '[[ $(guest_ip) == "$LEASE" ]]'

if [[ -s $WORK/daemon.log ]]; then echo "--- virtnatd log"; cat "$WORK/daemon.log"; fi
echo "$FAILURES failure(s)"
[[ $FAILURES == 0 ]]
