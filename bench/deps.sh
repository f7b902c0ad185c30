# Sourced by bench/run: the Debian packages the benchmark needs, installed if
# missing (apt-get update first, as a fresh machine's lists may be stale).
BENCH_PACKAGES=(
  libvirt-daemon libvirt-daemon-system libvirt-clients python3-libvirt
  dnsmasq-base iptables iproute2 iperf3 iputils-ping util-linux python3-matplotlib
)

bench_install_deps() {
  local missing=()
  for p in "${BENCH_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bench: installing ${missing[*]}" >&2
  apt-get update >&2
  # The plot falls back to gnuplot or to none: a failed install is not fatal.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    echo "bench: could not install all of ${missing[*]}; figures that need them say so" >&2
}
