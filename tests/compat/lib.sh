# Shared by the compat tests: starts virtnatd ($1) on private sockets in a
# temporary directory and removes everything on exit.
set -euo pipefail

VIRTNATD=${1:?usage: $0 PATH-TO-VIRTNATD}
DATA=$(cd "$(dirname "$0")" && pwd)/data
TMP=$(mktemp -d /tmp/virtnat-compat.XXXXXX)
SOCK=$TMP/sock
SOCK_RO=$TMP/sock-ro
URI="network+unix:///system?socket=$SOCK"
URI_RO="network+unix:///system?socket=$SOCK_RO"
DAEMON_PID=

cleanup() {
  stop_libvirtd
  if [[ -n $DAEMON_PID ]]; then kill "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi
  # Networks outlive the daemon (as with libvirt): end their dnsmasq too.
  pkill -9 -f -- "--conf-file=$TMP/" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

start_daemon() {
  # A private network namespace when we may create one: nothing the daemon
  # does can reach the host's network. The sockets are files, so clients in
  # the host namespace still reach it.
  local prefix=()
  if [[ $(id -u) == 0 ]] && unshare --net true 2>/dev/null; then prefix=(unshare --net); fi
  "${prefix[@]}" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" --config-dir "$TMP/etc" \
    --state-dir "$TMP/lib" --lease-status-dir "$TMP/lib/nss" --run-dir "$TMP/run" --socket-mode "${SOCKET_MODE:-0600}" \
    --log-level "${LOG_LEVEL:-warning}" 2>"$TMP/daemon.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do [[ -S $SOCK_RO ]] && return 0; sleep 0.05; done
  echo "virtnatd did not start:"; cat "$TMP/daemon.log"; return 1
}

# Starts virtnatd in the named network namespace $1 (made and removed by the
# test) so that several daemons in turn share one host; the log accumulates.
start_daemon_in_ns() {
  rm -f "$SOCK" "$SOCK_RO"
  ip netns exec "$1" "$VIRTNATD" --socket "$SOCK" --socket-ro "$SOCK_RO" --config-dir "$TMP/etc" \
    --state-dir "$TMP/lib" --lease-status-dir "$TMP/lib/nss" --run-dir "$TMP/run" --log-level warning 2>>"$TMP/daemon.log" &
  DAEMON_PID=$!
  for _ in $(seq 100); do [[ -S $SOCK_RO ]] && return 0; sleep 0.05; done
  echo "virtnatd did not start:"; cat "$TMP/daemon.log"; return 1
}

# write_libvirtd_conf DIR: DIR/libvirtd.conf for a libvirtd a test runs:
# its sockets in DIR/sock, no TCP or TLS, no authentication, warnings and
# errors in DIR/libvirtd.log.
write_libvirtd_conf() {
  mkdir -p "$1/sock"
  cat >"$1/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$1/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$1/libvirtd.log"
CONF
}

# Debian's libvirtd 9.0 side by side, in its own network and mount
# namespaces (tmpfs over its directories, as bench/lib/daemons.py runs it),
# on a socket in $LV; cleanup stops it and what it started.
LV=$TMP/libvirtd
LV_PID=
LV_URI="network+unix:///system?socket=$LV/sock/libvirt-sock"
# start_libvirtd [HOOKS-DIR]: HOOKS-DIR, if given, is its /etc/libvirt/hooks.
start_libvirtd() {
  write_libvirtd_conf "$LV"
  local hooks=""
  [[ -n ${1:-} ]] && hooks="mkdir -p /etc/libvirt/hooks; mount --bind '$1' /etc/libvirt/hooks"
  cat >"$LV/enter.sh" <<SH
set -e
for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
  mount -t tmpfs -o mode=0755 vncompat \$d
done
$hooks
exec libvirtd --config "$LV/libvirtd.conf" --pid-file /run/libvirtd.pid
SH
  unshare --net --mount --propagation private sh "$LV/enter.sh" >"$LV/out.log" 2>&1 &
  LV_PID=$!
  for _ in $(seq 300); do
    virsh -q -c "$LV_URI" net-list --all >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "libvirtd did not start:"; cat "$LV/out.log"; return 1
}
stop_libvirtd() {
  [[ -n $LV_PID ]] || return 0
  local ns
  ns=$(readlink "/proc/$LV_PID/ns/net" 2>/dev/null || true)
  kill "$LV_PID" 2>/dev/null || true
  wait "$LV_PID" 2>/dev/null || true
  LV_PID=
  # What libvirtd started in its namespace (dnsmasq) goes too.
  if [[ -n $ns ]]; then
    for p in /proc/[0-9]*; do
      [[ $(readlink "$p/ns/net" 2>/dev/null) == "$ns" ]] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  fi
  return 0
}

FAILURES=0
# expect NAME EXPECTED-FILE-OR-TEXT -- command...: compares stdout+stderr and the exit code.
check() {
  local name=$1 expected=$2 expected_rc=$3; shift 3
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [[ $out != "$expected" || $rc != "$expected_rc" ]]; then
    echo "FAIL: $name (exit $rc, expected $expected_rc)"
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$out") || true
    FAILURES=$((FAILURES + 1))
  else
    echo "ok: $name"
  fi
}

finish() {
  if [[ -s $TMP/daemon.log ]]; then echo "--- daemon log"; cat "$TMP/daemon.log"; fi
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then echo "FAIL: virtnatd died"; exit 1; fi
  [[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
  echo "all passed"
}
