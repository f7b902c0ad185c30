#!/usr/bin/env bash
# A restarted daemon finds the status records of networks the earlier daemon
# left running and checks each against the host: an intact one is re-adopted
# (active, same dnsmasq pid, and it stops cleanly later); one whose dnsmasq
# died is re-adopted with a new dnsmasq (the bridge and rules stay); one
# whose bridge is gone is torn down (its dnsmasq ended, rules, dnsmasq files
# and record removed) and reported by name. Both daemons run in one network
# namespace of the test's own.
. "$(dirname "$0")/lib.sh"

if [[ $(id -u) != 0 ]]; then echo "needs root for a network namespace"; exit 1; fi
NS=virtnat-ct-$$
ip netns add "$NS"
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT

start_in_ns() { start_daemon_in_ns "$NS"; }
stop_daemon() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=; }
dnsmasq_pid() { grep -o "<dnsmasq pid='[0-9]*'" "$TMP/run/$1.status" | grep -o "[0-9][0-9]*"; }
# A dnsmasq that exited may stay a zombie (no one reaps it): alive means it
# still has a command line.
alive() { [[ -n $(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null) ]] && echo yes || echo no; }

start_in_ns
sed -e 's/a-demo/b-demo/; s/addbccd4/bddbccd4/; s/virbra1/virbrb1/; s/201\./202./g' \
  -e 's/9f:8a:29/9f:8b:29/' "$DATA/a-demo.xml" >"$TMP/b-demo.xml"
sed -e 's/a-demo/c-demo/; s/addbccd4/cddbccd4/; s/virbra1/virbrc1/; s/201\./203./g' \
  -e 's/9f:8a:29/9f:8c:29/' "$DATA/a-demo.xml" >"$TMP/c-demo.xml"
check "define a-demo" "" 0 virsh -q -c "$URI" net-define "$DATA/a-demo.xml"
check "define b-demo" "" 0 virsh -q -c "$URI" net-define "$TMP/b-demo.xml"
check "autostart b-demo" "" 0 virsh -q -c "$URI" net-autostart b-demo
check "start a-demo" "" 0 virsh -q -c "$URI" net-start a-demo
check "start b-demo" "" 0 virsh -q -c "$URI" net-start b-demo
check "create c-demo" "" 0 virsh -q -c "$URI" net-create "$TMP/c-demo.xml"
A_PID=$(dnsmasq_pid a-demo)
B_PID=$(dnsmasq_pid b-demo)
C_PID=$(dnsmasq_pid c-demo)
stop_daemon
check "networks outlive the daemon" "yes yes yes" 0 \
  echo "$(alive "$A_PID") $(alive "$B_PID") $(alive "$C_PID")"
B_RULES=$(ip netns exec "$NS" nft list table inet virtnat | grep -c virbrb1)
# While no daemon watches, a-demo's dnsmasq dies, c-demo's bridge is deleted,
# someone flushes the whole ruleset and takes b-demo's address away.
kill -KILL "$A_PID"
# kill returns before the process is gone; under load the next daemon could
# still find it alive.
for _ in $(seq 200); do [[ $(alive "$A_PID") == no ]] && break; sleep 0.01; done
ip netns exec "$NS" ip link del virbrc1
ip netns exec "$NS" nft flush ruleset
ip netns exec "$NS" ip addr del 192.168.202.1/24 dev virbrb1
C_FILES=$(ls "$TMP"/lib/dnsmasq/c-demo.{conf,hostsfile,addnhosts} "$TMP/run/dnsmasq/c-demo.pid" | wc -l)

start_in_ns
check "after restart" " a-demo   active   no    yes
 b-demo   active   yes   yes" 0 virsh -q -c "$URI" net-list --all
check "b-demo re-adopted with the same dnsmasq" "yes" 0 bash -c \
  "[[ \$(grep -o \"<dnsmasq pid='[0-9]*'\" $TMP/run/b-demo.status) == \"<dnsmasq pid='$B_PID'\" ]] && echo yes"
check "b-demo's dnsmasq still runs" "yes" 0 alive "$B_PID"
check "b-demo's rules restored" "$B_RULES" 0 bash -c \
  "ip netns exec $NS nft list table inet virtnat | grep -c virbrb1"
check "b-demo's address restored" "1" 0 bash -c \
  "ip netns exec $NS ip -4 addr show virbrb1 | grep -c 'inet 192.168.202.1/24'"
check "a-demo's rules restored" "$B_RULES" 0 bash -c \
  "ip netns exec $NS nft list table inet virtnat | grep -c virbra1"
A_NEW=$(dnsmasq_pid a-demo)
check "a-demo's record names a new, running dnsmasq" "yes yes" 0 \
  echo "$([[ $A_NEW != "$A_PID" ]] && echo yes) $(alive "$A_NEW")"
check "a-demo's bridge kept" "0" 0 bash -c \
  "ip netns exec $NS ip link show virbra1 >/dev/null 2>&1; echo \$?"
check "c-demo's four dnsmasq files were there" "4" 0 echo "$C_FILES"
check "c-demo's dnsmasq ended" "no" 0 alive "$C_PID"
check "c-demo's rules removed" "0" 0 bash -c \
  "ip netns exec $NS nft list ruleset | grep -c virbrc1 || true"
check "c-demo's record and dnsmasq files removed" "0" 0 bash -c \
  "ls $TMP/run/c-demo.status $TMP/lib/dnsmasq/c-demo.{conf,hostsfile,addnhosts} $TMP/run/dnsmasq/c-demo.pid 2>/dev/null | wc -l"
# Transient, so gone for good: its leases go too, as libvirt removes them.
check "c-demo's lease file removed" "no" 0 bash -c "[[ -e $TMP/lib/dnsmasq/c-demo.leases ]] && echo yes || echo no"
check "a-demo stops" "" 0 virsh -q -c "$URI" net-destroy a-demo
check "a-demo's new dnsmasq ended" "no" 0 alive "$A_NEW"
check "a-demo starts again" "" 0 virsh -q -c "$URI" net-start a-demo
check "adopted b-demo stops" "" 0 virsh -q -c "$URI" net-destroy b-demo
check "b-demo's dnsmasq ended" "no" 0 alive "$B_PID"
check "b-demo's bridge removed" "1" 0 bash -c \
  "ip netns exec $NS ip link show virbrb1 >/dev/null 2>&1; echo \$?"
check "b-demo's rules removed" "0" 0 bash -c \
  "ip netns exec $NS nft list ruleset | grep -c virbrb1 || true"
check "b-demo's record removed" "no" 0 bash -c \
  "[[ -e $TMP/run/b-demo.status ]] && echo yes || echo no"
# The expected warnings are checked, then left out of the log.
check "a-demo's repair logged" "1" 0 grep -c \
  "warning: network 'a-demo': its recorded dnsmasq (pid $A_PID) is no longer running; now served by dnsmasq pid $A_NEW" "$TMP/daemon.log"
check "c-demo's teardown logged" "1" 0 grep -c \
  "warning: network 'c-demo': its bridge 'virbrc1' is gone; cleaning up what is left of it" "$TMP/daemon.log"
check "b-demo's address repair logged" "1" 0 grep -c \
  "warning: network 'b-demo': address 192.168.202.1/24 was missing from bridge 'virbrb1'; restored" "$TMP/daemon.log"
check "rule repairs logged" "1" 0 grep -c \
  "warning: network 'a-demo': firewall rules were missing (table inet virtnat missing, the rules of network 'b-demo' as well" "$TMP/daemon.log"
sed -i "/network 'a-demo': its recorded dnsmasq/d; /network 'c-demo': its bridge/d" "$TMP/daemon.log"
sed -i "/network 'a-demo': firewall rules were missing/d; /network 'b-demo': address/d" "$TMP/daemon.log"
finish
