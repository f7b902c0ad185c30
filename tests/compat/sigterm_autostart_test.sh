#!/usr/bin/env bash
# SIGTERM while autostart is still starting networks (a service manager's
# stop or restart right after boot): the daemon exits cleanly, never by a
# crash, and leaves every network either running whole (bridge, dnsmasq and
# its status record) or gone whole (none of them, and no start intent). 20
# networks with DHCP, 20 rounds, SIGTERM at a random moment of autostart.
. "$(dirname "$0")/lib.sh"

NS=vn-sigterm-$$
ROUNDS=${VIRTNAT_SIGTERM_ROUNDS:-20}
NETWORKS=20
ip netns add "$NS"
trap 'cleanup; for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done; ip netns del "$NS" 2>/dev/null' EXIT

for n in $(seq "$NETWORKS"); do
  cat >"$TMP/st$n.xml" <<EOF
<network>
  <name>st$n</name>
  <forward mode='nat'/>
  <bridge name='vnst$n'/>
  <ip address='10.77.$n.1' netmask='255.255.255.0'>
    <dhcp><range start='10.77.$n.100' end='10.77.$n.200'/></dhcp>
  </ip>
</network>
EOF
done

start_daemon_in_ns "$NS"
for n in $(seq "$NETWORKS"); do
  virsh -q -c "$URI" net-define "$TMP/st$n.xml" >/dev/null
  virsh -q -c "$URI" net-autostart "st$n" >/dev/null
done

# Every network running whole or gone whole; prints what is half.
check_whole() {
  local n bridge record intent dnsmasq
  for n in $(seq "$NETWORKS"); do
    bridge=no record=no intent=no dnsmasq=no
    ip -n "$NS" link show "vnst$n" >/dev/null 2>&1 && bridge=yes
    [[ -f $TMP/run/st$n.status ]] && record=yes
    [[ $record == yes ]] && grep -q "starting" "$TMP/run/st$n.status" && intent=yes
    pgrep -f "$TMP/lib/dnsmasq/st$n.conf" >/dev/null && dnsmasq=yes
    if [[ $intent == yes ]] || [[ "$bridge$record$dnsmasq" != yesyesyes && "$bridge$record$dnsmasq" != nonono ]]; then
      echo "st$n: bridge=$bridge record=$record start-intent=$intent dnsmasq=$dnsmasq"
    fi
  done
}

crashes=0 half=0 midway=0
for round in $(seq "$ROUNDS"); do
  # Nothing runs, so the next daemon autostarts all of them.
  for n in $(seq "$NETWORKS"); do virsh -q -c "$URI" net-destroy "st$n" >/dev/null 2>&1 || true; done
  kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
  # Not waiting for the sockets: they come after autostart has begun, and
  # by then the starts may all be done. Any moment from exec on counts.
  rm -f "$SOCK" "$SOCK_RO"
  ip netns exec "$NS" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" --config-dir "$TMP/etc" \
    --state-dir "$TMP/lib" --lease-status-dir "$TMP/lib/nss" --run-dir "$TMP/run" --log-level warning 2>>"$TMP/daemon.log" &
  DAEMON_PID=$!
  delay=$((RANDOM % 400))
  sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
  kill -TERM "$DAEMON_PID"
  rc=0; wait "$DAEMON_PID" || rc=$?; DAEMON_PID=
  # 143: SIGTERM's default action, before main() set up its handlers (the
  # exec and the dynamic loader can take that long on a busy machine); the
  # daemon had touched nothing yet, and check_whole proves it. Any other
  # status (134 abort, 139 segfault, 1 error) is a crash.
  if [[ $rc == 143 ]]; then
    echo "round $round: SIGTERM came before the daemon set up its handlers"
  elif [[ $rc != 0 ]]; then
    echo "round $round: virtnatd exited with $rc"; crashes=$((crashes + 1))
  fi
  problems=$(check_whole)
  if [[ -n $problems ]]; then
    echo "round $round: half networks after SIGTERM:"; echo "$problems"; half=$((half + 1))
  fi
  # Some networks up and some not: the stop came while autostart was busy.
  running=$(ip -n "$NS" -o link show type bridge | grep -c ': vnst' || true)
  echo "round $round: SIGTERM after ${delay} ms, $running of $NETWORKS up"
  if ((running > 0 && running < NETWORKS)); then midway=$((midway + 1)); fi
  start_daemon_in_ns "$NS"
done

check "no crash in $ROUNDS rounds" "0" 0 echo "$crashes"
check "no half network in $ROUNDS rounds" "0" 0 echo "$half"
# Without this the rounds could all have missed the window the test is for.
echo "SIGTERM came while autostart was busy in $midway of $ROUNDS rounds"
during=no; ((midway > 0)) && during=yes
check "SIGTERM came during autostart in some rounds" "yes" 0 echo "$during"
for n in $(seq "$NETWORKS"); do virsh -q -c "$URI" net-destroy "st$n" >/dev/null 2>&1 || true; done
finish
