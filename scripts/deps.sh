# Sourced by scripts/test and scripts/demo: installs the Debian packages the
# build, the tests and the demo need, if any is missing.
VIRTNAT_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libgtest-dev googletest
  libvirt-dev libxml2-dev libxml2-utils libnl-3-dev libnl-route-3-dev libnftnl-dev libmnl-dev
  libglib2.0-dev libsystemd-dev
  scdoc man-db debhelper lintian
  dnsmasq-base nftables iproute2 busybox procps psmisc systemd
  libvirt-clients python3-libvirt libnss-libvirt
  libvirt-daemon-system iptables iperf3 iputils-ping python3-matplotlib
  # firewalld on a private D-Bus (tests/compat/firewalld_test.sh)
  firewalld dbus-daemon
  # polkit as libvirtd's access driver (tests/plugin/libvirtd_module_test.sh;
  # libvirt's actions come with libvirt-daemon-system)
  polkitd
  virt-manager xvfb xdotool
  # the Debian 13 root of bench/trixie-root (Debian 13's virsh and
  # python3-libvirt for tests/compat/newer_client_test.sh, libvirtd 11.3)
  mmdebstrap
  # the test guest (tests/support/guest/): QEMU with software emulation and
  # libvirt's embedded driver (virt-qemu-run); its kernel and busybox-static
  # are downloaded with apt-get download, not installed
  qemu-system-x86 libvirt-daemon-driver-qemu ipxe-qemu
  # the fleet test (tests/compat/fleet_test.sh): sshd per host namespace,
  # libvirt's ssh transport, Ansible's community.libvirt.virt_net (needs lxml)
  openssh-server openssh-client ansible python3-lxml
)

virtnat_install_deps() {
  local missing=()
  for p in "${VIRTNAT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo="" log
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    # apt's output only when it fails.
    log=$(mktemp /tmp/virtnat-apt.XXXXXX)
    if ! { $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y \
        --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
      cat "$log"; rm -f "$log"; echo "installing packages failed"; return 1
    fi
    rm -f "$log"
  fi
  # The libvirtd module (plugin/) builds against the installed libvirt's
  # source (Debian 12: 9.0.0), fetched once into plugin/libvirt-9.0.0.
  local top
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ ! -d "$top/plugin/libvirt-9.0.0" ] &&
    dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null | grep -q '^9\.0\.0-'; then
    "$top/plugin/fetch-libvirt-source"
  fi
}
