#!/usr/bin/env bash
# Builds (or finds in the cache) the test guest: Debian's kernel and a small
# initramfs made from Debian packages, without installing either:
#   apt-get download linux-image-<current>-amd64 busybox-static; dpkg-deb -x
# The initramfs holds the static busybox, /init (./init: modules, DHCP with
# udhcpc, results on the console, ping, an httpd for port forwards) and the
# virtio_net and e1000 modules with everything they depend on (virtio_pci,
# failover/net_failover, ...) in load order.
#
# Prints the directory holding `vmlinuz` and `initrd.img`. The cache
# (VIRTNAT_GUEST_CACHE, default /var/cache/virtnat-guest) is keyed by the
# package versions and a hash of the guest's scripts; a build goes to a
# temporary directory first, so a half build is never used, and concurrent
# callers wait for one build (flock).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${VIRTNAT_GUEST_CACHE:-/var/cache/virtnat-guest}
MODULES=(virtio_pci virtio_net e1000 af_packet)

candidate() { apt-cache policy "$1" | awk '/Candidate:/{print $2}'; }
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[[ -n $kpkg ]] || { echo "build-guest: no linux-image-amd64 in apt's lists (apt-get update?)" >&2; exit 1; }
kver=$(candidate "$kpkg")
bbver=$(candidate busybox-static)
[[ -n $kver && $kver != "(none)" && -n $bbver && $bbver != "(none)" ]] ||
  { echo "build-guest: $kpkg or busybox-static not available from apt" >&2; exit 1; }
scripts=$(cat "$HERE/init" "$HERE/udhcpc.sh" "$0" | sha256sum | cut -c1-12)
key="${kpkg}_${kver}+busybox_${bbver}+${scripts}"
key=${key//[:~]/_}
out=$CACHE/$key
if [[ -s $out/vmlinuz && -s $out/initrd.img ]]; then echo "$out"; exit 0; fi

mkdir -p "$CACHE"
# One build at a time; a test that waited finds the other's result.
exec 9>"$CACHE/.lock"
flock 9
if [[ -s $out/vmlinuz && -s $out/initrd.img ]]; then echo "$out"; exit 0; fi
work=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"  # apt downloads as _apt
(cd "$work" && apt-get download -q=2 "$kpkg=$kver" "busybox-static=$bbver") >&2
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
moddir=$(echo "$work"/kernel/lib/modules/*)
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,modules,www}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
done
cp "$HERE/init" "$root/init"
cp "$HERE/udhcpc.sh" "$root/udhcpc.sh"
mknod "$root/dev/console" c 5 1

# The modules and their dependencies, each after what it needs. The package
# leaves modules.dep to its install hooks (depmod), so the dependencies come
# from each module's own "depends=" in its .modinfo section.
declare -A mod_path=() loaded=()
while read -r path; do
  name=${path##*/}; name=${name%%.ko*}
  mod_path[${name//-/_}]=$path
done < <(find "$moddir/kernel" -name '*.ko*')
module_text() {
  case $1 in
    *.xz) xz -dc "$1" ;;
    *.zst) zstd -qdc "$1" ;;
    *) cat "$1" ;;
  esac
}
order=()
load() {
  local name=${1//-/_} path dep
  [[ -n ${loaded[$name]:-} ]] && return 0
  loaded[$name]=1
  path=${mod_path[$name]:-}
  if [[ -z $path ]]; then
    grep -Eq "/${1}\.ko" "$moddir/modules.builtin" ||
      { echo "build-guest: module $1 neither built in nor shipped" >&2; exit 1; }
    return 0
  fi
  for dep in $(module_text "$path" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
    load "$dep"
  done
  order+=("$path")
}
for m in "${MODULES[@]}"; do load "$m"; done
: >"$root/modules.order"
for path in "${order[@]}"; do
  file=${path##*/}; file=${file%%.ko*}.ko
  module_text "$path" >"$root/modules/$file"
  echo "$file" >>"$root/modules.order"
done
echo "build-guest: modules: $(tr '\n' ' ' <"$root/modules.order")" >&2

stage=$work/out
mkdir -p "$stage"
cp "$work"/kernel/boot/vmlinuz-* "$stage/vmlinuz"
(cd "$root" && find . | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$stage/initrd.img"
rm -rf "$out"
mv "$stage" "$out"
# Builds for other versions are out of date.
find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'linux-image-*' ! -name "$key" -exec rm -rf {} +
echo "$out"
