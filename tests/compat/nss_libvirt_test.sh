#!/usr/bin/env bash
# Guest names on the host through Debian's libnss-libvirt: virtnatd
# publishes each network's leases as BRIDGE.status (libvirt's lease-helper
# JSON) in its --lease-status-dir; libnss-libvirt reads them from
# /var/lib/libvirt/dnsmasq. A private mount namespace puts the daemon's
# directory there and an nsswitch.conf with `hosts: files libvirt` on
# /etc/nsswitch.conf; nothing of the host's files changes.
#   - a guest namespace takes a DHCP lease with a hostname from virtnatd's
#     dnsmasq: `getent hosts GUESTNAME` returns the leased address;
#   - the guest releases its lease: the name no longer resolves;
#   - it leases again, then the network stops: the status file is gone and
#     the name no longer resolves.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || { echo "FAIL: needs root (namespaces, mounts)"; exit 1; }
NSS_LIB=$(ls /usr/lib/*/libnss_libvirt.so.2 /lib/*/libnss_libvirt.so.2 2>/dev/null | head -1)
[[ -n $NSS_LIB ]] || { echo "FAIL: libnss-libvirt is not installed (scripts/deps.sh)"; exit 1; }

G=vn-nss-g-$$
nss_cleanup() {
  for pid in $(ip netns pids "$G" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  ip netns del "$G" 2>/dev/null
  cleanup
}
trap nss_cleanup EXIT
chmod 0755 "$TMP"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }

start_daemon
D() { nsenter -t "$DAEMON_PID" -n "$@"; }
STATUS_DIR=$TMP/lib/nss
STATUS=$STATUS_DIR/vnnss0.status

printf 'passwd: files\ngroup: files\nhosts: files libvirt\n' >"$TMP/nsswitch.conf"
mkdir -p "$TMP/varlib/libvirt/dnsmasq"
# resolves NAME: getent in a private mount namespace where libnss-libvirt
# reads the daemon's status directory.
resolve() {
  unshare -m --propagation private bash -c "
    mount --bind '$TMP/nsswitch.conf' /etc/nsswitch.conf &&
    mount --bind '$TMP/varlib' /var/lib &&
    mount --bind '$STATUS_DIR' /var/lib/libvirt/dnsmasq &&
    getent hosts '$1'"
}
# wait_for COMMAND...: up to 5 s.
wait_for() {
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

cat >"$TMP/nss.xml" <<'XML'
<network>
  <name>nss</name>
  <bridge name='vnnss0'/>
  <ip address='10.79.0.1' prefix='24'>
    <dhcp>
      <range start='10.79.0.100' end='10.79.0.199'/>
    </dhcp>
  </ip>
</network>
XML
virsh -q -c "$URI" net-create "$TMP/nss.xml" >/dev/null
[[ -f $STATUS && $(cat "$STATUS") == "[]" ]] &&
  ok "network started: $STATUS published, no leases yet" ||
  fail "network started: no empty status file ($(cat "$STATUS" 2>&1))"

cat >"$TMP/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "$ip" >"$(dirname "$0")/lease";;
esac
exit 0
SCRIPT
chmod +x "$TMP/udhcpc.sh"
ip netns add "$G"
ip netns exec "$G" ip link set lo up
D ip link add vnet-nss type veth peer name eth0 netns "$G"
D ip link set vnet-nss master vnnss0 up
ip netns exec "$G" ip link set eth0 address 52:54:00:79:00:01 up
# take_lease [ARGS]: a lease for hostname nssguest; -R: released again on exit.
take_lease() {
  rm -f "$TMP/lease"
  ip netns exec "$G" busybox udhcpc -i eth0 -n -q -f -t 10 -T 1 -x hostname:nssguest "$@" \
    -s "$TMP/udhcpc.sh" >/dev/null 2>&1 && [[ -s $TMP/lease ]]
}
resolves_to() { [[ $(resolve nssguest | awk '{print $1}') == "$1" ]]; }
gone() { ! resolve nssguest; }

take_lease || fail "the guest gets no lease"
IP=$(cat "$TMP/lease" 2>/dev/null || echo none)
if wait_for resolves_to "$IP"; then
  ok "getent hosts nssguest through libnss-libvirt: $IP"
else
  fail "getent hosts nssguest: '$(resolve nssguest 2>&1)', not $IP"; cat "$STATUS"
fi
/usr/bin/python3 - "$STATUS" "$IP" <<'PY' && ok "the status file holds libvirt's fields" || fail "status file fields"
import json, sys
leases = json.load(open(sys.argv[1]))
assert len(leases) == 1, leases
lease = leases[0]
assert list(lease) == ["ip-address", "mac-address", "hostname", "client-id", "expiry-time"], lease
assert lease["ip-address"] == sys.argv[2] and lease["mac-address"] == "52:54:00:79:00:01", lease
assert lease["hostname"] == "nssguest" and isinstance(lease["expiry-time"], int), lease
PY
[[ $(stat -c %a "$STATUS") == 644 ]] && ok "status file mode 0644" ||
  fail "status file mode $(stat -c %a "$STATUS")"

# The guest releases its lease: udhcpc -R sends a DHCPRELEASE when it is
# terminated.
rm -f "$TMP/lease"
ip netns exec "$G" busybox udhcpc -i eth0 -f -R -x hostname:nssguest -s "$TMP/udhcpc.sh" \
  >/dev/null 2>&1 &
CLIENT=$!
wait_for test -s "$TMP/lease" || fail "the guest gets no lease to release"
kill -TERM "$CLIENT"; wait "$CLIENT" 2>/dev/null || true
wait_for gone && ok "lease released: nssguest no longer resolves" ||
  fail "lease released: nssguest still resolves ($(cat "$STATUS"))"

take_lease && wait_for resolves_to "$(cat "$TMP/lease")" ||
  fail "leased again: nssguest does not resolve"
virsh -q -c "$URI" net-destroy nss >/dev/null
[[ ! -e $STATUS ]] && ok "network stopped: status file removed" || fail "network stopped: $STATUS left"
gone && ok "network stopped: nssguest no longer resolves" || fail "network stopped: still resolves"
! grep -q "publish" "$TMP/daemon.log" || fail "the daemon logged a publication error"

finish
