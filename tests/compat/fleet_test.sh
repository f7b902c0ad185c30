#!/usr/bin/env bash
# A fleet over libvirt's own ssh transport: three "hosts", each a network
# namespace with a private mount namespace (its own /run) running sshd
# (Debian's openssh-server, on a private config and keys in the test's
# directory) and virtnatd on libvirt's standard socket path
# /run/libvirt/virtnetworkd-sock. A "lan" namespace bridges them to a
# "controller" namespace, from which:
#   - `virsh -c network+ssh://root@HOST/system` lists each host's networks:
#     ssh runs libvirt's virt-ssh-helper on the far side, which opens the
#     socket of network:///system there (virtnetworkd-sock when it exists);
#   - one Ansible playbook (community.libvirt.virt_net, connection local,
#     one URI per host) defines, starts and lists a network on every host;
#   - each host's virtnatd, asked over ssh again, has the network active,
#     with its bridge up in that host's namespace.
# Nothing outside the test's namespaces and directory is touched: the
# machine's /etc/ssh, ~/.ssh and ~/.ansible stay as they are.
set -euo pipefail
VIRTNATD=$(realpath "${1:?usage: $0 PATH-TO-VIRTNATD}")
for tool in /usr/sbin/sshd virt-ssh-helper ansible-playbook ssh-keygen; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/deps.sh installs it)"; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "needs root (network and mount namespaces)"; exit 1; }

ID=$$
LAN=vn-fl-lan-$ID CTL=vn-fl-ctl-$ID
HOSTS=(1 2 3)
WORK=$(mktemp -d /tmp/virtnat-fleet.XXXXXX)
chmod 0755 "$WORK"
FAILURES=0
# Ansible keeps its files in the test's directory, not in ~/.ansible.
export ANSIBLE_HOME=$WORK/ansible ANSIBLE_LOCAL_TEMP=$WORK/ansible/tmp \
  ANSIBLE_REMOTE_TEMP=$WORK/ansible/tmp ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
if ! ansible-doc -t module community.libvirt.virt_net >/dev/null 2>&1; then
  echo "needs Ansible's community.libvirt collection (Debian's ansible package)"
  rm -rf "$WORK"; exit 1
fi

host_ns() { echo "vn-fl-h$1-$ID"; }
host_ip() { echo "172.31.250.$1"; }
cleanup() {
  set +e
  local h
  for h in "${HOSTS[@]}"; do del_namespaces "$(host_ns "$h")"; done
  del_namespaces "$CTL" "$LAN"
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/namespaces.sh"
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILURES=$((FAILURES + 1)); }

# The lan: a bridge in its own namespace, one veth per host and one for the
# controller.
ip netns add "$LAN"
in_ns "$LAN" ip link set lo up
in_ns "$LAN" ip link add br0 type bridge
in_ns "$LAN" ip link set br0 up
attach() { # attach NS NAME-IN-LAN ADDRESS
  ip netns add "$1"
  in_ns "$1" ip link set lo up
  ip link add lan0 netns "$1" type veth peer name "$2" netns "$LAN"
  in_ns "$LAN" ip link set "$2" master br0 up
  in_ns "$1" ip addr add "$3/24" dev lan0
  in_ns "$1" ip link set lan0 up
}
attach "$CTL" ctl 172.31.250.100

# The controller's ssh: a client key, the hosts' keys as known hosts, and a
# private client config (strict host key checking) through a wrapper that
# libvirt runs in place of ssh (the URI's command=).
ssh-keygen -q -t ed25519 -N '' -C fleet-controller -f "$WORK/id_ed25519"
cp "$WORK/id_ed25519.pub" "$WORK/authorized_keys"
cat >"$WORK/ssh_config" <<CONF
Host *
  UserKnownHostsFile $WORK/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  IdentitiesOnly yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
CONF
# The wrapper also logs what libvirt asks ssh to run on the far side.
printf '#!/bin/sh\necho "$*" >>%s\nexec ssh -F %s "$@"\n' "$WORK/ssh.log" "$WORK/ssh_config" \
  >"$WORK/ssh"
chmod 0755 "$WORK/ssh"
host_uri() {
  echo "network+ssh://root@$(host_ip "$1")/system?keyfile=$WORK/id_ed25519&command=$WORK/ssh"
}

# Each host: a namespace on the lan; in a private mount namespace a tmpfs
# over /run (sshd's privilege-separation directory and libvirt's socket
# directory live there, for this host only), virtnatd on libvirt's standard
# socket path, then sshd in the foreground.
for h in "${HOSTS[@]}"; do
  H=$WORK/h$h ns=$(host_ns "$h")
  mkdir -p "$H"
  attach "$ns" "h$h" "$(host_ip "$h")"
  ssh-keygen -q -t ed25519 -N '' -C "fleet-h$h" -f "$H/ssh_host_ed25519_key"
  echo "$(host_ip "$h") $(cut -d' ' -f1,2 "$H/ssh_host_ed25519_key.pub")" >>"$WORK/known_hosts"
  cat >"$H/sshd_config" <<CONF
ListenAddress $(host_ip "$h")
HostKey $H/ssh_host_ed25519_key
PidFile $H/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitTTY no
PrintMotd no
PrintLastLog no
UseDNS no
X11Forwarding no
AllowTcpForwarding no
CONF
  cat >"$H/enter.sh" <<SH
set -e
mount -t tmpfs -o mode=0755 fleet-h$h /run
mkdir -m 0755 /run/sshd /run/libvirt
"$VIRTNATD" --config-dir "$H/etc" --state-dir "$H/lib" --run-dir "$H/run" \
  --hooks-dir "$H/hooks" --log-level warning 2>"$H/virtnatd.log" &
for i in \$(seq 100); do [ -S /run/libvirt/virtnetworkd-sock ] && break; sleep 0.05; done
exec /usr/sbin/sshd -D -e -f "$H/sshd_config" 2>"$H/sshd.log"
SH
  ip netns exec "$ns" unshare --mount --propagation private sh "$H/enter.sh" &
  disown # the cleanup kills it with its namespace
done

# virsh over ssh reaches each host's virtnatd (sshd and virtnatd may still
# be starting: a few tries).
virsh_on() { local h=$1; shift; in_ns "$CTL" virsh -q -c "$(host_uri "$h")" "$@"; }
for h in "${HOSTS[@]}"; do
  out= rc=1
  for _ in $(seq 150); do
    rc=0 && out=$(virsh_on "$h" net-list --all 2>&1) || rc=$?
    [[ $rc == 0 ]] && break
    sleep 0.2
  done
  if [[ $rc == 0 && -z $out ]]; then
    ok "host $h: virsh -c network+ssh://root@$(host_ip "$h")/system net-list (no networks yet)"
  else
    fail "host $h: net-list over ssh: $out"
    cat "$WORK/h$h/sshd.log" "$WORK/h$h/virtnatd.log" 2>/dev/null
  fi
done

# libvirt ran virt-ssh-helper with the driver's URI on the far side; it
# resolved network:///system to /run/libvirt/virtnetworkd-sock there (the
# host's /run holds no libvirt-sock, and nc, the fallback, is not needed).
remote=$(head -n1 "$WORK/ssh.log")
if [[ $remote == *"virt-ssh-helper 'network:///system'"* ]]; then
  ok "the far side runs virt-ssh-helper: ${remote#*-- }"
else
  fail "the remote command: $remote"
fi
# Read-only (virsh -r): virt-ssh-helper -r, virtnatd's read-only socket.
out=$(virsh_on 1 --readonly net-list --all 2>&1) && ok "host 1: read-only net-list over ssh" ||
  fail "host 1: read-only net-list: $out"
tail -n1 "$WORK/ssh.log" | grep -q "virt-ssh-helper -r 'network:///system'" &&
  ok "read-only: virt-ssh-helper -r" || fail "read-only remote command: $(tail -n1 "$WORK/ssh.log")"

# The playbook: one URI per host, connection local (the module runs on the
# controller with python3-libvirt and reaches each host over ssh).
{
  echo "fleet:"
  echo "  hosts:"
  for h in "${HOSTS[@]}"; do
    echo "    h$h:"
    echo "      libvirt_uri: '$(host_uri "$h")'"
    echo "      fleet_subnet: $((100 + h))"
  done
  echo "  vars:"
  echo "    ansible_connection: local"
  echo "    ansible_python_interpreter: /usr/bin/python3"
} >"$WORK/inventory.yml"
cat >"$WORK/playbook.yml" <<'YAML'
- name: A NAT network on every host of the fleet
  hosts: fleet
  gather_facts: false
  tasks:
    - name: Define the network
      community.libvirt.virt_net:
        uri: "{{ libvirt_uri }}"
        command: define
        name: fleet
        xml: |
          <network>
            <name>fleet</name>
            <forward mode='nat'/>
            <bridge name='vnfleet0'/>
            <ip address='192.168.{{ fleet_subnet }}.1' netmask='255.255.255.0'>
              <dhcp><range start='192.168.{{ fleet_subnet }}.10' end='192.168.{{ fleet_subnet }}.99'/></dhcp>
            </ip>
          </network>
    - name: Start it
      community.libvirt.virt_net:
        uri: "{{ libvirt_uri }}"
        name: fleet
        state: active
    - name: Start it at boot
      community.libvirt.virt_net:
        uri: "{{ libvirt_uri }}"
        name: fleet
        autostart: true
    - name: List the active networks
      community.libvirt.virt_net:
        uri: "{{ libvirt_uri }}"
        command: list_nets
        state: active
      register: active
    - name: The network is listed active
      ansible.builtin.assert:
        that: "'fleet' in active.list_nets"
YAML
if in_ns "$CTL" env ANSIBLE_STDOUT_CALLBACK=default \
  ansible-playbook -i "$WORK/inventory.yml" "$WORK/playbook.yml" >"$WORK/ansible.log" 2>&1; then
  recap=$(grep -E '^h[0-9] +:' "$WORK/ansible.log" | tr -s ' ')
  ok "ansible-playbook over 3 hosts: $(echo "$recap" | cut -d' ' -f1,3,4,6 | paste -sd';')"
else
  fail "ansible-playbook"; cat "$WORK/ansible.log"
fi

# Each host's virtnatd has the network active and autostarted, and its
# bridge is up in that host's namespace (and only there).
for h in "${HOSTS[@]}"; do
  out=$(virsh_on "$h" net-list --all 2>&1 | xargs)
  [[ $out == "fleet active yes yes" ]] && ok "host $h: fleet active, autostart" ||
    fail "host $h: net-list says '$out'"
  addr=$(in_ns "$(host_ns "$h")" ip -4 -o addr show dev vnfleet0 2>&1 | awk '{print $4}')
  [[ $addr == "192.168.$((100 + h)).1/24" ]] && ok "host $h: vnfleet0 has $addr" ||
    fail "host $h: vnfleet0 address '$addr'"
done
ip link show vnfleet0 >/dev/null 2>&1 && fail "vnfleet0 exists in the test's own namespace" ||
  ok "no bridge outside the hosts"

for h in "${HOSTS[@]}"; do
  if [[ -s $WORK/h$h/virtnatd.log ]]; then echo "--- host $h virtnatd log"; cat "$WORK/h$h/virtnatd.log"; fi
done
[[ $FAILURES == 0 ]] || { echo "$FAILURES failure(s)"; exit 1; }
echo "all passed"
