#!/usr/bin/env bash
# libvirt's network hooks with Debian's virsh: a recording script in a
# private hooks directory (HOOKS/network, and one in HOOKS/network.d/) sees
# define/start/port create/update/port delete/stop as the sequence libvirt's
# bridge_driver.c produces (derived from its source: start/begin, then
# started/begin, port-created/begin, updated/begin, port-deleted/begin,
# stopped/end; define and undefine run none), each with its <hookData> on
# stdin. A start hook that fails aborts the start with libvirt's error and
# leaves no bridge; a start hook that never ends is killed after
# hook_timeout while other clients are served.
. "$(dirname "$0")/lib.sh"

HOOKS=$TMP/hooks
mkdir -p "$HOOKS/network.d" "$TMP/etc"
cat >"$TMP/etc/virtnatd.conf" <<CONF
hooks_dir = $HOOKS
hook_timeout = 3
CONF
# write_hooks DIR CALLS: the recording hook, one line per call, stdin kept
# per call beside CALLS.
write_hooks() {
  local dir=$1 calls=$2
  mkdir -p "$dir/network.d"
  cat >"$dir/network" <<SH
#!/bin/sh
n=\$(wc -l <"$calls" 2>/dev/null || echo 0)
cat >"$calls.stdin.\$n"
echo "\$*" >>"$calls"
case "\$1 \$2" in
  "hook-fail start") echo "refused by hook" >&2; exit 1 ;;
  "hook-hang start") touch "$TMP/hanging"; sleep 987654 ;;
esac
exit 0
SH
  cat >"$dir/network.d/50-second" <<SH
#!/bin/sh
cat >/dev/null
echo "network.d: \$*" >>"$calls"
SH
  # Not executable: skipped, as libvirt skips it.
  echo "echo never >>'$calls'" >"$dir/network.d/10-not-executable"
  chmod +x "$dir/network" "$dir/network.d/50-second"
  touch "$calls"
}
write_hooks "$HOOKS" "$TMP/calls"

start_daemon
Q=(virsh -q -c "$URI")
in_daemon_ns() { nsenter --net="/proc/$DAEMON_PID/ns/net" "$@"; }

net() {
  cat <<XML
<network>
  <name>$1</name>
  <forward mode='nat'/>
  <bridge name='$2' stp='off' delay='0'/>
  <ip address='192.168.$3.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.$3.100' end='192.168.$3.200'/></dhcp>
  </ip>
</network>
XML
}
net hook-a virbrha 231 >"$TMP/a.xml"
net hook-fail virbrhf 232 >"$TMP/fail.xml"
net hook-hang virbrhh 233 >"$TMP/hang.xml"
net hook-b virbrhb 234 >"$TMP/b.xml"
cat >"$TMP/port.xml" <<XML
<networkport>
  <uuid>a1a1a1a1-0000-4000-8000-0000000000a7</uuid>
  <owner>
    <name>hookvm</name>
    <uuid>11111111-2222-3333-4444-5555555555a7</uuid>
  </owner>
  <mac address='52:54:00:a1:00:a7'/>
</networkport>
XML
PORT=a1a1a1a1-0000-4000-8000-0000000000a7

# 1. The sequence.
# run_sequence URI: define/start/port create/update/port delete/stop/undefine.
run_sequence() {
  local q=(virsh -q -c "$1")
  "${q[@]}" net-define "$TMP/a.xml" >/dev/null
  "${q[@]}" net-start hook-a >/dev/null
  "${q[@]}" net-port-create hook-a "$TMP/port.xml" >/dev/null
  "${q[@]}" net-update hook-a add dns-host \
    "<host ip='192.168.231.5'><hostname>hooked</hostname></host>" --live --config >/dev/null
  "${q[@]}" net-port-delete hook-a "$PORT" >/dev/null
  "${q[@]}" net-destroy hook-a >/dev/null
  "${q[@]}" net-undefine hook-a >/dev/null
}
# wait_lines FILE N: port-deleted and stopped run after the reply (their
# outcome does not matter, as in libvirt); wait for them to be recorded.
wait_lines() {
  for _ in $(seq 250); do (($(wc -l <"$1") >= $2)) && return 0; sleep 0.02; done
}
run_sequence "$URI"
wait_lines "$TMP/calls" 12
cp "$TMP/calls" "$TMP/virtnatd.calls"
mkdir "$TMP/virtnatd.stdin"
for n in 0 2 4 6 8 10; do cp "$TMP/calls.stdin.$n" "$TMP/virtnatd.stdin/$n"; done
check "hook calls for define/start/port create/update/port delete/stop/undefine" \
  "hook-a start begin -
network.d: hook-a start begin -
hook-a started begin -
network.d: hook-a started begin -
hook-a port-created begin -
network.d: hook-a port-created begin -
hook-a updated begin -
network.d: hook-a updated begin -
hook-a port-deleted begin -
network.d: hook-a port-deleted begin -
hook-a stopped end -
network.d: hook-a stopped end -" 0 cat "$TMP/calls"
check "start/begin gets <hookData> with the live network" "<hookData>
  <network>
    <name>hook-a</name>" 0 head -3 "$TMP/calls.stdin.0"
check "start/begin stdin ends with </hookData>" "</hookData>" 0 bash -c "tail -c 11 '$TMP/calls.stdin.0'"
check "port-created/begin gets the counted network and the port" "  <network connections='1'>
  <networkport>
    <uuid>$PORT</uuid>
    <plug type='network' bridge='virbrha'/>" 0 \
  bash -c "grep -E \"^  <network |^  <networkport>|^    <uuid>$PORT|<plug \" '$TMP/calls.stdin.4'"
check "updated/begin sees the new host" "1" 0 grep -c "<hostname>hooked</hostname>" "$TMP/calls.stdin.6"
: >"$TMP/calls"

# 2. A failing start hook aborts the start, with libvirt's error, and no bridge.
"${Q[@]}" net-define "$TMP/fail.xml" >/dev/null
out=$("${Q[@]}" net-start hook-fail 2>&1 || true)
# The environment part of the command text depends on the caller's (PATH...).
check "failing start hook: libvirt's error" "match" 0 bash -c '
  [[ $1 == "error: Failed to start network hook-fail
error: Hook script execution failed: internal error: Child process (LC_ALL=C "*" $2/network hook-fail start begin -) unexpected exit status 1: refused by hook" ]] &&
  echo match || printf "%s\n" "$1"' _ "$out" "$HOOKS"
check "failing start hook: network.d ran too, nothing after start" \
  "hook-fail start begin -
network.d: hook-fail start begin -" 0 cat "$TMP/calls"
check "failing start hook: not active" "no" 0 \
  bash -c "virsh -q -c '$URI' net-info hook-fail | awk '/^Active/ {print \$2}'"
check "failing start hook: no bridge" "absent" 0 \
  bash -c "nsenter --net=/proc/$DAEMON_PID/ns/net ip link show virbrhf >/dev/null 2>&1 && echo present || echo absent"
"${Q[@]}" net-undefine hook-fail >/dev/null
: >"$TMP/calls"

# 3. A start hook that never ends holds only its own start; it is killed
# after hook_timeout and the start fails with nothing left.
"${Q[@]}" net-define "$TMP/hang.xml" >/dev/null
"${Q[@]}" net-define "$TMP/b.xml" >/dev/null
"${Q[@]}" net-start hook-hang >"$TMP/hang.out" 2>&1 &
HANG_VIRSH=$!
for _ in $(seq 200); do [[ -e $TMP/hanging ]] && break; sleep 0.02; done
check "the hang hook is running" "yes" 0 bash -c "[[ -e '$TMP/hanging' ]] && echo yes"
check "net-list answers while hook-hang's hook hangs" \
  " hook-b      inactive   no   yes
 hook-hang   inactive   no   yes" 0 "${Q[@]}" net-list --all
check "another network starts meanwhile" "" 0 "${Q[@]}" net-start hook-b
check "hook-b is active" "yes" 0 \
  bash -c "virsh -q -c '$URI' net-info hook-b | awk '/^Active/ {print \$2}'"
check "a second start of hook-hang is refused" \
  "error: Failed to start network hook-hang
error: Requested operation is not valid: network 'hook-hang' is being started; try again when it is done" \
  1 "${Q[@]}" net-start hook-hang
wait "$HANG_VIRSH" || true
check "the hanging hook was killed after hook_timeout" "1" 0 \
  grep -c "did not finish within 3 seconds and was killed" "$TMP/hang.out"
check "its sleep is gone with its process group" "0" 0 \
  bash -c "pgrep -f '[s]leep 987654' | wc -l"
check "hook-hang is not active and has no bridge" "no absent" 0 bash -c \
  "echo \$(virsh -q -c '$URI' net-info hook-hang | awk '/^Active/ {print \$2}') \
   \$(nsenter --net=/proc/$DAEMON_PID/ns/net ip link show virbrhh >/dev/null 2>&1 && echo present || echo absent)"
"${Q[@]}" net-destroy hook-b >/dev/null

# 4. Side by side: Debian's libvirtd 9.0 with the same hooks, in its own
# network and mount namespaces (tmpfs over its directories, as
# bench/lib/daemons.py runs it), does the same steps; its recorded sequence
# must equal virtnatd's. libvirtd looks for hook scripts once, at start-up,
# so they are in place before it starts.
if command -v libvirtd >/dev/null && [[ $(id -u) == 0 ]]; then
  write_hooks "$LV/hooks" "$LV/calls"
  start_libvirtd "$LV/hooks"
  run_sequence "$LV_URI"
  check "libvirtd 9.0 records the same sequence as virtnatd" "$(cat "$TMP/virtnatd.calls")" 0 \
    cat "$LV/calls"
  check "libvirtd 9.0's start/begin stdin opens as virtnatd's" "$(head -3 "$TMP/virtnatd.stdin/0")" 0 \
    head -3 "$LV/calls.stdin.0"
  # The whole documents, but for the generated uuid and MAC.
  for n in 0 2 4 6 8 10; do
    check "libvirtd 9.0's stdin of '$(sed -n "$((n + 1))p" "$LV/calls")' equals virtnatd's" \
      "$(grep -vE '<uuid>|<mac address=' "$TMP/virtnatd.stdin/$n")" 0 \
      grep -vE '<uuid>|<mac address=' "$LV/calls.stdin.$n"
  done
  : >"$LV/calls"
  virsh -q -c "$LV_URI" net-define "$TMP/fail.xml" >/dev/null
  lv_out=$(virsh -q -c "$LV_URI" net-start hook-fail 2>&1 || true)
  check "libvirtd 9.0's failing start hook error has the same form" "match" 0 bash -c '
    [[ $1 == "error: Failed to start network hook-fail
error: Hook script execution failed: internal error: Child process (LC_ALL=C "*" /etc/libvirt/hooks/network hook-fail start begin -) unexpected exit status 1: refused by hook" ]] &&
    echo match || printf "%s\n" "$1"' _ "$lv_out"
else
  echo "skip: libvirtd side by side (needs root and Debian's libvirtd)"
fi
finish
