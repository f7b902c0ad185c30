#!/usr/bin/env bash
# Drift repair while running, with a real guest: virtnatd in its own network
# namespace (lib.sh), a guest namespace on the network's bridge, a wan
# namespace standing for the outside. Another program then
#   (a) flushes the whole ruleset, (b) deletes virtnat's table, (c) flushes
#   one of its maps: the rules are back within a second (the time is
#   printed), the guest reaches wan again, the log names the network;
#   (d) SIGKILLs the network's dnsmasq: a new one within a second, the guest
#   renews its lease, the log and `virtnatd --status` name it;
#   (e) sets iptables' FORWARD policy to drop (as Docker does): the log and
#   `virtnatd --status` name table ip filter chain FORWARD, until it is
#   set back to accept;
#   (f) adds a host firewall (table inet filter, input and output policy
#   drop): `virtnatd --status` names its chains, what they drop (DHCP, DNS,
#   DHCP replies) and the rule to add, until the admin accepts the bridge.
# A stopped network is never brought back by a repair, not even one stopped
# while a repair is pending. Rules removed while the daemon is down are back
# once it starts again.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || { echo "FAIL: needs root (network namespaces)"; exit 1; }

G=vn-dr-g-$$ W=vn-dr-w-$$
drift_cleanup() {
  for ns in $G $W; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  cleanup
}
trap drift_cleanup EXIT
chmod 0755 "$TMP"

start_daemon
D() { nsenter -t "$DAEMON_PID" -n "$@"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }
# `virtnatd --status` exits 1 while it reports problems: pipelines read its text.
status() { "$VIRTNATD" --status --run-dir "$TMP/run" --config-dir "$TMP/etc"; }
status_text() { status || true; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_until MS COMMAND...: polls COMMAND until it succeeds; prints the
# milliseconds it took; fails after MS.
wait_until() {
  local limit=$1 start; shift
  start=$(now_ms)
  while ! "$@" >/dev/null 2>&1; do
    if (($(now_ms) - start > limit)); then echo "timeout"; return 1; fi
    sleep 0.01
  done
  echo "$(($(now_ms) - start)) ms"
}

for ns in $G $W; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
D ip link add wan0 type veth peer name eth0 netns "$W"
D ip addr add 203.0.113.1/24 dev wan0
D ip link set wan0 up
in_ns "$W" ip addr add 203.0.113.2/24 dev eth0
in_ns "$W" ip link set eth0 up

net_xml() {  # NAME BRIDGE SUBNET
  cat <<XML
<network>
  <name>$1</name>
  <forward mode='nat'/>
  <bridge name='$2'/>
  <ip address='$3.1' prefix='24'>
    <dhcp>
      <range start='$3.100' end='$3.199'/>
      <host mac='52:54:00:78:00:01' name='guest' ip='$3.11'/>
    </dhcp>
  </ip>
</network>
XML
}
net_xml dr vndr0 10.78.0 >"$TMP/dr.xml"
net_xml dr2 vndr1 10.78.1 >"$TMP/dr2.xml"
virsh -q -c "$URI" net-create "$TMP/dr.xml" >/dev/null
virsh -q -c "$URI" net-define "$TMP/dr2.xml" >/dev/null
virsh -q -c "$URI" net-start dr2 >/dev/null
virsh -q -c "$URI" net-destroy dr2 >/dev/null

cat >"$TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "$ip" >"$(dirname "$0")/lease";;
esac
exit 0
SCRIPT
chmod +x "$TMP/udhcpc.sh"
D ip link add vnet1 type veth peer name eth0 netns "$G"
D ip link set vnet1 master vndr0 up
in_ns "$G" ip link set eth0 address 52:54:00:78:00:01 up
lease() {
  rm -f "$TMP/lease"
  in_ns "$G" busybox udhcpc -i eth0 -n -q -f -t 10 -T 1 -s "$TMP/udhcpc.sh" >/dev/null 2>&1 &&
    [[ $(cat "$TMP/lease") == 10.78.0.11 ]]
}
reaches_wan() { in_ns "$G" ping -c 1 -W 1 203.0.113.2 >/dev/null 2>&1; }
lease && ok "guest holds its lease (10.78.0.11)" || fail "guest's first lease"
reaches_wan && ok "guest reaches wan through NAT" || fail "guest reaches wan at first"
RULES=$(D nft list table inet virtnat)
grep -q vndr1 <<<"$RULES" && fail "the stopped network dr2 has rules"
rules_back() { [[ $(D nft list table inet virtnat 2>/dev/null) == "$RULES" ]]; }
no_dr2() { ! D nft list table inet virtnat | grep -q vndr1 && ! D ip link show vndr1 >/dev/null 2>&1; }

repaired() {  # NAME COMMAND...: another program changes the ruleset
  local name=$1 took; shift
  D "$@"
  if took=$(wait_until 1000 rules_back); then
    echo "   ($name: rules back after $took)"
    ok "$name: the network's rules are back within a second"
  else
    fail "$name: the rules are not back within a second"
  fi
  reaches_wan && ok "$name: guest reaches wan again" || fail "$name: guest reaches wan again"
  no_dr2 && ok "$name: stopped network dr2 stays stopped" || fail "$name: dr2 came back"
}
LOG=$TMP/daemon.log
repaired "nft flush ruleset" nft flush ruleset
grep -q "network 'dr': firewall rules were removed by another program (table inet virtnat missing); restored" "$LOG" &&
  ok "the log names the repaired network" || fail "the log names the repaired network"
repaired "nft delete table inet virtnat" nft delete table inet virtnat
[[ $(grep -c "network 'dr': firewall rules were removed" "$LOG") == 2 ]] &&
  ok "each repair is logged once" || fail "each repair is logged once"
repaired "nft flush map inet virtnat nat4" nft flush map inet virtnat nat4
grep -q "network 'dr': firewall rules were removed by another program (set inet virtnat nat4 has 0 of 1 elements); restored" "$LOG" &&
  ok "a flushed map is named" || fail "a flushed map is named"

# A network stopped while the repair is pending (the flush and the stop race
# the monitor's debounce): it stays stopped, the other one comes back.
virsh -q -c "$URI" net-start dr2 >/dev/null
RULES2=$(D nft list table inet virtnat)
logged() { grep -Ec "restored|rebuilt|put back" "$LOG" || true; }
BEFORE=$(logged)
D nft flush ruleset
virsh -q -c "$URI" net-destroy dr2 >/dev/null
wait_until 1000 rules_back >/dev/null && ok "flush + stop: dr's rules are back" ||
  fail "flush + stop: dr's rules are back"
sleep 0.2
no_dr2 && ok "flush + stop: dr2 stays stopped" || fail "flush + stop: dr2 came back"
(($(logged) > BEFORE)) && ok "flush + stop: the repair is logged" || fail "flush + stop: not logged"
[[ $(virsh -q -c "$URI" net-list --inactive --name) == dr2 ]] &&
  ok "flush + stop: dr2 is inactive" || fail "flush + stop: dr2 is inactive"
[[ $RULES2 != "$RULES" ]] || fail "dr2 had rules while running"

# dnsmasq killed: supervision restarts it.
PIDFILE=$TMP/run/dnsmasq/dr.pid
OLD=$(cat "$PIDFILE")
new_dnsmasq() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) && [[ -n $pid && $pid != "$OLD" ]] && kill -0 "$pid"
}
kill -9 "$OLD"
if took=$(wait_until 1000 new_dnsmasq); then
  echo "   (dnsmasq: new pid after $took)"
  ok "killed dnsmasq: a new one within a second"
else
  fail "killed dnsmasq: no new one within a second"
fi
NEW=$(cat "$PIDFILE")
lease && ok "killed dnsmasq: the guest renews its lease" || fail "killed dnsmasq: lease renewal"
grep -q "network 'dr': dnsmasq (pid $OLD) exited; restarting in" "$LOG" &&
  ok "killed dnsmasq: the log names the network" || fail "killed dnsmasq: the log names the network"
wait_until 1000 bash -c "'$VIRTNATD' --status --run-dir '$TMP/run' | grep -q 'dnsmasq pid $NEW'" >/dev/null &&
  ok "killed dnsmasq: the status names the new pid" || fail "killed dnsmasq: status shows pid $NEW"

# Docker's FORWARD policy drop (iptables-nft).
D iptables -P FORWARD DROP
reported() { status_text | grep -q "warning: table ip filter chain FORWARD (hook forward, priority 0) has policy drop: forwarded traffic of network 'dr' may be dropped there"; }
if took=$(wait_until 1000 reported); then
  echo "   (FORWARD drop reported after $took)"
  ok "FORWARD policy drop: virtnatd --status names table ip filter chain FORWARD"
else
  fail "FORWARD policy drop: not in virtnatd --status"; status_text
fi
rc=0; status >/dev/null || rc=$?
[[ $rc == 1 ]] && ok "FORWARD policy drop: --status exits 1" || fail "--status exits $rc, not 1"
[[ $(grep -c "table ip filter chain FORWARD (hook forward, priority 0) has policy drop" "$LOG") == 1 ]] &&
  ok "FORWARD policy drop: logged once, naming table and chain" || fail "FORWARD policy drop: logged once"
D iptables -P FORWARD ACCEPT
cleared() { ! status_text | grep -q "chain FORWARD"; }
wait_until 1000 cleared >/dev/null && ok "FORWARD policy accept: no longer reported" ||
  fail "FORWARD policy accept: still reported"

# A host firewall whose input and output policies drop (NixOS's
# networking.nftables, ufw): DHCP, DNS and the DHCP replies of the guests.
D nft -f - <<'NFT'
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iifname "lo" accept
    ct state established,related accept
    tcp dport 22 accept
  }
  chain output {
    type filter hook output priority 0; policy drop;
    ct state established,related accept
  }
}
NFT
IN_WARNING="warning: table inet filter chain input (hook input, priority 0) may drop DHCP (udp 67), DNS (udp 53), DNS (tcp 53) that guests of network 'dr' send to the host (policy drop); accept them there (nft insert rule inet filter input iifname \"vndr0\" accept)"
OUT_WARNING="warning: table inet filter chain output (hook output, priority 0) may drop DHCP replies (udp 68) the host sends to guests of network 'dr' (policy drop); accept them there (nft insert rule inet filter output oifname \"vndr0\" accept)"
in_reported() { status_text | grep -qF "$IN_WARNING" && status_text | grep -qF "$OUT_WARNING"; }
if took=$(wait_until 1000 in_reported); then
  echo "   (input drop reported after $took)"
  ok "input/output policy drop: virtnatd --status names table inet filter and the fix"
else
  fail "input/output policy drop: not in virtnatd --status"; status_text
fi
[[ $(grep -c "table inet filter chain input (hook input, priority 0) may drop" "$LOG") == 1 ]] &&
  ok "input policy drop: logged once" || fail "input policy drop: logged once"
! lease && ok "input policy drop: the guest indeed gets no lease meanwhile" ||
  fail "input policy drop: the guest got a lease through a dropping input hook"
# The admin accepts DHCP and DNS over UDP (a set, which the audit cannot
# read: given the benefit of the doubt) but not yet DNS over TCP.
D nft insert rule inet filter input iifname vndr0 udp dport '{ 53, 67 }' accept
D nft insert rule inet filter output oifname vndr0 accept
tcp_only() {
  status_text | grep -qF "may drop DNS (tcp 53) that guests of network 'dr'" &&
    ! status_text | grep -q "may drop DHCP"
}
wait_until 1000 tcp_only >/dev/null && ok "input: with udp accepted, only DNS over TCP is reported" ||
  { fail "input: udp accepted, tcp still dropped: not what --status says"; status_text; }
D nft insert rule inet filter input iifname vndr0 tcp dport 53 accept
in_cleared() { ! status_text | grep -q "table inet filter"; }
wait_until 1000 in_cleared >/dev/null && ok "input/output accepted for the bridge: no longer reported" ||
  { fail "input/output accepted: still reported"; status_text; }
lease && ok "input/output accepted: the guest gets its lease through the host firewall" ||
  fail "input/output accepted: no lease"
D nft delete table inet filter
rc=0; status >/dev/null || rc=$?
[[ $rc == 0 ]] && ok "--status exits 0 without problems" || fail "--status exits $rc, not 0"
status_text

# Rules removed while the daemon is down are restored by the check after
# re-adoption. dnsmasq (restarted above, so its new pid must be recorded for
# the re-adoption) keeps the namespace alive for the next daemon.
kill "$DAEMON_PID"; wait "$DAEMON_PID" || true
rc=0; out=$(status) || rc=$?
[[ $rc == 3 && $out == "virtnatd: not running"* ]] && ok "--status: not running, exit 3" ||
  fail "--status without a daemon: exit $rc: $out"
NS_PID=$(cat "$PIDFILE")
BEFORE_RESTART=$(logged)
nsenter -t "$NS_PID" -n nft flush ruleset
rm -f "$SOCK" "$SOCK_RO"
nsenter -t "$NS_PID" -n "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" \
  --config-dir "$TMP/etc" --state-dir "$TMP/lib" --lease-status-dir "$TMP/lib/nss" --run-dir "$TMP/run" --log-level warning \
  2>>"$LOG" &
DAEMON_PID=$!
wait_until 5000 test -S "$SOCK_RO" >/dev/null
wait_until 1000 rules_back >/dev/null && ok "restart: rules removed meanwhile are back" ||
  { fail "restart: rules removed meanwhile are back"; diff <(echo "$RULES") <(D nft list ruleset) || true; }
[[ $(cat "$PIDFILE") == "$NS_PID" ]] && ok "restart: dnsmasq re-adopted (same pid)" ||
  fail "restart: dnsmasq not re-adopted"
reaches_wan && ok "restart: guest reaches wan" || fail "restart: guest reaches wan"
(($(logged) > BEFORE_RESTART)) && ok "restart: the repair is logged" ||
  fail "restart: the repair is logged"

finish
