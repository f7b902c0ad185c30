#!/usr/bin/env bash
# Debian's unmodified virt-manager, under Xvfb, pointed straight at virtnatd
# (custom URI network+unix:///system?socket=...): the connection opens
# without an error dialog, virt-manager lists the daemon's networks, and a
# network made with its "Create a new virtual network" wizard runs.
# libvirt's own network daemon fails here ("this function is not supported
# by the connection driver: virConnectGetCapabilities").
# Evidence comes from virt-manager's --debug log, which names every object it
# tracks and every error dialog it shows. VIRTNAT_SCREENSHOT=FILE also saves
# a screenshot of its Virtual Networks tab.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gui.sh"
start_daemon
V=(virsh -q -c "$URI")
cat >"$TMP/vm-nat.xml" <<'EOF'
<network><name>vm-nat</name><forward mode='nat'/><bridge name='virbrvm0'/>
  <ip address='192.168.233.1' netmask='255.255.255.0'/></network>
EOF
cat >"$TMP/vm-isolated.xml" <<'EOF'
<network><name>vm-isolated</name><bridge name='virbrvm1'/>
  <ip address='192.168.234.1' netmask='255.255.255.0'/></network>
EOF
"${V[@]}" net-define "$TMP/vm-nat.xml" >/dev/null
"${V[@]}" net-define "$TMP/vm-isolated.xml" >/dev/null
"${V[@]}" net-start vm-nat >/dev/null

trap 'stop_gui; cleanup' EXIT
start_gui
virt-manager --debug --connect "$URI" --show-host-summary >"$TMP/virt-manager.log" 2>&1 &
VM_PID=$!

# Opened when both networks are tracked, or failed when a dialog shows.
for _ in $(seq 600); do
  if grep -q "error dialog message" "$TMP/virt-manager.log"; then break; fi
  if grep -q "=vm-nat status=Active added" "$TMP/virt-manager.log" &&
    grep -q "=vm-isolated status=Inactive added" "$TMP/virt-manager.log"; then break; fi
  sleep 0.1
done
sleep 1  # what it does right after opening (the host window) is logged too

log_has() {
  if grep -qE "$2" "$TMP/virt-manager.log"; then echo "ok: $1"; else
    echo "FAIL: $1: no line matching '$2'"; FAILURES=$((FAILURES + 1))
  fi
}
if grep -q "error dialog message" "$TMP/virt-manager.log"; then
  echo "FAIL: virt-manager showed an error dialog:"
  grep -A8 "error dialog message" "$TMP/virt-manager.log"
  FAILURES=$((FAILURES + 1))
else
  echo "ok: no error dialog"
fi
log_has "connection opened" "changed to state=Active"
log_has "running network listed" "=vm-nat status=Active added"
log_has "inactive network listed" "=vm-isolated status=Inactive added"

# The wizard: on the host window's Virtual Networks tab (Ctrl+PageDown from
# Overview), "+" (bottom left; the window is 800x600 at the origin, there is
# no window manager) opens "Create a new virtual network", whose defaults (a
# NAT network "network" on a free 192.168.x.0/24) Alt+F finishes.
wid=$(xdotool search --sync --name "Connection Details" | head -1)
xdotool windowfocus --sync "$wid" key --clearmodifiers ctrl+Next
sleep 1
xdotool mousemove --window "$wid" 34 570 click 1
wizard=$(timeout 30 xdotool search --sync --name "Create a new virtual network" | head -1) || true
if [[ -n $wizard ]]; then
  sleep 1
  xdotool windowfocus --sync "$wizard" key --clearmodifiers alt+f
fi
for _ in $(seq 300); do
  grep -q "=network status=Active added" "$TMP/virt-manager.log" && break
  sleep 0.1
done
log_has "wizard-created network listed" "=network status=Active added"
check "wizard-created network runs in virtnatd" "network
vm-nat" 0 "${V[@]}" net-list --name
sleep 1

if [[ -n ${VIRTNAT_SCREENSHOT:-} ]]; then
  xdotool mousemove --window "$wid" 100 140 click 1  # vm-nat, third in the list
  sleep 1
  screenshot "$VIRTNAT_SCREENSHOT"
fi
if [[ $FAILURES != 0 || -n ${VIRTNAT_SHOW_LOG:-} ]]; then
  echo "--- virt-manager log"
  cat "$TMP/virt-manager.log"
fi
finish
