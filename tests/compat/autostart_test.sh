#!/usr/bin/env bash
# Autostart at daemon start-up: a persistent network marked autostart is
# running again after the daemon restarts; one that is not stays inactive.
. "$(dirname "$0")/lib.sh"

start_daemon
check "define a-demo" "" 0 virsh -q -c "$URI" net-define "$DATA/a-demo.xml" --validate
check "autostart a-demo" "" 0 \
  virsh -q -c "$URI" net-autostart a-demo
sed -e 's/a-demo/b-demo/; s/addbccd4/bddbccd4/; s/virbra1/virbrb1/; s/201\./202./g' \
  -e 's/9f:8a:29/9f:8b:29/' "$DATA/a-demo.xml" >"$TMP/b-demo.xml"
check "define b-demo" "" 0 virsh -q -c "$URI" net-define "$TMP/b-demo.xml"

kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
# The old sockets stay behind; start_daemon waits for new ones.
rm -f "$SOCK" "$SOCK_RO"
start_daemon
# Autostart runs beside serving clients: wait for the start to complete.
for _ in $(seq 50); do
  [[ $(virsh -q -c "$URI" net-info a-demo | awk '/^Active:/ {print $2}') == yes ]] && break
  sleep 0.1
done
check "autostarted after restart" \
  " a-demo   active     yes   yes
 b-demo   inactive   no    yes" 0 virsh -q -c "$URI" net-list --all
finish
