#!/usr/bin/env bash
# Status records: a started network has RUN_DIR/NAME.status (bridge, firewall,
# the dnsmasq pid it runs with) by the time net-start returns; net-destroy
# removes it.
. "$(dirname "$0")/lib.sh"

start_daemon
REC=$TMP/run/a-demo.status
check "define" "" 0 virsh -q -c "$URI" net-define "$DATA/a-demo.xml"
check "no record while inactive" "no" 0 bash -c "[[ -e '$REC' ]] && echo yes || echo no"
check "start" "" 0 virsh -q -c "$URI" net-start a-demo
check "record written" "yes" 0 bash -c "[[ -e '$REC' ]] && echo yes || echo no"
check "record mode" "600" 0 stat -c %a "$REC"
check "record bridge" "<bridge value='virbra1'/>" 0 grep -o "<bridge value='virbra1'/>" "$REC"
check "record firewall" "1" 0 grep -c "<firewall value='..*'/>" "$REC"
PID=$(grep -o "<dnsmasq pid='[0-9]*'" "$REC" | grep -o "[0-9][0-9]*" || true)
check "recorded pid is the network's dnsmasq" "yes" 0 \
  bash -c "tr '\\0' ' ' </proc/$PID/cmdline | grep -q -- '--conf-file=$TMP/' && echo yes"
check "live definition recorded" "1" 0 grep -c "<definition>" "$REC"
check "destroy" "" 0 virsh -q -c "$URI" net-destroy a-demo
check "record removed" "no" 0 bash -c "[[ -e '$REC' ]] && echo yes || echo no"
finish
