# Shared by the compat tests that build their own world of network
# namespaces (sourced, not run).

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# add_wan HOST WAN: the outside world of HOST. A veth pair joins wan0 in HOST
# (203.0.113.1/24) to eth0 in WAN (203.0.113.2/24); WAN routes everything
# back through HOST, as an upstream router would.
add_wan() {
  local host=$1 wan=$2
  ip link add wan0 netns "$host" type veth peer name eth0 netns "$wan"
  in_ns "$host" ip addr add 203.0.113.1/24 dev wan0
  in_ns "$host" ip link set wan0 up
  in_ns "$wan" ip addr add 203.0.113.2/24 dev eth0
  in_ns "$wan" ip link set eth0 up
  in_ns "$wan" ip route add default via 203.0.113.1
}

# write_udhcpc_script PATH: the script busybox udhcpc runs (-s PATH) to put
# the lease it got on the interface, with the default route it was given.
write_udhcpc_script() {
  cat >"$1" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface";;
esac
exit 0
SCRIPT
  chmod +x "$1"
}

# del_namespaces NS...: kills whatever still runs in each namespace and
# deletes it (for the tests' cleanup traps; missing ones are no error).
del_namespaces() {
  local ns pid
  for ns in "$@"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  return 0
}

# write_bus_conf FILE SOCKET: a private D-Bus system bus (dbus-daemon
# --config-file=FILE) listening on SOCKET, open to every user and name (the
# tests' own daemons: firewalld, polkitd, libvirtd, virtnatd).
write_bus_conf() {
  cat >"$1" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$2</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
}
