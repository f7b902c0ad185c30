#!/usr/bin/env bash
# import_libvirt: `virtnatd import-libvirt [--dry-run] DIR` defines the
# networks of libvirt's config dir (files from libvirt's own test corpus)
# with their autostart marks, once: a dry run reports the same verdicts
# without defining; a name already defined is left alone; broken or
# conflicting files are reported by name; an undefined network stays
# undefined at the next start (the old import_libvirt setting is refused).
. "$(dirname "$0")/lib.sh"

CORPUS=$(cd "$(dirname "$0")/../data/libvirt-testdata/networkxml2xmlin" && pwd)
LV=$TMP/libvirt-networks
mkdir -p "$LV/autostart"
# libvirt names each file after its network. The corpus files share one
# UUID; give all but 'private' their own, so 'private' is the conflict.
sed 's/81ff0d90-c91e-6742-64da-4a736edb9a9b/81ff0d90-c91e-6742-64da-4a736edb9a01/' \
  "$CORPUS/nat-network.xml" >"$LV/default.xml"
sed 's/81ff0d90-c91e-6742-64da-4a736edb9a9b/81ff0d90-c91e-6742-64da-4a736edb9a02/' \
  "$CORPUS/routed-network.xml" >"$LV/local.xml"
sed 's/81ff0d90-c91e-6742-64da-4a736edb9a9b/81ff0d90-c91e-6742-64da-4a736edb9a03/' \
  "$CORPUS/isolated-network.xml" >"$LV/private.xml"
sed -e 's/81ff0d90-c91e-6742-64da-4a736edb9a9b/81ff0d90-c91e-6742-64da-4a736edb9a01/' \
  -e 's/virbr1/virbr7/' "$CORPUS/open-network.xml" >"$LV/open.xml"
sed 's/<name>local</<name>other</' "$CORPUS/routed-network.xml" >"$LV/mismatch.xml"
ln -s "$LV/default.xml" "$LV/autostart/default.xml"
ln -s "$LV/private.xml" "$LV/autostart/private.xml"
# local shares default's subnet: its autostart fails, by name, and stops nothing.
ln -s "$LV/local.xml" "$LV/autostart/local.xml"
cp "$DATA/a-demo.xml" "$LV/a-demo.xml"
# Forward modes without a bridge of virtnat's own: a host bridge and a
# macvtap pool, both autostarted (libvirt starts them without the devices).
sed 's/<name>host-bridge-net</<name>hostbr</' "$CORPUS/host-bridge-net.xml" >"$LV/hostbr.xml"
sed 's/<name>direct-net</<name>direct</' "$CORPUS/direct-net.xml" >"$LV/direct.xml"
ln -s "$LV/hostbr.xml" "$LV/autostart/hostbr.xml"
ln -s "$LV/direct.xml" "$LV/autostart/direct.xml"

# a-demo is already defined (with another bridge) before the import.
start_daemon
sed 's/virbra1/virbra9/' "$DATA/a-demo.xml" >"$TMP/a-demo-own.xml"
check "define a-demo first" "" 0 virsh -q -c "$URI" net-define "$TMP/a-demo-own.xml"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
rm -f "$SOCK" "$SOCK_RO"

# The old setting no longer imports at every start: it names the command.
printf '# settings\nimport_libvirt = "%s"\n' "$LV" >"$TMP/etc/virtnatd.conf"
check "the old setting is refused" \
  "virtnatd: $TMP/etc/virtnatd.conf: line 2: 'import_libvirt' is no longer a setting: import once with 'virtnatd import-libvirt $LV'" \
  2 bash -c "'$VIRTNATD' --config-dir '$TMP/etc' --run-dir '$TMP/run' 2>&1 | head -1; exit \${PIPESTATUS[0]}"
rm "$TMP/etc/virtnatd.conf"

DIRS=(--config-dir "$TMP/etc" --state-dir "$TMP/lib" --lease-status-dir "$TMP/lib/nss" --run-dir "$TMP/run")
# The command opens the daemon's kernel interfaces (and changes nothing
# there): in a namespace of its own when we may make one.
NS=()
if [[ $(id -u) == 0 ]] && unshare --net true 2>/dev/null; then NS=(unshare --net); fi
REPORT="a-demo: skipped: virtnatd already defines it; left as it is
default: %s with autostart (forward nat, bridge virbr0, dnsmasq)
direct: %s with autostart (forward bridge, devices eth10)
hostbr: %s with autostart (forward bridge, bridge br0)
local: %s with autostart (forward route, bridge virbr1, dnsmasq)
open: cannot import $LV/open.xml: its uuid 81ff0d90-c91e-6742-64da-4a736edb9a01 is the one of network 'default'
private: %s with autostart (forward none, bridge virbr2, dnsmasq)
ignored: $LV/mismatch.xml: defines network 'other' but the file is named after 'mismatch'"
check "a dry run says what it would do" "$(printf "$REPORT" "will define" "will define" "will define" "will define" "will define")" 1 \
  "${NS[@]}" "$VIRTNATD" import-libvirt --dry-run "${DIRS[@]}" "$LV"
check "the dry run defined nothing" "a-demo.xml" 0 ls "$TMP/etc"
check "import-libvirt does what the dry run said" "$(printf "$REPORT" defined defined defined defined defined)" 1 \
  "${NS[@]}" "$VIRTNATD" import-libvirt "${DIRS[@]}" "$LV"

start_daemon
check "imported networks" \
  " a-demo    inactive   no    yes
 default   active     yes   yes
 direct    active     yes   yes
 hostbr    active     yes   yes
 local     inactive   yes   yes
 private   active     yes   yes" 0 virsh -q -c "$URI" net-list --all
check "an imported macvtap pool hands out its device" "  <plug type='direct' dev='eth10' mode='bridge'/>" 0 \
  bash -c "virsh -q -c '$URI' net-port-create direct '$DATA/port.xml' >/dev/null &&
    virsh -q -c '$URI' net-port-dumpxml direct a1a1a1a1-0000-4000-8000-000000000099 | grep '<plug'"
check "a network already defined is kept" "<bridge name='virbra9' stp='on' delay='0'/>" 0 \
  bash -c "virsh -q -c '$URI' net-dumpxml a-demo --inactive | grep -o \"<bridge.*/>\""
check "imported definition" "<bridge name='virbr1' zone='myzone' stp='on' delay='0'/>" 0 \
  bash -c "virsh -q -c '$URI' net-dumpxml local --inactive | grep -o \"<bridge.*/>\""
check "autostart failure named" "1" 0 grep -c "cannot autostart network 'local'" "$TMP/daemon.log"
check "import-libvirt refuses while the daemon runs" "1" 0 \
  bash -c "${NS[*]} '$VIRTNATD' import-libvirt ${DIRS[*]} '$LV' 2>&1 | grep -c 'stop virtnatd first'"

# An undefined network stays undefined: nothing imports again at a start.
virsh -q -c "$URI" net-destroy private >/dev/null
virsh -q -c "$URI" net-undefine private >/dev/null
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
rm -f "$SOCK" "$SOCK_RO"
start_daemon
check "an undefined network does not come back at the next start" "" 0 \
  bash -c "virsh -q -c '$URI' net-list --all --name | grep -x private || true"
# The log's expected warnings are not failures.
: >"$TMP/daemon.log"
finish
