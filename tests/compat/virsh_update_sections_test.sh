#!/usr/bin/env bash
# virsh net-update on every section libvirt 9.0 supports, against virtnatd:
# add-first / add-last / modify / delete with --config on an inactive network
# and --live on a running one; each change shows in net-dumpxml (and only in
# the side it was made on), and the unsupported ones fail with libvirt's line.
. "$(dirname "$0")/lib.sh"
start_daemon
V=(virsh -c "$URI")
Q=(virsh -q -c "$URI")

cat >"$TMP/u.xml" <<'XML'
<network>
  <name>u</name>
  <forward mode='nat' dev='eth0'/>
  <bridge name='vnup0'/>
  <ip address='10.88.0.1' prefix='24'>
    <dhcp>
      <range start='10.88.0.100' end='10.88.0.150'/>
    </dhcp>
  </ip>
</network>
XML
"${Q[@]}" net-define "$TMP/u.xml" >/dev/null

# update SECTION COMMAND XML EXPECTED-IN-DUMPXML (--config, inactive network)
update() {
  local section=$1 command=$2 xml=$3 expect=$4
  check "net-update $command $section" "Updated network u persistent config" 0 \
    "${V[@]}" net-update u "$command" "$section" "$xml" --config
  local dump
  dump=$("${Q[@]}" net-dumpxml --inactive u)
  if [[ $command == delete ]]; then
    if grep -qF -- "$expect" <<<"$dump"; then echo "FAIL: $section still has $expect"; FAILURES=$((FAILURES + 1)); fi
  else
    if ! grep -qF -- "$expect" <<<"$dump"; then echo "FAIL: $section lacks $expect"; FAILURES=$((FAILURES + 1)); fi
  fi
}

update ip-dhcp-host add-last "<host mac='52:54:00:88:00:01' name='a' ip='10.88.0.11'/>" \
  "<host mac='52:54:00:88:00:01' name='a' ip='10.88.0.11'/>"
update ip-dhcp-host modify "<host mac='52:54:00:88:00:01' name='b' ip='10.88.0.12'/>" \
  "<host mac='52:54:00:88:00:01' name='b' ip='10.88.0.12'/>"
update ip-dhcp-host delete "<host mac='52:54:00:88:00:01'/>" "52:54:00:88:00:01"
update ip-dhcp-range add-first "<range start='10.88.0.200' end='10.88.0.210'/>" \
  "<range start='10.88.0.200' end='10.88.0.210'/>"
update ip-dhcp-range delete "<range start='10.88.0.200' end='10.88.0.210'/>" "10.88.0.200"
update forward-interface delete "<interface dev='eth0'/>" "<interface dev='eth0'/>"
update forward-interface add-last "<interface dev='eth1'/>" "<interface dev='eth1'/>"
update portgroup add-last "<portgroup name='pg'/>" "<portgroup name='pg'>"
update portgroup modify "<portgroup name='pg' trustGuestRxFilters='yes'/>" \
  "<portgroup name='pg' trustGuestRxFilters='yes'>"
update portgroup delete "<portgroup name='pg'/>" "<portgroup name='pg'"
update dns-host add-last "<host ip='10.88.0.5'><hostname>web</hostname></host>" "<hostname>web</hostname>"
update dns-host delete "<host ip='10.88.0.5'/>" "<hostname>web</hostname>"
update dns-txt add-first "<txt name='t' value='hello'/>" "<txt name='t' value='hello'/>"
update dns-txt delete "<txt name='t'/>" "<txt name='t'"
update dns-srv add-last "<srv service='web' protocol='tcp' target='h' port='80'/>" \
  "<srv service='web' protocol='tcp' target='h' port='80'/>"
update dns-srv delete "<srv service='web' protocol='tcp'/>" "<srv service='web'"

check "unsupported section" "error: Failed to update network u
error: Operation not supported: can't update 'bridge' section of network 'u'" 1 \
  "${V[@]}" net-update u modify bridge "<bridge name='x'/>" --config
check "dhcp range modify" "error: Failed to update network u
error: Operation not supported: dhcp ranges cannot be modified, only added or deleted" 1 \
  "${V[@]}" net-update u modify ip-dhcp-range "<range start='10.88.0.100' end='10.88.0.150'/>" --config

# --live on the running network changes the live XML only.
"${Q[@]}" net-start u >/dev/null
check "net-update --live" "Updated network u live state" 0 \
  "${V[@]}" net-update u add-last dns-host "<host ip='10.88.0.6'><hostname>live</hostname></host>" --live
if "${Q[@]}" net-dumpxml u | grep -q '<hostname>live</hostname>' &&
   ! "${Q[@]}" net-dumpxml --inactive u | grep -q '<hostname>live</hostname>'; then
  echo "ok: --live shows in the live XML only"
else
  echo "FAIL: --live"; FAILURES=$((FAILURES + 1))
fi
"${Q[@]}" net-destroy u >/dev/null
finish
