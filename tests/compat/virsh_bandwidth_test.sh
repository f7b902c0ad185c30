#!/usr/bin/env bash
# virsh against virtnatd with issue 14's <bandwidth>: net-create builds the
# htb tree on the bridge and the ifb device for <outbound> (the tree as tc
# lists it), net-destroy removes both; a port's floor is checked as libvirt
# checks it and, when it fits, gets libvirt's class 1:3 (classID='3' in the
# port XML), its leaf and its u32 filter on the port's MAC, with class 1:2
# lowered to what is left of the average; a daemon killed and started again
# plugs it again; net-port-delete takes them away. The daemon runs in a network namespace of the test's own.
. "$(dirname "$0")/lib.sh"

if [[ $(id -u) != 0 ]]; then echo "needs root for a network namespace"; exit 1; fi
NS=virtnat-bw-$$
ip netns add "$NS"
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT
start_daemon_in_ns "$NS"
in_ns() { ip netns exec "$NS" "$@"; }

cat >"$TMP/bw.xml" <<'XML'
<network>
  <name>bw</name>
  <forward mode='nat'/>
  <bridge name='virbrw0'/>
  <bandwidth>
    <inbound average='1000' peak='5000' burst='1024'/>
    <outbound average='2000'/>
  </bandwidth>
  <ip address='192.168.150.1' prefix='24'/>
</network>
XML
check "net-create with bandwidth" "" 0 virsh -q -c "$URI" net-create "$TMP/bw.xml"
check "root and leaf on the bridge" "qdisc htb 1: root refcnt 2 r2q 10 default 0x2 direct_packets_stat 0 direct_qlen 1000
qdisc pfifo 2: parent 1:2 limit 1000p
qdisc ingress ffff: parent ffff:fff1 ---------------- " 0 in_ns tc qdisc show dev virbrw0
check "inbound classes" "class htb 1:1 root rate 8Mbit ceil 40Mbit burst 1Mb cburst 1495b 
class htb 1:2 parent 1:1 leaf 2: prio 0 rate 8Mbit ceil 40Mbit burst 1Mb cburst 1495b " 0 \
  in_ns tc class show dev virbrw0
check "outbound class on the ifb" "class htb 1:1 root leaf 2: prio 0 rate 16Mbit ceil 16Mbit burst 1498b cburst 1498b " 0 \
  in_ns tc class show dev virbrw0-ifb
printf '%s' "<networkport><uuid>a1a1a1a1-0000-4000-8000-000000000001</uuid><owner><name>vm</name>\
<uuid>11111111-2222-3333-4444-555555555555</uuid></owner><mac address='52:54:00:00:00:01'/>\
<bandwidth><inbound average='10' floor='9000'/></bandwidth></networkport>" >"$TMP/port.xml"
# virsh's own first line names the file.
check "floor without room" "error: Failed to create network from $TMP/port.xml
error: Requested operation is not valid: Cannot plug '52:54:00:00:00:01' interface into 'virbrw0' because new combined inbound floor=9000 would overcommit peak=5000 on network 'bw'" 1 \
  virsh -q -c "$URI" net-port-create bw "$TMP/port.xml"
sed -i "s/floor='9000'/floor='400'/" "$TMP/port.xml"
check "floor that fits" "" 0 virsh -q -c "$URI" net-port-create bw "$TMP/port.xml"
PORT=a1a1a1a1-0000-4000-8000-000000000001
# The plugged floor: the port's class id, its class beside what is left
# for 1:2, and the filter on the port's MAC; $1 is appended to the labels.
check_plugged_floor() {
  check "classID in the port XML$1" "<bandwidth classID='3'>" 0 \
    sh -c "virsh -q -c '$URI' net-port-dumpxml bw $PORT | grep -o \"<bandwidth classID='3'>\""
  check "floor class and the rest for 1:2$1" "class htb 1:2 parent 1:1 leaf 2: prio 0 rate 4800Kbit ceil 40Mbit
class htb 1:3 parent 1:1 leaf 3: prio 0 rate 3200Kbit ceil 40Mbit" 0 \
    sh -c "ip netns exec $NS tc class show dev virbrw0 | grep -o '^class htb 1:[23] .* ceil [^ ]*'"
  check "filter on the port's MAC$1" "800::803 order 2051 key ht 800 bkt 0 *flowid 1:3" 0 \
    sh -c "ip netns exec $NS tc filter show dev virbrw0 | grep -o '800::803 order.*flowid 1:3'"
}
check_plugged_floor ""
check "floor leaf" "qdisc pfifo 3: parent 1:3 limit 1000p" 0 \
  sh -c "ip netns exec $NS tc qdisc show dev virbrw0 | grep -o 'qdisc pfifo 3: .*p'"
check "the filter's matches" "800::803 order 2051 key ht 800 bkt 0 *flowid 1:3
match 00000800/0000ffff at -4
match 00000001/ffffffff at -12
match 00005254/0000ffff at -16" 0 \
  sh -c "ip netns exec $NS tc filter show dev virbrw0 | grep -o '800::803 order.*flowid 1:3\|match .*at -[0-9]*'"
# A restarted daemon rebuilds the tree and plugs the recorded floor again.
{ kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null || true
start_daemon_in_ns "$NS"
check_plugged_floor " after a restart"
check "net-port-delete" "" 0 virsh -q -c "$URI" net-port-delete bw $PORT
check "floor class gone, 1:2 whole again" "class htb 1:2 parent 1:1 leaf 2: prio 0 rate 8Mbit ceil 40Mbit" 0 \
  sh -c "ip netns exec $NS tc class show dev virbrw0 | grep -o '^class htb 1:[23] .* ceil [^ ]*'"
check "no filter left" "" 0 in_ns tc filter show dev virbrw0
check "net-destroy" "" 0 virsh -q -c "$URI" net-destroy bw
check "no ifb left" "" 0 in_ns ip -o link show type ifb
finish
