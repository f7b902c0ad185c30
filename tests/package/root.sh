# Shared by the package tests: what a .deb holds and lintian's verdict, and
# a throw-away root, an overlayfs whose lower
# layer is the host's / and whose upper layer is a tmpfs, with the host's
# /proc, /sys, /dev and private tmpfs over /run, /tmp and any further
# directories given. Call it inside a private mount namespace.
#
#   make_root SCRATCH [DIR...]   (DIRs relative to /); prints the root's path
make_root() {
  local scratch=$1 d root
  shift
  mount -t tmpfs tmpfs "$scratch"
  mkdir "$scratch"/{upper,work,root}
  mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" \
    "$scratch/root"
  root=$scratch/root
  for d in proc sys dev; do mount --rbind "/$d" "$root/$d"; done
  for d in run tmp "$@"; do mount -t tmpfs tmpfs "$root/$d"; done
  chmod 1777 "$root/tmp"
  echo "$root"
}

# enter_root ROOT SCRIPT: runs the part of SCRIPT after its line
# "# --- in the root" under chroot ROOT, with a clean environment.
enter_root() {
  exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    /bin/bash -c "$(sed -n '/^# --- in the root/,$p' "$2")"
}

# inspect_deb DEB TMPDIR: lists DEB's files; lintian (when installed) must
# report no error.
inspect_deb() {
  echo "ok: built $(basename "$1")"
  echo "--- contents"
  dpkg-deb -c "$1" | awk '{print $6}' | grep -v '/$'
  if command -v lintian >/dev/null; then
    lintian --no-tag-display-limit "$1" >"$2/lintian" 2>&1 || true
    if grep -q '^E:' "$2/lintian"; then cat "$2/lintian"; echo "FAIL: lintian errors"; exit 1; fi
    echo "ok: lintian reports no error ($(grep -c '^W:' "$2/lintian" || true) warnings)"
  fi
}
