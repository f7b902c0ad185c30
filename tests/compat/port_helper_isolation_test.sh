#!/usr/bin/env bash
# virtnat-port (the ifup/ifdown helper) plugs interfaces into a virtnatd
# network with the port's settings, in namespaces the test makes (host:
# virtnatd; g1, g2: guests behind veth pairs; wan: the outside):
#   - network iso has <port isolated='yes'/>: g1 and g2, plugged by the
#     helper, cannot reach each other but reach the gateway and the wan; the
#     bridge ports are isolated (IFLA_BRPORT_ISOLATED);
#   - iso has <mtu size='1400'/>: the plugged interfaces get it;
#   - iso's default portgroup has <bandwidth>: the helper puts the port's
#     rates on the host side of each veth (htb on its egress, an ifb for its
#     ingress) and removes them at down;
#   - network open has no isolation: the same guests reach each other;
#   - net-port-list shows the plugged ports, none after `virtnat-port down`;
#     a down without a port fails naming the MAC.
set -euo pipefail
VIRTNATD=${1:?usage: $0 PATH-TO-VIRTNATD}
PORT_HELPER=$(dirname "$(realpath "$VIRTNATD")")/virtnat-port
ID=$$
HOST=vn-pi-host-$ID G1=vn-pi-g1-$ID G2=vn-pi-g2-$ID WAN=vn-pi-wan-$ID
WORK=$(mktemp -d /tmp/virtnat-isolation.XXXXXX)
SOCK=$WORK/sock
URI="network+unix:///system?socket=$SOCK"
DAEMON_PID=
FAILURES=0

cleanup() {
  set +e
  if [[ -n $DAEMON_PID ]]; then
    for net in iso open; do virsh -q -c "$URI" net-destroy $net >/dev/null 2>&1; done
    kill "$DAEMON_PID"; wait "$DAEMON_PID"
  fi 2>/dev/null
  del_namespaces $G1 $G2 $WAN $HOST
  pkill -9 -f -- "--conf-file=$WORK/" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/namespaces.sh"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }
reaches() { in_ns "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
expect_reach() { if reaches "$2" "$3"; then ok "$1"; else fail "$1"; fi; }
expect_no_reach() { if reaches "$2" "$3"; then fail "$1"; else ok "$1"; fi; }
expect() { # NAME TEXT PATTERN (the text as one line)
  if grep -Eq -- "$3" <<<"$(printf '%s' "$2" | tr '\n' ' ')"; then ok "$1"; else fail "$1: '$2' does not match '$3'"; fi
}
expect_not() { # NAME TEXT PATTERN
  if grep -Eq -- "$3" <<<"$2"; then fail "$1: '$2' matches '$3'"; else ok "$1"; fi
}
port() { in_ns "$HOST" "$PORT_HELPER" --connect "$URI" "$@"; }
# The bridges run STP (libvirt's default): a new port forwards after the
# listening and learning states.
forwarding() {
  local dev
  for dev in "$@"; do
    for _ in $(seq 100); do
      in_ns "$HOST" bridge link show dev "$dev" | grep -q "state forwarding" && break
      sleep 0.1
    done
  done
}

for ns in $HOST $G1 $G2 $WAN; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
add_wan "$HOST" "$WAN"
in_ns "$HOST" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK-ro" --config-dir "$WORK/etc" \
  --state-dir "$WORK/lib" --lease-status-dir "$WORK/lib/nss" --run-dir "$WORK/run" --log-level warning 2>"$WORK/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.05; done

network() { # NAME BRIDGE SUBNET-PREFIX EXTRA
  cat >"$WORK/$1.xml" <<XML
<network>
  <name>$1</name>
  <forward mode='nat'/>
  <bridge name='$2'/>
  $4
  <ip address='$3.1' prefix='24'/>
</network>
XML
  virsh -q -c "$URI" net-create "$WORK/$1.xml" >/dev/null
}
network iso vnpi0 10.79.0 "<mtu size='1400'/>
  <port isolated='yes'/>
  <portgroup name='metered' default='yes'>
    <bandwidth><inbound average='5000' peak='6000' burst='64'/><outbound average='3000'/></bandwidth>
  </portgroup>"
network open vnpo0 10.80.0 ""

# The guests: veth pairs, the guest end eth0 with a static address.
n=0
for g in $G1 $G2; do
  n=$((n + 1))
  ip link add "vnpi-h$n" netns "$HOST" type veth peer name eth0 netns "$g"
  in_ns "$g" ip link set eth0 address "52:54:00:79:00:0$n" up
done
address() { # NET-PREFIX
  n=0
  for g in $G1 $G2; do
    n=$((n + 1))
    in_ns "$g" ip addr flush dev eth0
    in_ns "$g" ip addr add "$1.1$n/24" dev eth0
    in_ns "$g" ip route replace default via "$1.1"
  done
}

# --- isolated network ---------------------------------------------------------
for n in 1 2; do port up --network iso --mac "52:54:00:79:00:0$n" --owner-name "g$n" "vnpi-h$n"; done
address 10.79.0
forwarding vnpi-h1 vnpi-h2
expect "net-port-list shows both ports" "$(virsh -q -c "$URI" net-port-list iso | wc -l)" "^2$"
for n in 1 2; do
  expect "vnpi-h$n is an isolated port of vnpi0" \
    "$(in_ns "$HOST" bridge -d link show dev "vnpi-h$n")" "master vnpi0 .*isolated on"
  expect "vnpi-h$n has the network's MTU" "$(in_ns "$HOST" ip -o link show "vnpi-h$n")" " mtu 1400 "
  expect "vnpi-h$n: the port's inbound rate on its egress (htb 5000 kB/s)" \
    "$(in_ns "$HOST" tc class show dev "vnpi-h$n")" "htb 1:1 root .*rate 40Mbit ceil 48Mbit"
  expect "vnpi-h$n: its outbound through vnpi-h$n-ifb (htb 3000 kB/s)" \
    "$(in_ns "$HOST" tc class show dev "vnpi-h$n-ifb")" "htb 1:1 root .*rate 24Mbit"
done
expect_reach "g1 reaches the gateway" "$G1" 10.79.0.1
expect_reach "g2 reaches the gateway" "$G2" 10.79.0.1
expect_reach "g1 reaches the wan" "$G1" 203.0.113.2
expect_reach "g2 reaches the wan" "$G2" 203.0.113.2
expect_no_reach "g1 cannot reach g2" "$G1" 10.79.0.12
expect_no_reach "g2 cannot reach g1" "$G2" 10.79.0.11
for n in 1 2; do port down --network iso --mac "52:54:00:79:00:0$n" "vnpi-h$n"; done
expect "after down, net-port-list is empty" "$(virsh -q -c "$URI" net-port-list iso | wc -l)" "^0$"
expect "after down, no ifb is left" "$(in_ns "$HOST" ip -o link show type ifb | wc -l)" "^0$"
expect_not "after down, vnpi-h1 has no htb" "$(in_ns "$HOST" tc qdisc show dev vnpi-h1)" "htb"
expect_not "after down, vnpi-h1 is off the bridge" "$(in_ns "$HOST" ip -o link show vnpi-h1)" "master"
rc=0; out=$(port down --network iso --mac 52:54:00:79:00:01 vnpi-h1 2>&1) || rc=$?
expect "a second down fails naming the MAC (exit $rc)" "$out" \
  "network 'iso' has no port with MAC 52:54:00:79:00:01 \(tap 'vnpi-h1'\)"

# --- the same guests on a network without isolation --------------------------
for n in 1 2; do port up --network open --mac "52:54:00:79:00:0$n" "vnpi-h$n"; done
address 10.80.0
forwarding vnpi-h1 vnpi-h2
expect "vnpi-h1 is a port of vnpo0, not isolated" \
  "$(in_ns "$HOST" bridge -d link show dev vnpi-h1)" "master vnpo0 .*isolated off"
expect_reach "without isolation, g1 reaches g2" "$G1" 10.80.0.12
expect_reach "without isolation, g2 reaches the wan" "$G2" 203.0.113.2
for n in 1 2; do port down --network open --mac "52:54:00:79:00:0$n" "vnpi-h$n"; done
expect "open: net-port-list is empty after down" "$(virsh -q -c "$URI" net-port-list open | wc -l)" "^0$"

if [[ -s $WORK/daemon.log ]]; then echo "--- daemon log"; cat "$WORK/daemon.log"; fi
kill -0 "$DAEMON_PID" 2>/dev/null || fail "virtnatd died"
[[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
