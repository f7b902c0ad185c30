#!/usr/bin/env bash
# Debian's virsh against virtnatd: lifecycle events seen by a second client,
# the network port commands (as virtqemud uses them), net-dhcp-leases,
# net-edit with an EDITOR script, and the peer credential check on the
# read-write socket.
. "$(dirname "$0")/lib.sh"
chmod 755 "$TMP"  # let an unprivileged user reach the sockets
SOCKET_MODE=0666 start_daemon
Q=(virsh -q -c "$URI")
V=(virsh -c "$URI")

check "net-define" "Network a-demo defined from $DATA/a-demo.xml" 0 \
  "${V[@]}" net-define "$DATA/a-demo.xml"

# net-event in a second client while this one starts, stops and undefines.
virsh -c "$URI" net-event --event lifecycle --loop --timeout 4 >"$TMP/events.txt" 2>&1 &
EVENTS=$!
sleep 1
"${V[@]}" net-start a-demo >/dev/null
"${V[@]}" net-destroy a-demo >/dev/null
"${V[@]}" net-start a-demo >/dev/null
wait $EVENTS || true
check "net-event" "event 'lifecycle' for network a-demo: Started
event 'lifecycle' for network a-demo: Stopped
event 'lifecycle' for network a-demo: Started
event loop timed out
events received: 3" 0 cat "$TMP/events.txt"

# Ports (captures 11, 12, 14).
PORT=a1a1a1a1-0000-4000-8000-000000000099
check "net-port-create" "Network port $PORT created from $DATA/port.xml" 0 \
  "${V[@]}" net-port-create a-demo "$DATA/port.xml"
check "net-port-list" " $PORT" 0 "${Q[@]}" net-port-list a-demo
check "net-port-dumpxml (captured 12)" "$(cat "$DATA/port.dumpxml.xml")" 0 \
  "${Q[@]}" net-port-dumpxml a-demo "$PORT"
check "connections in live XML" "<network connections='1'>" 0 \
  bash -c "virsh -q -c '$URI' net-dumpxml a-demo | head -1"
check "net-port-delete" "Network port $PORT deleted" 0 "${V[@]}" net-port-delete a-demo "$PORT"
# virsh 9.0 prints only its own line here and exits 0.
check "net-port-dumpxml of a deleted port" "error: failed to get network port '$PORT'" 0 \
  "${Q[@]}" net-port-dumpxml a-demo "$PORT"

check "net-dhcp-leases (none)" "" 0 "${Q[@]}" net-dhcp-leases a-demo

# net-edit: virsh fetches the inactive XML, runs $EDITOR, defines the result.
check "net-edit" "Network a-demo XML configuration edited." 0 \
  env EDITOR="sed -i s/fixed1/fixed2/" virsh -c "$URI" net-edit a-demo
check "net-edit result pending" "      <host mac='52:54:00:a1:00:01' name='fixed2' ip='192.168.201.10'/>" 0 \
  bash -c "virsh -q -c '$URI' net-dumpxml --inactive a-demo | grep fixed"

# Peer credentials: even with the socket file open to all, an unprivileged
# peer is refused on the read-write socket and served on the read-only one.
if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1; then
  check "non-root on the read-write socket" "error: failed to connect to the hypervisor
error: access denied: peer uid 65534 may not use the read-write socket" 1 \
    runuser -u nobody -- virsh -q -c "$URI" net-list --name
  check "non-root on the read-only socket" "a-demo" 0 \
    runuser -u nobody -- virsh -q -c "$URI_RO" net-list --name
fi

finish
