#!/usr/bin/env bash
# Debian's unmodified virsh against virtnatd: the net-* commands print what
# they print against libvirt 9.0 (spec network-xml.md §1, §4; captures in
# /work/shared/protocol/transcripts).
. "$(dirname "$0")/lib.sh"
start_daemon
Q=(virsh -q -c "$URI")  # queries: no table header
V=(virsh -c "$URI")     # actions: -q would hide their success line

check "net-list empty" "" 0 "${Q[@]}" net-list --all
check "net-define" "Network a-demo defined from $DATA/a-demo.xml" 0 \
  "${V[@]}" net-define "$DATA/a-demo.xml"
check "net-list --all" " a-demo   inactive   no   yes" 0 "${Q[@]}" net-list --all
check "net-list (active only)" "" 0 "${Q[@]}" net-list
check "net-list --inactive --name" "a-demo" 0 "${Q[@]}" net-list --inactive --name
check "net-list --uuid" "addbccd4-ca08-4474-9b95-62a5c99a6a8a" 0 "${Q[@]}" net-list --all --uuid
check "net-dumpxml (inactive network, captured 03)" "$(cat "$DATA/a-demo.inactive.xml")" 0 \
  "${Q[@]}" net-dumpxml a-demo
check "net-uuid" "addbccd4-ca08-4474-9b95-62a5c99a6a8a" 0 "${Q[@]}" net-uuid a-demo
check "net-name" "a-demo" 0 "${Q[@]}" net-name addbccd4-ca08-4474-9b95-62a5c99a6a8a
check "net-start" "Network a-demo started" 0 "${V[@]}" net-start a-demo
check "net-dumpxml live (captured 06b)" "$(cat "$DATA/a-demo.live.xml")" 0 \
  "${Q[@]}" net-dumpxml a-demo
check "net-dumpxml --inactive" "$(cat "$DATA/a-demo.inactive.xml")" 0 \
  "${Q[@]}" net-dumpxml --inactive a-demo
check "net-info" "Name:           a-demo
UUID:           addbccd4-ca08-4474-9b95-62a5c99a6a8a
Active:         yes
Persistent:     yes
Autostart:      no
Bridge:         virbra1" 0 "${Q[@]}" net-info a-demo
check "net-autostart" "Network a-demo marked as autostarted" 0 "${V[@]}" net-autostart a-demo
check "net-list --autostart" "a-demo" 0 "${Q[@]}" net-list --autostart --name
check "net-list --no-autostart" "" 0 "${Q[@]}" net-list --no-autostart --name
check "net-autostart --disable" "Network a-demo unmarked as autostarted" 0 \
  "${V[@]}" net-autostart --disable a-demo
check "net-start when active" "error: Failed to start network a-demo
error: Requested operation is not valid: network is already active" 1 "${V[@]}" net-start a-demo

# Errors (network-xml.md §4.1, §4.5).
check "missing network" "error: failed to get network 'a-missing'
error: Network not found: no network with matching name 'a-missing'" 1 \
  "${V[@]}" net-start a-missing
check "missing network, net-info" "error: failed to get network 'a-missing'
error: Network not found: no network with matching name 'a-missing'" 1 \
  "${Q[@]}" net-info a-missing
sed 's/addbccd4-ca08-4474-9b95-62a5c99a6a8a/11111111-2222-3333-4444-555555555599/' \
  "$DATA/a-demo.xml" >"$TMP/same-name.xml"
check "name in use" "error: Failed to define network from $TMP/same-name.xml
error: operation failed: network 'a-demo' already exists with uuid addbccd4-ca08-4474-9b95-62a5c99a6a8a" 1 \
  "${V[@]}" net-define "$TMP/same-name.xml"
sed 's/<name>a-demo</<name>a-other</; s/virbra1/virbra9/' "$DATA/a-demo.xml" >"$TMP/same-uuid.xml"
check "uuid in use" "error: Failed to define network from $TMP/same-uuid.xml
error: operation failed: network 'a-demo' is already defined with uuid addbccd4-ca08-4474-9b95-62a5c99a6a8a" 1 \
  "${V[@]}" net-define "$TMP/same-uuid.xml"
printf "<network>\n  <name>bad</name>\n  <bridge name='x'>\n</network>\n" >"$TMP/bad.xml"
check "malformed XML" "error: Failed to define network from $TMP/bad.xml
error: (network_definition):4: Opening and ending tag mismatch: bridge line 3 and network
</network>
----------^" 1 "${V[@]}" net-define "$TMP/bad.xml"

# The read-only socket refuses writes (captured 15) and serves reads.
check "read-only destroy" "error: Failed to destroy network a-demo
error: operation forbidden: read only access prevents virNetworkDestroy" 1 \
  virsh -q -c "$URI_RO" net-destroy a-demo
check "read-only list" "a-demo" 0 virsh -q -c "$URI_RO" net-list --name

check "net-destroy" "Network a-demo destroyed" 0 "${V[@]}" net-destroy a-demo
check "net-destroy when inactive" "error: Failed to destroy network a-demo
error: Requested operation is not valid: network 'a-demo' is not active" 1 \
  "${V[@]}" net-destroy a-demo
check "net-undefine" "Network a-demo has been undefined" 0 "${V[@]}" net-undefine a-demo
check "net-list after undefine" "" 0 "${Q[@]}" net-list --all

# A transient network (captured 26).
sed 's/a-demo/a-tmp/; s/addbccd4/addbccd5/; s/virbra1/virbra2/' "$DATA/a-demo.xml" >"$TMP/a-tmp.xml"
check "net-create" "Network a-tmp created from $TMP/a-tmp.xml" 0 "${V[@]}" net-create "$TMP/a-tmp.xml"
check "net-list --transient" "a-tmp" 0 "${Q[@]}" net-list --transient --name
check "net-list --persistent" "" 0 "${Q[@]}" net-list --persistent --name
check "autostart transient" "error: failed to mark network a-tmp as autostarted
error: Requested operation is not valid: cannot set autostart for transient network" 1 \
  "${V[@]}" net-autostart a-tmp
check "undefine transient" "error: Failed to undefine network a-tmp
error: Requested operation is not valid: can't undefine transient network" 1 \
  "${V[@]}" net-undefine a-tmp
check "destroy transient" "Network a-tmp destroyed" 0 "${V[@]}" net-destroy a-tmp
check "transient is gone" "" 0 "${Q[@]}" net-list --all --name

finish
