# The test guest for shell tests (sourced). Needs qemu-system-x86 (software
# emulation: TCG) and apt's lists for build-guest.sh.
#
#   guest_image                 sets GUEST_KERNEL and GUEST_INITRD (cached build)
#   guest_append PING HTTP      the kernel command line: console on ttyS0,
#                               ping PING after the lease, httpd on port HTTP
#   guest_qemu LOG ARGS...      QEMU with the guest, its serial console in LOG
#                               (run it in the background; ARGS add the NICs)
#   guest_wait LOG [SECONDS [PID]]  waits for the guest's "ready" line
#                               (default 120 s), fails on timeout or when
#                               process PID (QEMU, or what runs it) is gone
#   guest_line LOG WORD         the guest's last "VIRTNAT-GUEST WORD ..." line
#   guest_domain_xml NAME LOG PING HTTP INTERFACE-XML
#                               a libvirt <domain> (type qemu: TCG) booting the
#                               guest's kernel directly, console in LOG
GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

guest_image() {
  local dir
  dir=$("$GUEST_DIR/build-guest.sh") || return 1
  GUEST_KERNEL=$dir/vmlinuz
  GUEST_INITRD=$dir/initrd.img
}

guest_append() {
  echo "console=ttyS0 quiet panic=-1 virtnat.ping=$1 virtnat.http=$2"
}

guest_qemu() {
  local log=$1; shift
  exec qemu-system-x86_64 -machine q35,accel=tcg -m 256 -smp 1 -no-reboot \
    -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" \
    -nographic -serial "file:$log" -monitor none -nodefaults "$@" </dev/null
}

guest_wait() {
  local log=$1 seconds=${2:-120} pid=${3:-} i
  for ((i = 0; i < seconds * 5; i++)); do
    grep -q "VIRTNAT-GUEST ready" "$log" 2>/dev/null && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      echo "guest: process $pid exited before the guest was ready; console:" >&2
      tail -30 "$log" >&2 2>/dev/null
      return 1
    fi
    sleep 0.2
  done
  echo "guest not ready after ${seconds}s; console:" >&2
  tail -30 "$log" >&2 2>/dev/null
  return 1
}

guest_line() {
  grep -a "VIRTNAT-GUEST $2" "$1" | tail -1 | tr -d '\r'
}

guest_domain_xml() {
  cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$GUEST_KERNEL</kernel>
    <initrd>$GUEST_INITRD</initrd>
    <cmdline>$(guest_append "$3" "$4")</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $5
    <serial type='file'>
      <source path='$2'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}
