#!/usr/bin/env bash
# Debian's virsh against virtnatd with real guests, in throw-away namespaces
# (host: virtnatd; guest1, guest2: VMs on the bridge; wan: the outside):
#   - net-dhcp-leases lists the leases the guests really hold;
#   - a port forward added with `net-update ... forward --live` answers at
#     once, and after `delete` it no longer does;
#   - meanwhile guest2's established TCP connection through NAT (8 s of
#     traffic, spanning every change) carries on.
set -euo pipefail
VIRTNATD=${1:?usage: $0 PATH-TO-VIRTNATD}
ID=$$
HOST=vn-lg-host-$ID G1=vn-lg-g1-$ID G2=vn-lg-g2-$ID WAN=vn-lg-wan-$ID
WORK=$(mktemp -d /tmp/virtnat-live.XXXXXX)
chmod 0755 "$WORK"
SOCK=$WORK/sock
URI="network+unix:///system?socket=$SOCK"
DAEMON_PID=
FAILURES=0

cleanup() {
  set +e
  [[ -n $DAEMON_PID ]] && virsh -q -c "$URI" net-destroy lg >/dev/null 2>&1
  [[ -n $DAEMON_PID ]] && { kill "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null
  for ns in $G1 $G2 $WAN $HOST; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  pkill -9 -f -- "--conf-file=$WORK/" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/namespaces.sh"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }

for ns in $HOST $G1 $G2 $WAN; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
add_wan "$HOST" "$WAN"

in_ns "$HOST" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK-ro" --config-dir "$WORK/etc" \
  --state-dir "$WORK/lib" --lease-status-dir "$WORK/lib/nss" --run-dir "$WORK/run" --log-level warning 2>"$WORK/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.05; done

cat >"$WORK/lg.xml" <<'XML'
<network>
  <name>lg</name>
  <forward mode='nat'/>
  <bridge name='vnlg0'/>
  <ip address='10.77.0.1' prefix='24'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.199'/>
      <host mac='52:54:00:77:00:01' name='one' ip='10.77.0.11'/>
      <host mac='52:54:00:77:00:02' name='two' ip='10.77.0.12'/>
    </dhcp>
  </ip>
</network>
XML
virsh -q -c "$URI" net-create "$WORK/lg.xml" >/dev/null

write_udhcpc_script "$WORK/udhcpc.sh"
n=0
for g in $G1 $G2; do
  n=$((n + 1))
  ip link add "vnet$n" netns "$HOST" type veth peer name eth0 netns "$g"
  in_ns "$HOST" ip link set "vnet$n" master vnlg0 up
  in_ns "$g" ip link set eth0 address "52:54:00:77:00:0$n" up
  in_ns "$g" busybox udhcpc -i eth0 -n -q -f -t 10 -T 1 -s "$WORK/udhcpc.sh" >/dev/null 2>&1
done

leases=$(virsh -c "$URI" net-dhcp-leases lg)
if grep -Eq '52:54:00:77:00:01 +ipv4 +10.77.0.11/24 +one' <<<"$leases" &&
   grep -Eq '52:54:00:77:00:02 +ipv4 +10.77.0.12/24 +two' <<<"$leases"; then
  ok "net-dhcp-leases lists both guests' real leases"
else
  fail "net-dhcp-leases"; echo "$leases"
fi

# guest2 keeps one TCP connection to wan open while forwards change.
PY=/usr/bin/python3
in_ns "$WAN" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5000)); s.listen(1); c, _ = s.accept()
with open(sys.argv[1], "wb") as out:
    while True:
        data = c.recv(4096)
        if not data: break
        out.write(data); out.flush()
' "$WORK/received" &
sleep 0.3
in_ns "$G2" "$PY" -c '
import socket, time
c = socket.create_connection(("203.0.113.2", 5000), timeout=5)
for i in range(80):
    c.sendall(b"line %d\n" % i); time.sleep(0.1)
c.close()
' &
STREAM=$!

mkdir -p "$WORK/www"
echo "guest one" >"$WORK/www/index.html"
in_ns "$G1" busybox httpd -f -p 80 -h "$WORK/www" &
FWD="<portForward xmlns='urn:virtnat:network:1' guest='10.77.0.11'><range start='8080' to='80'/></portForward>"
fetch() { in_ns "$WAN" timeout 5 busybox wget -q -O - http://203.0.113.1:8080/ 2>/dev/null; }

if fetch >/dev/null; then fail "port 8080 answers before the forward exists"; fi
virsh -q -c "$URI" net-update lg add-last forward "$FWD" --live >/dev/null
if [[ $(fetch) == "guest one" ]]; then ok "forward added live answers at once"; else fail "forward added live"; fi
virsh -q -c "$URI" net-dumpxml lg | grep -q "<vn:range start='8080' to='80'/>" &&
  ok "net-dumpxml shows the live forward" || fail "net-dumpxml shows the live forward"
virsh -q -c "$URI" net-update lg delete forward "$FWD" --live >/dev/null
if fetch >/dev/null; then fail "forward deleted live still answers"; else ok "forward deleted live no longer answers"; fi

wait "$STREAM" || true
sleep 0.3
if [[ $(wc -l <"$WORK/received") == 80 ]]; then
  ok "guest2's established connection carried on (80 of 80 lines)"
else
  fail "guest2's connection: $(wc -l <"$WORK/received") of 80 lines"
fi

if [[ -s $WORK/daemon.log ]]; then echo "--- daemon log"; cat "$WORK/daemon.log"; fi
echo "$FAILURES failure(s)"
[[ $FAILURES == 0 ]]
