#!/usr/bin/env bash
# Forward modes bridge (a host bridge), macvtap pools (bridge, private,
# vepa, passthrough), openvswitch and hostdev, side by side with Debian's
# libvirtd 9.0: the same virsh steps (net-start, live XML with connection
# counts, net-port-create / dumpxml / list / delete, pool exhaustion and
# passthrough exclusivity, libvirt's error lines) against each daemon, in a
# network namespace of its own holding the pool devices (veths eth1-eth3)
# and the host bridge br0. Transcripts are compared byte for byte; a
# transcript of libvirtd 9.0 is also kept (data/forward_modes.libvirt.txt),
# so virtnatd is checked against it where libvirtd cannot run.
# The openvswitch port's <virtualport>/<vlan> (a random interfaceid) is
# compared through its <plug> line only.
. "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || { echo "FAIL: needs root (network namespaces)"; exit 1; }

NS=vn-modes-$$
LV=$TMP/libvirtd
LV_PID=
NETS=$TMP/nets
mkdir -p "$NETS" "$LV/sock"

# The devices of a namespace: the macvtap pool and the host bridge.
devices() {
  local i
  for i in 1 2 3; do
    ip link add "eth$i" type veth peer name "peer$i"
    ip link set "eth$i" up
  done
  ip link add br0 type bridge
  ip link set br0 up
}
export -f devices

modes_cleanup() {
  if [[ -n $LV_PID ]]; then
    local ns
    ns=$(readlink "/proc/$LV_PID/ns/net" 2>/dev/null || true)
    kill "$LV_PID" 2>/dev/null || true
    wait "$LV_PID" 2>/dev/null || true
    if [[ -n $ns ]]; then
      for p in /proc/[0-9]*; do
        [[ $(readlink "$p/ns/net" 2>/dev/null) == "$ns" ]] && kill -9 "${p#/proc/}" 2>/dev/null
      done
    fi
  fi
  if [[ -n $DAEMON_PID ]]; then kill "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi
  DAEMON_PID=
  ip netns del "$NS" 2>/dev/null || true
  cleanup
}
trap modes_cleanup EXIT

# net NAME N FORWARD-AND-MORE: a definition with a fixed uuid.
net() {
  printf "<network>\n  <name>%s</name>\n  <uuid>c0c0c0c0-0000-4000-8000-0000000000%02d</uuid>\n  %s\n</network>\n" \
    "$1" "$2" "$3" >"$NETS/$1.xml"
}
net m-hostbr 1 "<forward mode='bridge'/><bridge name='br0'/>"
net m-nobr 2 "<forward mode='bridge'/><bridge name='brmissing'/>"
net m-mvbr 3 "<forward mode='bridge'><interface dev='eth1'/><interface dev='eth2'/></forward>"
net m-private 4 "<forward mode='private' dev='eth1'/>"
net m-vepa 5 "<forward mode='vepa'><interface dev='eth1'/><interface dev='eth2'/><interface dev='eth3'/></forward>"
net m-pt 6 "<forward mode='passthrough'><interface dev='eth1'/><interface dev='eth2'/></forward>"
net m-ovs 7 "<forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/><portgroup name='vlan10'><vlan><tag id='10'/></vlan></portgroup><portgroup name='other' default='yes'/>"
net m-hostdev 8 "<forward mode='hostdev' managed='yes'><driver name='vfio'/><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x0'/><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x1'/></forward>"
net m-pf 9 "<forward mode='hostdev' managed='yes'><pf dev='eth3'/></forward>"
net m-pfmv 10 "<forward mode='passthrough'><pf dev='eth3'/></forward>"
net m-badvp 11 "<forward mode='vepa' dev='eth1'/><virtualport type='openvswitch'/>"

# port N [GROUP]: a port document with a fixed uuid, owner and MAC.
port() {
  local id
  id=$(printf %02d "$1")
  {
    echo "<networkport>"
    echo "  <uuid>b0b0b0b0-0000-4000-8000-0000000000$id</uuid>"
    echo "  <owner><name>vm$id</name><uuid>11111111-2222-3333-4444-5555555555$id</uuid></owner>"
    [[ -n ${2:-} ]] && echo "  <group>$2</group>"
    echo "  <mac address='52:54:00:b0:00:$id'/>"
    echo "</networkport>"
  } >"$NETS/port$1.xml"
  echo "$NETS/port$1.xml"
}
puuid() { printf 'b0b0b0b0-0000-4000-8000-0000000000%02d' "$1"; }

# run URI: the steps, as a transcript on stdout.
run() {
  local uri=$1
  v() { echo "\$ virsh ${*//$NETS\//}"; virsh -q -c "$uri" "$@" 2>&1 | sed "s#$NETS/##"; echo "rc=${PIPESTATUS[0]}"; }
  local n p
  for n in m-hostbr m-nobr m-mvbr m-private m-vepa m-pt m-ovs m-hostdev m-pf m-pfmv m-badvp; do
    v net-define "$NETS/$n.xml"
    v net-start "$n"
  done
  v net-list --all
  # A host bridge: every port plugs into br0.
  for p in 1 2; do v net-port-create m-hostbr "$(port $p)"; done
  v net-port-dumpxml m-hostbr "$(puuid 1)"
  v net-dumpxml m-hostbr
  v net-port-create m-nobr "$(port 3)"
  v net-port-dumpxml m-nobr "$(puuid 3)"
  # A macvtap pool of two: three ports spread, counts per device.
  for p in 4 5 6; do v net-port-create m-mvbr "$(port $p)"; done
  for p in 4 5 6; do v net-port-dumpxml m-mvbr "$(puuid $p)"; done
  v net-port-list m-mvbr
  v net-dumpxml m-mvbr
  v net-port-delete m-mvbr "$(puuid 5)"
  v net-dumpxml m-mvbr
  v net-port-create m-mvbr "$(port 7)"
  v net-port-dumpxml m-mvbr "$(puuid 7)"
  v net-dumpxml m-mvbr
  # private with <forward dev> only.
  for p in 8 9; do v net-port-create m-private "$(port $p)"; done
  v net-port-dumpxml m-private "$(puuid 9)"
  v net-dumpxml m-private
  for p in 10 11 12 13; do v net-port-create m-vepa "$(port $p)"; done
  v net-port-dumpxml m-vepa "$(puuid 13)"
  v net-dumpxml m-vepa
  # passthrough: one port per device, then libvirt's error.
  for p in 14 15 16; do v net-port-create m-pt "$(port $p)"; done
  v net-port-list m-pt
  v net-dumpxml m-pt
  v net-port-delete m-pt "$(puuid 14)"
  v net-port-create m-pt "$(port 16)"
  v net-port-dumpxml m-pt "$(puuid 16)"
  v net-dumpxml m-pt
  # openvswitch: a bridge plug (the <virtualport> itself has a random id).
  v net-port-create m-ovs "$(port 17 vlan10)"
  echo "\$ virsh net-port-dumpxml m-ovs $(puuid 17) | grep plug"
  virsh -q -c "$uri" net-port-dumpxml m-ovs "$(puuid 17)" 2>&1 | grep '<plug'
  v net-dumpxml m-ovs
  # A macvtap network refuses a port with an openvswitch <virtualport>.
  v net-port-create m-badvp "$(port 21)"
  v net-dumpxml m-badvp
  # hostdev: the PCI list, exclusive.
  for p in 18 19 20; do v net-port-create m-hostdev "$(port $p)"; done
  v net-port-dumpxml m-hostdev "$(puuid 19)"
  v net-dumpxml m-hostdev
  v net-port-delete m-hostdev "$(puuid 18)"
  v net-port-create m-hostdev "$(port 20)"
  v net-port-dumpxml m-hostdev "$(puuid 20)"
  v net-list --all
  for n in m-hostbr m-nobr m-mvbr m-private m-vepa m-pt m-ovs m-hostdev; do v net-destroy "$n"; done
  # Nothing of a NAT network was made: no bridge but br0, the pool as it was.
  echo "links: $(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"
}

export NETS
export -f port puuid

# libvirtd 9.0, in network and mount namespaces of its own.
if command -v libvirtd >/dev/null; then
  cat >"$LV/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$LV/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$LV/libvirtd.log"
CONF
  cat >"$LV/enter.sh" <<SH
set -e
for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
  mount -t tmpfs -o mode=0755 vnmodes \$d
done
devices
exec libvirtd --config "$LV/libvirtd.conf" --pid-file /run/libvirtd.pid
SH
  unshare --net --mount --propagation private bash "$LV/enter.sh" >"$LV/out.log" 2>&1 &
  LV_PID=$!
  LV_URI="network+unix:///system?socket=$LV/sock/libvirt-sock"
  for _ in $(seq 300); do
    virsh -q -c "$LV_URI" net-list --all >/dev/null 2>&1 && break
    sleep 0.1
  done
  nsenter --net="/proc/$LV_PID/ns/net" bash -c "$(declare -f run); run '$LV_URI'" >"$TMP/libvirtd.txt" 2>&1
  if [[ -n ${CAPTURE:-} ]]; then cp "$TMP/libvirtd.txt" "$DATA/forward_modes.libvirt.txt"; fi
  check "the kept transcript is libvirtd 9.0's" "$(cat "$DATA/forward_modes.libvirt.txt")" 0 \
    cat "$TMP/libvirtd.txt"
else
  echo "note: no libvirtd here; virtnatd is compared with the kept transcript of libvirtd 9.0"
fi

ip netns add "$NS"
ip netns exec "$NS" bash -c devices
start_daemon_in_ns "$NS"
ip netns exec "$NS" bash -c "$(declare -f run); run '$URI'" >"$TMP/virtnatd.txt" 2>&1
check "virtnatd's transcript is libvirtd 9.0's" "$(cat "$DATA/forward_modes.libvirt.txt")" 0 \
  cat "$TMP/virtnatd.txt"

# hostdev pools on a fake sysfs (this machine has no SR-IOV device): PF
# sriov0 with VFs 0000:03:10.0 (netdev sriov0v0), 0000:03:10.2 (none),
# 0000:03:10.4 (sriov0v2); 0000:03:11.0 is a PCI device but no VF. virtnatd
# restarts with VIRTNAT_TEST_SYSFS_ROOT (a test-only variable) pointing at
# it, and takes over m-badvp, still running, on the way.
SYS=$TMP/sysfs
vf() {
  mkdir -p "$SYS/bus/pci/devices/$2" "$SYS/bus/pci/devices/0000:03:00.0" "$SYS/class/net/sriov0/device"
  ln -s ../../../../bus/pci/devices/0000:03:00.0 "$SYS/bus/pci/devices/$2/physfn"
  [[ -z $3 ]] || mkdir -p "$SYS/bus/pci/devices/$2/net/$3"
  ln -s "../../../../bus/pci/devices/$2" "$SYS/class/net/sriov0/device/virtfn$1"
}
vf 0 0000:03:10.0 sriov0v0
vf 1 0000:03:10.2 ""
vf 2 0000:03:10.4 sriov0v2
mkdir -p "$SYS/bus/pci/devices/0000:03:11.0"
kill "$DAEMON_PID"; wait "$DAEMON_PID" || true
VIRTNAT_TEST_SYSFS_ROOT=$SYS start_daemon_in_ns "$NS"
Q=(virsh -q -c "$URI")
check "m-badvp taken over after the restart" "m-badvp" 0 "${Q[@]}" net-list --name
hd() { net "$1" "$2" "<forward mode='hostdev' managed='yes'><driver name='vfio'/>$3</forward>"; }
pci() { echo "<address type='pci' domain='0x0000' bus='0x03' slot='0x$1' function='0x$2'/>"; }
hd s-notvf 20 "$(pci 11 0)"
check "a PCI address that is no VF" "error: Failed to define network from $NETS/s-notvf.xml
error: unsupported configuration: device '$SYS/bus/pci/devices/0000:03:11.0' in network 's-notvf' is not an SR-IOV Virtual Function" 1 \
  "${Q[@]}" net-define "$NETS/s-notvf.xml"
hd s-list 21 "$(pci 10 0)$(pci 10 4)"
"${Q[@]}" net-define "$NETS/s-list.xml" >/dev/null
"${Q[@]}" net-start s-list >/dev/null
for p in 30 31; do "${Q[@]}" net-port-create s-list "$(port $p)" >/dev/null; done
check "hostdev list: third port" "error: Failed to create network from $NETS/port32.xml
error: internal error: network 's-list' requires exclusive access to interfaces, but none are available" 1 \
  "${Q[@]}" net-port-create s-list "$(port 32)"
check "hostdev list: plug" "<networkport>
  <uuid>$(puuid 31)</uuid>
  <owner>
    <name>vm31</name>
    <uuid>11111111-2222-3333-4444-555555555531</uuid>
  </owner>
  <mac address='52:54:00:b0:00:31'/>
  <plug type='hostdev-pci' managed='yes'>
    <driver name='vfio'/>
    <address domain='0x0000' bus='0x03' slot='0x10' function='0x4'/>
  </plug>
</networkport>" 0 "${Q[@]}" net-port-dumpxml s-list "$(puuid 31)"
check "hostdev list: connections" "<network connections='2'>" 0 \
  bash -c "${Q[*]} net-dumpxml s-list | head -1"
net s-pf 22 "<forward mode='hostdev' managed='yes'><pf dev='sriov0'/></forward>"
"${Q[@]}" net-define "$NETS/s-pf.xml" >/dev/null
"${Q[@]}" net-start s-pf >/dev/null
check "hostdev pf: the VFs are the live pool" "<network>
  <name>s-pf</name>
  <uuid>c0c0c0c0-0000-4000-8000-000000000022</uuid>
  <forward mode='hostdev' managed='yes'>
    <pf dev='sriov0'/>
    $(pci 10 0)
    $(pci 10 2)
    $(pci 10 4)
  </forward>
</network>" 0 "${Q[@]}" net-dumpxml s-pf
check "hostdev pf: the inactive form has no pool" "0" 0 \
  bash -c "${Q[*]} net-dumpxml --inactive s-pf | grep -c '<address' || true"
net s-pfmv 23 "<forward mode='passthrough'><pf dev='sriov0'/></forward>"
"${Q[@]}" net-define "$NETS/s-pfmv.xml" >/dev/null
"${Q[@]}" net-start s-pfmv >/dev/null
for p in 33 34; do "${Q[@]}" net-port-create s-pfmv "$(port $p)" >/dev/null; done
check "passthrough pf: the VFs with a netdev, one port each" "<network connections='2'>
  <name>s-pfmv</name>
  <uuid>c0c0c0c0-0000-4000-8000-000000000023</uuid>
  <forward mode='passthrough'>
    <pf dev='sriov0'/>
    <interface dev='sriov0v0' connections='1'/>
    <interface dev='sriov0v2' connections='1'/>
  </forward>
</network>" 0 "${Q[@]}" net-dumpxml s-pfmv
check "passthrough pf: exhausted" "error: Failed to create network from $NETS/port35.xml
error: internal error: network 's-pfmv' requires exclusive access to interfaces, but none are available" 1 \
  "${Q[@]}" net-port-create s-pfmv "$(port 35)"
finish
