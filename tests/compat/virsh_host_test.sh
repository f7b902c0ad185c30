#!/usr/bin/env bash
# Debian's unmodified virsh and python3-libvirt against virtnatd: the calls a
# management client makes on open answer with the host's facts (capabilities,
# nodeinfo, hostname), the domain lists are empty, and every other call
# libvirt knows is "not supported" naming its API, as libvirt's daemons say it.
. "$(dirname "$0")/lib.sh"
start_daemon
Q=(virsh -q -c "$URI")
V=(virsh -c "$URI")

arch=$(uname -m)
cpus=$(getconf _NPROCESSORS_ONLN)
mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)

# virsh list on libvirt's network daemon: "error: this function is not
# supported by the connection driver: virConnectListAllDomains".
check "list --all: an empty table" " Id   Name   State
--------------------" 0 "${V[@]}" list --all
check "list -q" "" 0 "${Q[@]}" list
check "hostname" "$(hostname)" 0 "${Q[@]}" hostname

# nodeinfo: the counts come from sysfs; what /proc says directly is checked.
out=$("${Q[@]}" nodeinfo 2>&1) || { echo "FAIL: nodeinfo: $out"; FAILURES=$((FAILURES + 1)); }
expect_line() {
  if grep -qxE "$2" <<<"$out"; then echo "ok: $1"; else
    echo "FAIL: $1: no line matching '$2' in:"; echo "$out"; FAILURES=$((FAILURES + 1))
  fi
}
expect_line "nodeinfo model" "CPU model: +$arch"
expect_line "nodeinfo cpus" "CPU\(s\): +$cpus"
expect_line "nodeinfo memory" "Memory size: +$mem_kib KiB"
expect_line "nodeinfo frequency" "CPU frequency: +[0-9]+ MHz"
for field in "CPU socket\(s\)" "Core\(s\) per socket" "Thread\(s\) per core" "NUMA cell\(s\)"; do
  expect_line "nodeinfo $field" "$field: +[1-9][0-9]*"
done

# capabilities: well-formed, a host section with the host's arch, UUID and
# CPUs, no guests.
"${Q[@]}" capabilities >"$TMP/caps.xml" 2>&1 || true
check "capabilities" "ok" 0 /usr/bin/python3 - "$TMP/caps.xml" "$arch" "$cpus" <<'PY'
import os, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
host = root.find("host")
problems = []
if root.tag != "capabilities" or host is None:
    problems.append("no <capabilities><host>")
else:
    if host.findtext("cpu/arch") != sys.argv[2]:
        problems.append("arch %r" % host.findtext("cpu/arch"))
    cpus = host.findall("topology/cells/cell/cpus/cpu")
    if len(cpus) != int(sys.argv[3]):
        problems.append("%d cpus in topology" % len(cpus))
    uuid = host.findtext("uuid") or ""
    if len(uuid) != 36:
        problems.append("uuid %r" % uuid)
if root.findall("guest"):
    problems.append("guests listed")
print("; ".join(problems) or "ok")
PY

# A call libvirt's network daemon does not serve either.
check "domcapabilities: not supported, naming the API" "error: failed to get emulator capabilities
error: this function is not supported by the connection driver: virConnectGetDomainCapabilities" 1 \
  "${Q[@]}" domcapabilities
# (virsh's message ends in a space.)
check "pool-list: not supported" "error: Failed to get the number of active pools 
error: this function is not supported by the connection driver: virConnectNumOfStoragePools" 1 \
  "${Q[@]}" pool-list

# What virt-manager asks through python3-libvirt when it opens a connection.
check "python: what virt-manager asks on open" "arch=$arch cpus=$cpus domains=[] mem_mib=$((mem_kib / 1024))
storage pools: not supported" 0 /usr/bin/python3 - "$URI" <<'PY'
import sys, xml.etree.ElementTree as ET
import libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
conn = libvirt.openReadOnly(sys.argv[1])
arch = ET.fromstring(conn.getCapabilities()).findtext("host/cpu/arch")
info = conn.getInfo()
print("arch=%s cpus=%d domains=%s mem_mib=%d" % (arch, info[2], conn.listAllDomains(), info[1]))
try:
    conn.listAllStoragePools()
except libvirt.libvirtError as e:
    print("storage pools: not supported" if e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT else e)
PY
finish
