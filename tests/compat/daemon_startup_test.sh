#!/usr/bin/env bash
# virtnatd's own behaviour: options and config file, socket modes, socket
# activation (LISTEN_FDS), refusing to take over a live socket, clean exit
# on SIGTERM.
. "$(dirname "$0")/lib.sh"

check "--help" "Usage:" 0 bash -c "'$VIRTNATD' --help | head -1 | cut -c1-6"
check "unknown option" "virtnatd: unknown setting 'bogus'" 0 \
  bash -c "'$VIRTNATD' --bogus 1 2>&1 | head -1"
check "unknown option exit code" "2" 0 bash -c "'$VIRTNATD' --bogus 1 >/dev/null 2>&1; echo \$?"

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

start_daemon  # finish() checks the shared daemon is alive
finish
