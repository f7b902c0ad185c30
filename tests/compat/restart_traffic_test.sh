#!/usr/bin/env bash
# Restarting virtnatd under live guests interrupts nothing. In throw-away
# namespaces (host: virtnatd; g1, g2: guests; wan: the outside), three NAT
# networks run; g1 (network rt1) streams ~10 s of TCP through NAT to wan, g2
# (network rt2) holds a DHCP lease with udhcpc running. Mid-transfer the
# daemon is stopped with SIGTERM and started again, later SIGKILLed and
# started again. Each time: same dnsmasq pids, same `nft list table inet
# virtnat`, same `virsh net-list --all`, same leases. At the end the stream
# arrived whole and g2 renews its lease (same address, later expiry).
set -euo pipefail
VIRTNATD=${1:?usage: $0 PATH-TO-VIRTNATD}
ID=$$
HOST=vn-rt-host-$ID G1=vn-rt-g1-$ID G2=vn-rt-g2-$ID WAN=vn-rt-wan-$ID
WORK=$(mktemp -d /tmp/virtnat-restart.XXXXXX)
chmod 0755 "$WORK"  # dnsmasq runs as an unprivileged user and reads its files here
SOCK=$WORK/sock
URI="network+unix:///system?socket=$SOCK"
PY=/usr/bin/python3
DAEMON_PID=
FAILURES=0

cleanup() {
  set +e
  if [[ -n $DAEMON_PID ]]; then
    for n in rt1 rt2 rt3; do virsh -q -c "$URI" net-destroy "$n" >/dev/null 2>&1; done
    kill "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null
  fi
  for ns in $G1 $G2 $WAN $HOST; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/namespaces.sh"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }
same() {  # NAME BEFORE AFTER
  if [[ $2 == "$3" ]]; then ok "$1"; else fail "$1"; diff <(echo "$2") <(echo "$3") || true; fi
}

start_daemon() {
  rm -f "$SOCK" "$SOCK-ro"
  # Not through the in_ns function: its subshell would be $!, and the
  # signals of restart() would miss the daemon.
  ip netns exec "$HOST" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK-ro" \
    --config-dir "$WORK/etc" --state-dir "$WORK/lib" --lease-status-dir "$WORK/lib/nss" --run-dir "$WORK/run" --log-level info \
    2>>"$WORK/daemon.log" &
  DAEMON_PID=$!
  for _ in $(seq 200); do [[ -S $SOCK ]] && return 0; sleep 0.02; done
  echo "virtnatd did not start"; cat "$WORK/daemon.log"; exit 1
}

for ns in $HOST $G1 $G2 $WAN; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
add_wan "$HOST" "$WAN"

start_daemon
for i in 1 2 3; do
  # rt3 is dual stack: its IPv6 address must be found on the bridge as well.
  v6=""
  [[ $i == 3 ]] && v6="<ip family='ipv6' address='fd00:83::1' prefix='64'/>"
  cat >"$WORK/rt$i.xml" <<XML
<network>
  <name>rt$i</name>
  <forward mode='nat'/>
  <bridge name='vnrt$i'/>
  <ip address='10.8$i.0.1' prefix='24'>
    <dhcp><range start='10.8$i.0.100' end='10.8$i.0.199'/></dhcp>
  </ip>
  $v6
</network>
XML
done
# Two persistent networks and a transient one (it lives only in its record).
virsh -q -c "$URI" net-define "$WORK/rt1.xml" >/dev/null
virsh -q -c "$URI" net-define "$WORK/rt2.xml" >/dev/null
virsh -q -c "$URI" net-start rt1 >/dev/null
virsh -q -c "$URI" net-start rt2 >/dev/null
virsh -q -c "$URI" net-create "$WORK/rt3.xml" >/dev/null

cat >"$WORK/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "$1 $ip" >>"$0.log";;
esac
exit 0
SCRIPT
chmod +x "$WORK/udhcpc.sh"
plug() {  # GUEST-NS PORT BRIDGE MAC
  ip link add "$2" netns "$HOST" type veth peer name eth0 netns "$1"
  in_ns "$HOST" ip link set "$2" master "$3" up
  in_ns "$1" ip link set eth0 address "$4" up
}
plug "$G1" vrt1 vnrt1 52:54:00:81:00:01
plug "$G2" vrt2 vnrt2 52:54:00:82:00:02
in_ns "$G1" busybox udhcpc -i eth0 -n -q -f -t 10 -T 1 -s "$WORK/udhcpc.sh" >/dev/null 2>&1
# g2 keeps its DHCP client running, as a guest does; SIGUSR1 makes it renew.
cp "$WORK/udhcpc.sh" "$WORK/g2.sh"
ip netns exec "$G2" busybox udhcpc -i eth0 -f -t 10 -T 1 -s "$WORK/g2.sh" >/dev/null 2>&1 &
UDHCPC=$!
for _ in $(seq 100); do [[ -s $WORK/g2.sh.log ]] && break; sleep 0.05; done

# wan counts the bytes of one connection and hashes them.
in_ns "$WAN" "$PY" -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5000)); s.listen(1); open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    data = c.recv(65536)
    if not data: break
    h.update(data); n += len(data)
open(sys.argv[1], "w").write("%d %s\n" % (n, h.hexdigest()))
' "$WORK/received" &
for _ in $(seq 100); do [[ -e $WORK/received.ready ]] && break; sleep 0.05; done
# g1 sends 200 chunks of 16 KiB over 10 s and prints what it sent.
in_ns "$G1" "$PY" -c '
import hashlib, socket, time
c = socket.create_connection(("203.0.113.2", 5000), timeout=10)
h = hashlib.sha256(); n = 0
for i in range(200):
    chunk = (b"%07d" % i) * 2340 + b"\n" * 4
    c.sendall(chunk); h.update(chunk); n += len(chunk); time.sleep(0.05)
c.close()
print(n, h.hexdigest())
' >"$WORK/sent" &
STREAM=$!

snapshot() {
  local pids="" n
  for n in rt1 rt2 rt3; do
    pids+="$n $(grep -o "<dnsmasq pid='[0-9]*'" "$WORK/run/$n.status" | grep -o '[0-9][0-9]*') "
  done
  echo "$pids"
}
nft_text() { in_ns "$HOST" nft list table inet virtnat; }
net_list() { virsh -q -c "$URI" net-list --all; }
leases() { virsh -q -c "$URI" net-dhcp-leases rt2; }
alive() { for p in $1; do [[ $p == rt* ]] || [[ -n $(tr -d '\0' <"/proc/$p/cmdline" 2>/dev/null) ]] || echo "dead $p"; done; }

sleep 2
PIDS=$(snapshot) NFT=$(nft_text) LIST=$(net_list) LEASES=$(leases)
LEASEFILE=$(cat "$WORK/lib/dnsmasq/rt2.leases")
echo "before: dnsmasq pids: $PIDS"
echo "before: g2 lease: $LEASES"
[[ -n $LEASES ]] || fail "g2 holds a lease before the restart"

restart() {  # SIGNAL
  local t0 t1
  t0=$(date +%s%N)
  kill "-$1" "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=
  start_daemon
  t1=$(date +%s%N)
  echo "restart after SIG$1: serving again in $(((t1 - t0) / 1000000)) ms"
  same "SIG$1: dnsmasq pids unchanged" "$PIDS" "$(snapshot)"
  same "SIG$1: every dnsmasq still runs" "" "$(alive "$(snapshot)")"
  same "SIG$1: nft table inet virtnat unchanged" "$NFT" "$(nft_text)"
  same "SIG$1: virsh net-list unchanged" "$LIST" "$(net_list)"
  same "SIG$1: g2's lease unchanged (virsh net-dhcp-leases)" "$LEASES" "$(leases)"
  same "SIG$1: g2's lease unchanged (lease file)" "$LEASEFILE" "$(cat "$WORK/lib/dnsmasq/rt2.leases")"
}
restart TERM
sleep 2
restart KILL

wait "$STREAM" || fail "g1's stream failed"
for _ in $(seq 100); do [[ -s $WORK/received ]] && break; sleep 0.05; done
echo "sent:     $(cat "$WORK/sent")"
echo "received: $(cat "$WORK/received" 2>/dev/null)"
same "g1's stream through NAT arrived whole across both restarts" "$(cat "$WORK/sent")" \
  "$(cat "$WORK/received" 2>/dev/null)"

# g2 renews with the restarted daemon's (same) dnsmasq.
sleep 1
kill -USR1 "$UDHCPC"
for _ in $(seq 100); do grep -q '^renew' "$WORK/g2.sh.log" && break; sleep 0.05; done
AFTER=$(leases)
echo "after renew: g2 lease: $AFTER"
ip_of() { awk '{print $5}' <<<"$1"; }
expiry_of() { awk '{print $1" "$2}' <<<"$1"; }
if grep -q '^renew' "$WORK/g2.sh.log" && [[ $(ip_of "$AFTER") == "$(ip_of "$LEASES")" ]] &&
  [[ $(date -d "$(expiry_of "$AFTER")" +%s) -gt $(date -d "$(expiry_of "$LEASES")" +%s) ]]; then
  ok "g2 renewed its lease: same address, later expiry"
else
  fail "g2's renewal"; cat "$WORK/g2.sh.log"
fi

if grep -q "warning\|error" "$WORK/daemon.log"; then fail "daemon warnings"; fi
echo "--- daemon log"; cat "$WORK/daemon.log"
echo "$FAILURES failure(s)"
[[ $FAILURES == 0 ]]
