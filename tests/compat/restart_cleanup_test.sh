#!/usr/bin/env bash
# A restarted daemon finds the status record of a network the earlier daemon
# left running and tears it down (dnsmasq ended, bridge and rules removed,
# record deleted); autostart networks come back. Both daemons run in one
# network namespace of the test's own.
. "$(dirname "$0")/lib.sh"

if [[ $(id -u) != 0 ]]; then echo "needs root for a network namespace"; exit 1; fi
NS=virtnat-ct-$$
ip netns add "$NS"
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT

start_in_ns() {
  rm -f "$SOCK" "$SOCK_RO"
  ip netns exec "$NS" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" --config-dir "$TMP/etc" \
    --state-dir "$TMP/lib" --run-dir "$TMP/run" --log-level warning 2>>"$TMP/daemon.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do [[ -S $SOCK_RO ]] && return 0; sleep 0.05; done
  echo "virtnatd did not start:"; cat "$TMP/daemon.log"; return 1
}
stop_daemon() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=; }
dnsmasq_pid() { grep -o "<dnsmasq pid='[0-9]*'" "$TMP/run/$1.status" | grep -o "[0-9][0-9]*"; }
# A dnsmasq that exited may stay a zombie (no one reaps it): alive means it
# still has a command line.
alive() { [[ -n $(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null) ]] && echo yes || echo no; }

start_in_ns
sed -e 's/a-demo/b-demo/; s/addbccd4/bddbccd4/; s/virbra1/virbrb1/; s/201\./202./g' \
  -e 's/9f:8a:29/9f:8b:29/' "$DATA/a-demo.xml" >"$TMP/b-demo.xml"
check "define a-demo" "" 0 virsh -q -c "$URI" net-define "$DATA/a-demo.xml"
check "define b-demo" "" 0 virsh -q -c "$URI" net-define "$TMP/b-demo.xml"
check "autostart b-demo" "" 0 virsh -q -c "$URI" net-autostart b-demo
check "start a-demo" "" 0 virsh -q -c "$URI" net-start a-demo
check "start b-demo" "" 0 virsh -q -c "$URI" net-start b-demo
A_PID=$(dnsmasq_pid a-demo)
B_PID=$(dnsmasq_pid b-demo)
stop_daemon
check "networks outlive the daemon" "yes yes" 0 echo "$(alive "$A_PID") $(alive "$B_PID")"

start_in_ns
check "after restart" " a-demo   inactive   no    yes
 b-demo   active     yes   yes" 0 virsh -q -c "$URI" net-list --all
check "old dnsmasq ended" "no no" 0 echo "$(alive "$A_PID") $(alive "$B_PID")"
check "a-demo's bridge removed" "1" 0 bash -c \
  "ip netns exec $NS ip link show virbra1 >/dev/null 2>&1; echo \$?"
check "a-demo's record removed" "no" 0 bash -c \
  "[[ -e $TMP/run/a-demo.status ]] && echo yes || echo no"
check "a-demo's rules removed" "0" 0 bash -c \
  "ip netns exec $NS nft list ruleset | grep -c virbra1 || true"
check "b-demo runs a new dnsmasq" "yes" 0 alive "$(dnsmasq_pid b-demo)"
check "a-demo starts again" "" 0 virsh -q -c "$URI" net-start a-demo
finish
