#!/usr/bin/env bash
# virtnatd's own behaviour: options and config file, socket modes, socket
# activation (LISTEN_FDS, sockets picked by name), refusing to take over a
# live socket, the pid-file lock against a second instance, SIGHUP reload,
# clean exit on SIGTERM.
. "$(dirname "$0")/lib.sh"

check "--help" "Usage:" 0 bash -c "'$VIRTNATD' --help | head -1 | cut -c1-6"
check "unknown option" "virtnatd: Unknown option --bogus" 0 \
  bash -c "'$VIRTNATD' --bogus 2>&1 | head -1"
check "unknown short option" "virtnatd: Unknown option -x" 0 \
  bash -c "'$VIRTNATD' -x 2>&1 | head -1"
check "unknown option exit code" "2" 0 bash -c "'$VIRTNATD' --bogus 1 >/dev/null 2>&1; echo \$?"
check "an option without its value" "virtnatd: Missing argument for --timeout" 0 \
  bash -c "'$VIRTNATD' --timeout 2>&1 | head -1"
# A libvirt-style config line virtnatd does not know is a warning naming the
# file and the key; a bad value is an error naming the line.
echo 'listen_tls = 0' >"$TMP/unknown.conf"
check "unknown config key: a warning" "virtnatd: warning: $TMP/unknown.conf: unknown setting 'listen_tls' ignored
virtnatd: not running" 3 "$VIRTNATD" -f "$TMP/unknown.conf" --status --run-dir "$TMP/none"
printf '# c\nmax_clients = many\n' >"$TMP/bad.conf"
check "bad config value" "virtnatd: $TMP/bad.conf: line 2: invalid value 'many' for max_clients
Run 'virtnatd --help' to see the options." 2 "$VIRTNATD" -f "$TMP/bad.conf" --status

# Paths from a config file.
mkdir -p "$TMP/conf"
cat >"$TMP/conf/virtnatd.conf" <<CONF
# virtnatd settings
socket = "$TMP/conf-sock"
socket_ro = "$TMP/conf-sock-ro"
log_level = "error"
CONF
"$VIRTNATD" --config-dir "$TMP/conf" &
CONF_PID=$!
for _ in $(seq 100); do [[ -S $TMP/conf-sock-ro ]] && break; sleep 0.05; done
check "config file sockets" "" 0 virsh -q -c "network+unix:///system?socket=$TMP/conf-sock" net-list --all
check "read-write socket mode" "600" 0 stat -c %a "$TMP/conf-sock"
check "read-only socket mode" "666" 0 stat -c %a "$TMP/conf-sock-ro"
check "a live socket is not taken over" "1" 0 bash -c \
  "'$VIRTNATD' --socket '$TMP/conf-sock' --socket-ro '$TMP/x' >/dev/null 2>&1; echo \$?"
kill -TERM "$CONF_PID"
rc=0; wait "$CONF_PID" || rc=$?
check "SIGTERM exits cleanly" "0" 0 echo "$rc"

# Socket activation: systemd passes the sockets as fds 3 and 4.
/usr/bin/python3 - "$VIRTNATD" "$TMP" <<'PY' >"$TMP/activation.log" 2>&1 &
import os, socket, subprocess, sys
daemon, tmp = sys.argv[1], sys.argv[2]
socks = []
for name in ("act-sock", "act-sock-ro"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(os.path.join(tmp, name))
    s.listen(16)
    socks.append(s)
for fd, s in ((3, socks[0]), (4, socks[1])):
    if s.fileno() != fd:
        os.dup2(s.fileno(), fd)
    os.set_inheritable(fd, True)
env = dict(os.environ, LISTEN_FDS="2", LISTEN_FDNAMES="virtnetworkd.socket:virtnetworkd-ro.socket")
# LISTEN_PID must name the daemon itself: exec from a shell that sets it.
os.execve("/bin/sh", ["sh", "-c", 'LISTEN_PID=$$ exec "$0" --socket /nonexistent/rw '
                      '--socket-ro /nonexistent/ro --log-level error', daemon], env)
PY
ACT_PID=$!
sleep 0.5
check "activated read-write socket" "" 0 virsh -q -c "network+unix:///system?socket=$TMP/act-sock" net-list --all
check "activated read-only socket is read-only" "error: Failed to define network from $DATA/a-demo.xml
error: operation forbidden: read only access prevents virNetworkDefineXML" 1 \
  virsh -q -c "network+unix:///system?socket=$TMP/act-sock-ro" net-define "$DATA/a-demo.xml"
kill -TERM "$ACT_PID"; wait "$ACT_PID" || true
[[ -s $TMP/activation.log ]] && cat "$TMP/activation.log"

# systemd passes the admin socket first: the daemon picks its sockets by
# name (FileDescriptorName=), never by order.
systemd-socket-activate -l "$TMP/named-admin" -l "$TMP/named-sock" -l "$TMP/named-sock-ro" \
  --fdname=admin:rw:ro "$VIRTNATD" --socket /nonexistent/rw --socket-ro /nonexistent/ro \
  --run-dir "$TMP/named-run" --log-level error >"$TMP/named.log" 2>&1 &
NAMED_PID=$!
for _ in $(seq 100); do [[ -S $TMP/named-sock-ro ]] && break; sleep 0.05; done
check "named sockets, admin first: read-write" "" 0 \
  virsh -q -c "network+unix:///system?socket=$TMP/named-sock" net-list --all
check "named sockets, admin first: read-only" "" 0 \
  virsh -q -r -c "network+unix:///system?socket=$TMP/named-sock-ro" net-list --all
kill -TERM "$NAMED_PID"; wait "$NAMED_PID" || true
[[ -s $TMP/named.log ]] && cat "$TMP/named.log"

# A second instance on the same run directory stops at the pid-file lock:
# at once, non-zero, naming the first, and leaves the first's files alone.
LOCK_DIRS=(--config-dir "$TMP/lock-etc" --state-dir "$TMP/lock-lib" --lease-status-dir "$TMP/lock-lib/nss" --run-dir "$TMP/lock-run")
"$VIRTNATD" --socket "$TMP/lock-sock" --socket-ro "$TMP/lock-sock-ro" "${LOCK_DIRS[@]}" \
  --log-level info 2>"$TMP/lock.log" &
LOCK_PID=$!
for _ in $(seq 100); do [[ -S $TMP/lock-sock-ro ]] && break; sleep 0.05; done
check "pid file" "$LOCK_PID" 0 cat "$TMP/lock-run/virtnatd.pid"
ls -A "$TMP/lock-run" >"$TMP/lock-before"
check "a second instance exits at once" "virtnatd is already running (pid $LOCK_PID)" 1 \
  timeout 5 "$VIRTNATD" --socket "$TMP/lock-sock2" --socket-ro "$TMP/lock-sock2-ro" "${LOCK_DIRS[@]}"
ls -A "$TMP/lock-run" >"$TMP/lock-after"
check "the second instance removed nothing from the run directory" "" 0 \
  diff "$TMP/lock-before" "$TMP/lock-after"
check "the pid file still names the first" "$LOCK_PID" 0 cat "$TMP/lock-run/virtnatd.pid"
check "the second instance created no socket" "no" 0 \
  bash -c "[[ -e '$TMP/lock-sock2' ]] && echo yes || echo no"
check "--status still reports the first" "virtnatd: running (pid $LOCK_PID)" 0 \
  bash -c "'$VIRTNATD' --status --run-dir '$TMP/lock-run' | head -1"

# SIGHUP reloads the config file; the daemon keeps serving.
kill -HUP "$LOCK_PID"
sleep 0.3
check "SIGHUP keeps the daemon" "" 0 \
  virsh -q -c "network+unix:///system?socket=$TMP/lock-sock" net-list --all
kill -TERM "$LOCK_PID"
rc=0; wait "$LOCK_PID" || rc=$?
check "SIGTERM after SIGHUP exits cleanly" "0" 0 echo "$rc"
check "the pid file is removed on exit" "no" 0 \
  bash -c "[[ -e '$TMP/lock-run/virtnatd.pid' ]] && echo yes || echo no"
[[ -s $TMP/lock.log ]] && cat "$TMP/lock.log"

# Under systemd (JOURNAL_STREAM names stderr) each line carries its syslog
# priority for the journal; elsewhere a timestamp.
/usr/bin/python3 - "$VIRTNATD" "$TMP/journal" >"$TMP/journal.out" 2>&1 <<'PY'
import os, signal, socket, subprocess, sys, time
daemon, d = sys.argv[1], sys.argv[2]
ours, theirs = socket.socketpair()
st = os.fstat(theirs.fileno())
env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
p = subprocess.Popen([daemon, "--socket", d + "/s", "--socket-ro", d + "/r", "--config-dir", d,
                      "--state-dir", d + "/lib", "--lease-status-dir", d + "/lib/nss", "--run-dir", d + "/run"], stderr=theirs, env=env)
for _ in range(200):
    if os.path.exists(d + "/r"):
        break
    time.sleep(0.05)
p.terminate()
p.wait()
theirs.close()
sys.stdout.write(ours.makefile().read())
PY
check "journal: priorities, no timestamp" "<6>info: listening on '$TMP/journal/s' and '$TMP/journal/r'
<6>info: exiting; running networks are left running" 0 cat "$TMP/journal.out"
check "stderr elsewhere: timestamped" "1" 0 bash -c "grep -cE \
  '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3}\+0000: virtnatd: info: listening on' '$TMP/lock.log'"

# --check, as virt-host-validate: passes here (in a namespace of its own,
# as the daemons of these tests run), fails without dnsmasq on PATH and
# without privilege; the daemon itself refuses to start unprivileged.
check_ns() { unshare --net "$VIRTNATD" --check --config-dir "$TMP/check-etc" "$@"; }
check_ns >"$TMP/check.out" 2>&1 && rc=0 || rc=$?
check "--check passes on this machine" "0 0" 0 bash -c \
  "echo $rc \$(grep -c ': FAIL' '$TMP/check.out')"
check "--check names dnsmasq's version" "1" 0 grep -c "Checking dnsmasq .*: PASS (/usr/sbin/dnsmasq version" "$TMP/check.out"
cat "$TMP/check.out"
# A host firewall whose input hook drops what guests ask of the host.
check "--check names a foreign input hook dropping DHCP and DNS" \
  "virtnatd: Checking other firewalls dropping guest traffic   : WARN (table inet filter chain input (hook input, priority 0) may drop DHCP (udp 67), DHCPv6 (udp 547), DNS (udp 53), DNS (tcp 53) that guests send to the host (policy drop); accept the networks' bridges in those chains)" 0 \
  unshare --net sh -c "nft add table inet filter &&
    nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }' &&
    '$VIRTNATD' --check --config-dir '$TMP/check-etc' 2>&1 | grep 'other firewalls'"
unshare --net env PATH="$TMP/empty-path" "$VIRTNATD" --check --config-dir "$TMP/check-etc" \
  >"$TMP/check-nodnsmasq.out" 2>&1 && rc=0 || rc=$?
check "--check without dnsmasq on PATH fails" "1 dnsmasq" 0 bash -c \
  "echo $rc \$(sed -n 's/^virtnatd: Checking \\([a-z]*\\) *: FAIL.*/\\1/p' '$TMP/check-nodnsmasq.out')"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  "$VIRTNATD" --check --config-dir "$TMP/check-etc" >"$TMP/check-user.out" 2>&1 && rc=0 || rc=$?
check "--check as nobody fails on privilege" "1 1" 0 bash -c \
  "echo $rc \$(grep -c 'Checking root or CAP_NET_ADMIN *: FAIL' '$TMP/check-user.out')"
check "the daemon as nobody stops at once" "virtnatd: needs root or CAP_NET_ADMIN to create bridges and firewall rules; run it as root (the virtnatd.service unit does). \`virtnatd --check\` checks the host." 1 \
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$VIRTNATD" \
  --socket "$TMP/user-sock" --socket-ro "$TMP/user-sock-ro" --run-dir "$TMP/user-run"

# -d: returns once the daemon serves, which runs on in the background.
DAEMON_DIRS=(--config-dir "$TMP/d-etc" --state-dir "$TMP/d-lib" --lease-status-dir "$TMP/d-lib/nss" --run-dir "$TMP/d-run")
check "-d returns once serving" "0" 0 bash -c "unshare --net '$VIRTNATD' -d --socket '$TMP/d-sock' \
  --socket-ro '$TMP/d-sock-ro' ${DAEMON_DIRS[*]} --log-outputs '1:file:$TMP/d.log'; echo \$?"
check "-d: the daemon serves" "" 0 virsh -q -c "network+unix:///system?socket=$TMP/d-sock" net-list --all
BG_PID=$(cat "$TMP/d-run/virtnatd.pid")
check "-d: in the background, own session" "1" 0 bash -c "ps -o sid= -p $BG_PID | grep -vc ' $$\$'"
kill -TERM "$BG_PID"
for _ in $(seq 100); do kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.05; done
check "-d: its log went to the file" "1" 0 grep -c "info: listening on '$TMP/d-sock'" "$TMP/d.log"
touch "$TMP/not-a-dir"
check "-d: a failure reaches the caller" "1" 0 bash -c "unshare --net '$VIRTNATD' -d \
  --socket '$TMP/not-a-dir/s' --socket-ro '$TMP/not-a-dir/r' --run-dir '$TMP/d2-run' \
  --config-dir '$TMP/d2-etc' --state-dir '$TMP/d2-lib' >/dev/null 2>&1; echo \$?"

# --timeout: exits once idle (no client, no active network), not while a
# client is connected.
unshare --net "$VIRTNATD" -t 2 --socket "$TMP/t-sock" --socket-ro "$TMP/t-sock-ro" \
  --config-dir "$TMP/t-etc" --state-dir "$TMP/t-lib" --lease-status-dir "$TMP/t-lib/nss" --run-dir "$TMP/t-run" 2>"$TMP/t.log" &
T_PID=$!
for _ in $(seq 100); do [[ -S $TMP/t-sock-ro ]] && break; sleep 0.05; done
/usr/bin/python3 -c "
import libvirt, time, os
c = libvirt.open('network+unix:///system?socket=$TMP/t-sock')
time.sleep(4)
print('alive' if os.path.exists('/proc/$T_PID') else 'gone')
c.close()" >"$TMP/t.client" 2>&1
check "--timeout: a connected client keeps the daemon" "alive" 0 cat "$TMP/t.client"
rc=0; timeout 20 tail --pid="$T_PID" -f /dev/null || rc=$?
check "--timeout: idle, it exits by itself" "0 1" 0 bash -c \
  "echo $rc \$(grep -c 'exiting after 2 seconds without clients or active networks' '$TMP/t.log')"

# Every state change is logged at info level with the client that asked.
LOG_LEVEL=info start_daemon
virsh -q -c "$URI" net-define "$DATA/a-demo.xml" >/dev/null
virsh -q -c "$URI" net-autostart a-demo >/dev/null
virsh -q -c "$URI" net-destroy a-demo >/dev/null 2>&1 || true
virsh -q -c "$URI" net-start a-demo >/dev/null
# SIGHUP keeps the daemon and its networks (the same dnsmasq serves on).
DNSMASQ_BEFORE=$(pgrep -f -- "--conf-file=$TMP/lib/dnsmasq/a-demo.conf")
kill -HUP "$DAEMON_PID"
sleep 0.5
check "SIGHUP re-checks the running networks" "1" 0 \
  grep -c "reload: re-checking the host side of every running network" "$TMP/daemon.log"
check "SIGHUP keeps the network running" "yes" 0 \
  bash -c "virsh -q -c '$URI' net-info a-demo | sed -n 's/^Active: *//p'"
check "SIGHUP keeps its dnsmasq" "$DNSMASQ_BEFORE" 0 pgrep -f -- "--conf-file=$TMP/lib/dnsmasq/a-demo.conf"
virsh -q -c "$URI" net-destroy a-demo >/dev/null
virsh -q -c "$URI" net-undefine a-demo >/dev/null
check "state changes are logged with their client" \
"info: virNetworkDefineXML network 'a-demo': done (client pid N (virsh), uid 0)
info: virNetworkSetAutostart network 'a-demo' on: done (client pid N (virsh), uid 0)
info: virNetworkDestroy network 'a-demo': failed (client pid N (virsh), uid 0): Requested operation is not valid: network 'a-demo' is not active
info: virNetworkCreate network 'a-demo': done (client pid N (virsh), uid 0)
info: virNetworkDestroy network 'a-demo': done (client pid N (virsh), uid 0)
info: virNetworkUndefine network 'a-demo': done (client pid N (virsh), uid 0)" 0 \
  bash -c "grep -o 'info: virNetwork.*' '$TMP/daemon.log' | sed 's/pid [0-9]*/pid N/'"
: >"$TMP/daemon.log"  # finish() prints the log: the lines above were checked
finish
