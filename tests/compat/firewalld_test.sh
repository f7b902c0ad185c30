#!/usr/bin/env bash
# firewalld integration against a real firewalld (Debian's package, with
# libvirt's 'libvirt' zones from libvirt-daemon-driver-network, or a
# 'libvirt' zone the test installs) on a private D-Bus system bus (its own
# dbus-daemon, socket in the test's directory, DBUS_SYSTEM_BUS_ADDRESS for
# every party), in a network namespace the test creates, with firewalld's
# /etc/firewalld a temporary copy in a private mount namespace.
#   (a) firewalld not running: a network asking for a zone fails with
#       libvirt's message and leaves no bridge; one asking for none starts,
#       and the log has no D-Bus complaint;
#   (b) firewalld starts: the running bridge goes into the 'libvirt' zone;
#       new networks land in the zone asked for, a route-mode one in
#       'libvirt-routed';
#   (c) a guest gets its DHCP lease, DNS answers and NAT to a wan namespace
#       through firewalld's input filtering;
#   (d) `firewall-cmd --reload` (after an administrator moved the bridge to
#       zone 'block'): the bridge is back in 'libvirt', virtnat's rules are
#       whole, the guest keeps DHCP, DNS and NAT;
#   (e) a restarted virtnatd sets the zones of the networks it re-adopts;
#   (f) net-destroy takes the bridge out of its zone.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/namespaces.sh"
[[ $(id -u) == 0 ]] || { echo "FAIL: needs root (network namespaces)"; exit 1; }
for tool in firewalld firewall-cmd dbus-daemon; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/deps.sh)"; exit 1; }
done

H=vn-fw-h-$$ G=vn-fw-g-$$ W=vn-fw-w-$$
BUS=$TMP/bus
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS/socket
fw_cleanup() {
  del_namespaces "$G" "$W" "$H"
  cleanup
}
trap fw_cleanup EXIT
chmod 0755 "$TMP"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }
# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_until() {
  local n=$(($1 * 20)); shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}
V() { virsh -q -c "$URI" "$@"; }
fwcmd() { firewall-cmd "$@" 2>&1; }
zone_of() { fwcmd --get-zone-of-interface="$1" || true; }
in_zone() { [[ $(zone_of "$1") == "$2" ]]; }

for ns in $H $G $W; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
add_wan "$H" "$W"

# The private system bus.
mkdir -p "$BUS"
write_bus_conf "$BUS/system.conf" "$BUS/socket"
in_ns "$H" dbus-daemon --config-file="$BUS/system.conf" --nofork --nopidfile >"$BUS/log" 2>&1 &
wait_until 10 test -S "$BUS/socket" || { echo "FAIL: dbus-daemon did not start"; cat "$BUS/log"; exit 1; }

# firewalld's configuration: a copy, with libvirt's zone if the system has none.
mkdir -p "$TMP/firewalld"
cp -a /etc/firewalld "$TMP/firewalld/etc"
if [[ ! -e /usr/lib/firewalld/zones/libvirt.xml && ! -e /etc/firewalld/zones/libvirt.xml ]]; then
  mkdir -p "$TMP/firewalld/etc/zones"
  cat >"$TMP/firewalld/etc/zones/libvirt.xml" <<'ZONE'
<?xml version="1.0" encoding="utf-8"?>
<zone target="ACCEPT">
  <short>libvirt</short>
  <rule priority='32767'><reject/></rule>
  <service name="dhcp"/><service name="dhcpv6"/><service name="dns"/>
  <service name="ssh"/><service name="tftp"/>
  <protocol value="icmp"/><protocol value="ipv6-icmp"/>
</zone>
ZONE
fi
fw_running() { [[ $(firewall-cmd --state 2>/dev/null) == running ]]; }
start_firewalld() {
  in_ns "$H" unshare --mount --propagation private sh -c \
    "mount --bind '$TMP/firewalld/etc' /etc/firewalld && exec firewalld --nofork --nopid --log-target console" \
    >>"$TMP/firewalld/log" 2>&1 &
  wait_until 30 fw_running ||
    { echo "FAIL: firewalld did not start"; cat "$TMP/firewalld/log"; exit 1; }
}

start_virtnatd() {
  rm -f "$SOCK" "$SOCK_RO"
  # Not through the in_ns function: DAEMON_PID is virtnatd's own pid.
  ip netns exec "$H" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" --config-dir "$TMP/etc" \
    --state-dir "$TMP/lib" --run-dir "$TMP/run" --log-level info 2>>"$TMP/daemon.log" &
  DAEMON_PID=$!
  wait_until 10 test -S "$SOCK_RO" || { echo "FAIL: virtnatd did not start"; cat "$TMP/daemon.log"; exit 1; }
}
start_virtnatd

net_xml() {  # NAME BRIDGE SUBNET MODE [ZONE]
  cat <<XML
<network>
  <name>$1</name>
  <forward mode='$4'/>
  <bridge name='$2'${5:+ zone='$5'}/>
  <dns><host ip='$3.50'><hostname>fwhost</hostname></host></dns>
  <ip address='$3.1' prefix='24'>
    <dhcp>
      <range start='$3.100' end='$3.199'/>
      <host mac='52:54:00:79:00:01' name='guest' ip='$3.11'/>
    </dhcp>
  </ip>
</network>
XML
}

# (a) firewalld not running.
net_xml fwz vnfwz0 10.79.9 nat libvirt >"$TMP/fwz.xml"
out=$(V net-create "$TMP/fwz.xml" 2>&1) && fail "zone without firewalld: net-create succeeded"
if grep -q "internal error: zone libvirt requested for network fwz but firewalld is not active" <<<"$out"; then
  ok "zone without firewalld: libvirt's error"
else
  fail "zone without firewalld: unexpected output: $out"
fi
in_ns "$H" ip link show vnfwz0 >/dev/null 2>&1 && fail "zone without firewalld: bridge left behind" ||
  ok "zone without firewalld: no bridge left"
net_xml fw vnfw0 10.79.0 nat >"$TMP/fw.xml"
V net-create "$TMP/fw.xml" >/dev/null && ok "no zone, no firewalld: network starts" ||
  fail "no zone, no firewalld: network starts"
if grep -Ei "dbus|d-bus" "$TMP/daemon.log" >/dev/null; then
  fail "no zone, no firewalld: the log complains:"; grep -Ei "dbus|d-bus" "$TMP/daemon.log"
else
  ok "no zone, no firewalld: no D-Bus complaint in the log"
fi

# (b) firewalld appears on the bus.
start_firewalld
wait_until 10 in_zone vnfw0 libvirt && ok "firewalld started: running bridge put in zone libvirt" ||
  fail "firewalld started: bridge in zone '$(zone_of vnfw0)', not libvirt"
net_xml fwz vnfwz0 10.79.9 nat trusted >"$TMP/fwz.xml"
V net-create "$TMP/fwz.xml" >/dev/null && in_zone vnfwz0 trusted &&
  ok "zone='trusted': bridge in zone trusted" || fail "zone='trusted': bridge in '$(zone_of vnfwz0)'"
net_xml fwr vnfwr0 10.79.8 route >"$TMP/fwr.xml"
V net-create "$TMP/fwr.xml" >/dev/null && in_zone vnfwr0 libvirt-routed &&
  ok "route mode: bridge in zone libvirt-routed" || fail "route mode: bridge in '$(zone_of vnfwr0)'"

# (c) a guest through firewalld's filtering.
write_udhcpc_script "$TMP/udhcpc.sh"
in_ns "$H" ip link add vnet1 type veth peer name eth0 netns "$G"
in_ns "$H" ip link set vnet1 master vnfw0 up
in_ns "$G" ip link set eth0 address 52:54:00:79:00:01 up
lease() {
  in_ns "$G" ip addr flush dev eth0
  in_ns "$G" busybox udhcpc -i eth0 -n -q -f -t 5 -T 1 -s "$TMP/udhcpc.sh" >/dev/null 2>&1 &&
    in_ns "$G" ip -4 addr show eth0 | grep -q "inet 10.79.0.11/"
}
# busybox nslookup fails on the AAAA query dnsmasq refuses: the answer counts.
dns() { grep -q "Address: 10.79.0.50" <<<"$(in_ns "$G" busybox nslookup fwhost 10.79.0.1 2>&1)"; }
wan() { in_ns "$G" ping -c 1 -W 1 203.0.113.2 >/dev/null 2>&1; }
guest_works() {  # WHEN
  lease && ok "$1: guest gets its DHCP lease" || fail "$1: guest gets its DHCP lease"
  dns && ok "$1: DNS answers the guest" || fail "$1: DNS answers the guest"
  wan && ok "$1: guest reaches wan through NAT" || fail "$1: guest reaches wan through NAT"
}
guest_works "zone libvirt"
# The filtering is real: in zone 'block' DNS gets no answer.
fwcmd --zone=block --change-interface=vnfw0 >/dev/null
dns && fail "zone block: DNS still answers (firewalld does not filter?)" ||
  ok "zone block: firewalld's input filtering drops DNS"

# (d) firewalld reloads.
RULES=$(in_ns "$H" nft list table inet virtnat)
fwcmd --reload >/dev/null
wait_until 10 in_zone vnfw0 libvirt && ok "reload: bridge back in zone libvirt" ||
  fail "reload: bridge in '$(zone_of vnfw0)'"
in_zone vnfwz0 trusted && ok "reload: zone='trusted' kept" || fail "reload: vnfwz0 in '$(zone_of vnfwz0)'"
wait_until 5 grep -q "firewalld reloaded" "$TMP/daemon.log" && ok "reload: logged" ||
  fail "reload: no log line"
[[ $(in_ns "$H" nft list table inet virtnat) == "$RULES" ]] && ok "reload: virtnat's rules whole" ||
  fail "reload: virtnat's rules changed"
guest_works "after firewall-cmd --reload"

# A restarted virtnatd re-adopts its networks and sets their zones again
# (here after an administrator moved one meanwhile).
kill "$DAEMON_PID"; wait "$DAEMON_PID" || true
fwcmd --zone=block --change-interface=vnfwz0 >/dev/null
start_virtnatd
wait_until 10 in_zone vnfwz0 trusted && ok "restart: zone='trusted' set again" ||
  fail "restart: vnfwz0 in '$(zone_of vnfwz0)'"

# (f) net-destroy.
V net-destroy fw >/dev/null
[[ $(zone_of vnfw0) == "no zone" ]] && ok "net-destroy: bridge left its zone" ||
  fail "net-destroy: vnfw0 still in '$(zone_of vnfw0)'"
fwcmd --zone=libvirt --list-interfaces | grep -qw vnfw0 && fail "net-destroy: zone libvirt lists vnfw0" ||
  ok "net-destroy: zone libvirt no longer lists vnfw0"
V net-destroy fwz >/dev/null
[[ $(zone_of vnfwz0) == "no zone" ]] && ok "net-destroy: zone='trusted' bridge left it" ||
  fail "net-destroy: vnfwz0 still in '$(zone_of vnfwz0)'"

if [[ $FAILURES != 0 ]]; then
  echo "--- daemon log"; cat "$TMP/daemon.log"; echo "--- firewalld log"; cat "$TMP/firewalld/log"
fi
kill -0 "$DAEMON_PID" 2>/dev/null || { echo "FAIL: virtnatd died"; exit 1; }
[[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
