#!/usr/bin/env bash
# No child can stall the daemon. Network A's dnsmasq:options make dnsmasq
# block at start-up (conf-file= a FIFO nobody writes: dnsmasq reads its
# configuration, as root, before it daemonizes). While `net-start A` waits,
# a second client defines, starts, lists, dumps and destroys other networks
# at once, and a second `net-start A` is refused. A then fails at the start
# timeout with nothing left (bridge, rules, process, files). Network B's
# `log-facility=-` keeps dnsmasq's stderr open forever (libvirt 9.0 waits for
# its EOF and hangs its whole network driver): B starts within seconds, and
# a live update that restarts its dnsmasq completes as well.
. "$(dirname "$0")/lib.sh"

start_daemon
FIFO=$TMP/hang.fifo
mkfifo "$FIFO"

# net NAME BRIDGE SUBNET-THIRD-OCTET [DNSMASQ-OPTION]
net() {
  local opt=
  [[ -n ${4:-} ]] && opt="<dnsmasq:options><dnsmasq:option value='$4'/></dnsmasq:options>"
  cat <<XML
<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>$1</name>
  <forward mode='nat'/>
  <bridge name='$2' stp='off' delay='0'/>
  <ip address='192.168.$3.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.$3.100' end='192.168.$3.200'/></dhcp>
  </ip>
  $opt
</network>
XML
}
net stall-a virbrsa 211 "conf-file=$FIFO" >"$TMP/a.xml"
net stall-b virbrsb 212 "log-facility=-" >"$TMP/b.xml"
net stall-c virbrsc 213 >"$TMP/c.xml"
for n in a b; do virsh -q -c "$URI" net-define "$TMP/$n.xml" >/dev/null; done

now_ms() { date +%s%3N; }
# timed NAME EXPECTED EXPECTED-RC -- command...: `check`, and the call must
# answer within 2 s (generous: an idle daemon answers in milliseconds).
timed() {
  local name=$1 begin end
  begin=$(now_ms)
  check "$@"
  end=$(now_ms)
  echo "   ($name: $((end - begin)) ms)"
  if ((end - begin >= 2000)); then
    echo "FAIL: $name took $((end - begin)) ms while stall-a was starting"
    FAILURES=$((FAILURES + 1))
  fi
}
dnsmasq_of() { pgrep -f -- "--conf-file=$TMP/lib/dnsmasq/$1.conf" || true; }

A_BEGIN=$(now_ms)
virsh -q -c "$URI" net-start stall-a >"$TMP/a.out" 2>&1 &
A_VIRSH=$!
# Wait until dnsmasq of A is hanging on the FIFO.
for _ in $(seq 100); do [[ -n $(dnsmasq_of stall-a) ]] && break; sleep 0.02; done
check "stall-a's dnsmasq is hanging" "yes" 0 bash -c "[[ -n '$(dnsmasq_of stall-a)' ]] && echo yes"

timed "list while stall-a starts" \
  " stall-a   inactive   no   yes
 stall-b   inactive   no   yes" 0 virsh -q -c "$URI" net-list --all
timed "dumpxml while stall-a starts" "<name>stall-a</name>" 0 \
  bash -c "virsh -q -c '$URI' net-dumpxml stall-a | grep -o '<name>stall-a</name>'"
timed "define stall-c" "" 0 virsh -q -c "$URI" net-define "$TMP/c.xml"
timed "start stall-c" "" 0 virsh -q -c "$URI" net-start stall-c
timed "stall-c is active" "Active:         yes" 0 \
  bash -c "virsh -q -c '$URI' net-info stall-c | grep ^Active"
timed "destroy stall-c" "" 0 virsh -q -c "$URI" net-destroy stall-c
timed "undefine stall-c" "" 0 virsh -q -c "$URI" net-undefine stall-c
timed "second start of stall-a is refused" \
  "error: Failed to start network stall-a
error: Requested operation is not valid: network 'stall-a' is being started; try again when it is done" \
  1 virsh -q -c "$URI" net-start stall-a
timed "destroy of stall-a is refused" \
  "error: Failed to destroy network stall-a
error: Requested operation is not valid: network 'stall-a' is being started; try again when it is done" \
  1 virsh -q -c "$URI" net-destroy stall-a

# stall-b starts while stall-a still waits.
B_BEGIN=$(now_ms)
check "start stall-b (log-facility=-)" "" 0 virsh -q -c "$URI" net-start stall-b
echo "   (start stall-b: $(($(now_ms) - B_BEGIN)) ms)"
check "stall-b is active" "Active:         yes" 0 \
  bash -c "virsh -q -c '$URI' net-info stall-b | grep ^Active"
B_PID=$(dnsmasq_of stall-b)
check "stall-b's dnsmasq runs" "yes" 0 bash -c "[[ -n '$B_PID' ]] && echo yes"

A_RC=0
wait "$A_VIRSH" || A_RC=$?
A_MS=$(($(now_ms) - A_BEGIN))
echo "   (net-start stall-a failed after $A_MS ms)"
check "net-start stall-a fails" "1" 0 echo "$A_RC"
check "with the timeout in libvirt's words" "1" 0 \
  grep -c "error: internal error: Child process (VIR_BRIDGE_NAME=virbrsa .*) did not finish within 5000 ms" "$TMP/a.out"
check "naming the phase that took long and its limit" "1" 0 \
  grep -c "(start phase 'dnsmasq'; start_timeout in virtnatd.conf sets the limit)" "$TMP/a.out"
check "within the timeout (+3 s)" "yes" 0 bash -c "(($A_MS < 8000)) && echo yes"
check "stall-a is inactive" "Active:         no" 0 \
  bash -c "virsh -q -c '$URI' net-info stall-a | grep ^Active"
check "no bridge of stall-a" 'Device "virbrsa" does not exist.' 1 nsenter -t "$DAEMON_PID" -n ip -o link show virbrsa
check "no rules of stall-a" "0" 1 \
  bash -c "nsenter -t $DAEMON_PID -n nft list ruleset | grep -c virbrsa"
check "no dnsmasq of stall-a" "" 0 dnsmasq_of stall-a
check "no files of stall-a" "" 0 \
  find "$TMP/run" "$TMP/lib" -name 'stall-a*'
check "stall-b's rules are there" "yes" 0 \
  bash -c "nsenter -t $DAEMON_PID -n nft list ruleset | grep -q virbrsb_in && echo yes"
check "stall-b's dnsmasq kept running (same pid)" "$B_PID" 0 dnsmasq_of stall-b

# A live change of dnsmasq's conf restarts it beside the loop, too.
check "live update restarting stall-b's dnsmasq" "" 0 virsh -q -c "$URI" net-update stall-b \
  add dns-txt "<txt name='example' value='hello'/>" --live
check "stall-b's new dnsmasq reads the change" "txt-record=example,hello" 0 \
  grep -o "txt-record=example,hello" "$TMP/lib/dnsmasq/stall-b.conf"
NEW_PID=$(dnsmasq_of stall-b)
check "stall-b runs a new dnsmasq" "yes" 0 \
  bash -c "[[ -n '$NEW_PID' && '$NEW_PID' != '$B_PID' ]] && echo yes"

check "destroy stall-b" "" 0 virsh -q -c "$URI" net-destroy stall-b
check "no dnsmasq of stall-b" "" 0 dnsmasq_of stall-b
finish
