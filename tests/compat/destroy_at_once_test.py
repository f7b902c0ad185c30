#!/usr/bin/python3
"""A destroyed network is gone from every view when net-destroy returns, and
a started one serves DHCP when net-start returns (python3-libvirt against
virtnatd in a network namespace of the test's own):

  - right after destroy: `ip link show BRIDGE` fails; no address, route, rule,
    dnsmasq, status record or dnsmasq file of the network is left;
  - the same network starts again at once, and so does a new network with the
    same bridge name and subnet;
  - a running network undefined and then destroyed is gone for good;
  - a guest's first DHCP request, sent right after net-start returns, is
    answered (one DISCOVER, no retries);
  - a daemon killed with SIGKILL right after destroy returns leaves nothing
    behind, and the next daemon finds nothing to clean up.
No timing is asserted: each check runs the moment the call returns."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import libvirt

VIRTNATD = sys.argv[1]
NS = "vn-dao-%d" % os.getpid()
GUEST = "vn-dao-g-%d" % os.getpid()
BRIDGE = "vnda0"
failures = []
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)

NET = """<network>
  <name>%s</name>
  <forward mode='nat'/>
  <bridge name='%s' stp='off'/>
  <ip address='10.91.0.1' prefix='24'>
    <dhcp><range start='10.91.0.100' end='10.91.0.199'/></dhcp>
  </ip>
</network>"""


def check(name, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + name + ("" if cond else " " + str(detail)))
    if not cond:
        failures.append(name)


def sh(*args, ns=NS):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def dnsmasq_pids(tmp):
    pids = []
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if any(a.startswith(("--conf-file=" + tmp).encode()) for a in argv):
            pids.append(int(pid))
    return pids


def leftovers(tmp, name):
    """What of network `name` (bridge BRIDGE, 10.91.0.0/24) is still visible."""
    left = []
    if sh("ip", "link", "show", BRIDGE).returncode == 0:
        left.append("link " + BRIDGE)
    if "10.91.0." in sh("ip", "-4", "addr").stdout:
        left.append("address")
    if "10.91.0." in sh("ip", "-4", "route", "show", "table", "all").stdout:
        left.append("route")
    if BRIDGE in sh("nft", "list", "ruleset").stdout:
        left.append("rules")
    if dnsmasq_pids(tmp):
        left.append("dnsmasq %s" % dnsmasq_pids(tmp))
    for path in ("run/%s.status" % name, "run/dnsmasq/%s.pid" % name,
                 "lib/dnsmasq/%s.conf" % name, "lib/dnsmasq/%s.hostsfile" % name,
                 "lib/dnsmasq/%s.addnhosts" % name):
        if os.path.exists(os.path.join(tmp, path)):
            left.append(path)
    return left


def names(conn):
    return [n.name() for n in conn.listAllNetworks()]


def start_daemon(tmp):
    sock = os.path.join(tmp, "sock")
    for path in (sock, sock + "-ro"):  # a killed daemon leaves them
        if os.path.exists(path):
            os.unlink(path)
    log = open(os.path.join(tmp, "daemon.log"), "a")
    daemon = subprocess.Popen(
        ["ip", "netns", "exec", NS, VIRTNATD, "--socket", sock, "--socket-ro", sock + "-ro",
         "--config-dir", tmp + "/etc", "--state-dir", tmp + "/lib", "--lease-status-dir",
         tmp + "/lib/nss", "--run-dir", tmp + "/run", "--log-level", "warning"],
        stdout=log, stderr=log)
    for _ in range(200):
        if os.path.exists(sock + "-ro") or daemon.poll() is not None:
            break
        time.sleep(0.05)
    if not os.path.exists(sock + "-ro"):
        with open(os.path.join(tmp, "daemon.log")) as f:
            raise RuntimeError("virtnatd did not start: " + f.read())
    return daemon, libvirt.open("network+unix:///system?socket=" + sock)


def dhcp_once(tmp):
    """One DISCOVER from the guest, right away; True if a lease came back. (dnsmasq
    pings an address before it offers it: the answer may take seconds.)"""
    # Its link is up already: the port forwards the moment it joins (STP off).
    sh("ip", "link", "set", "vndah", "master", BRIDGE)
    got = sh("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "1", "-T", "8",
             "-s", os.path.join(tmp, "udhcpc.sh"), ns=GUEST)
    addr = sh("ip", "-4", "addr", "show", "eth0", ns=GUEST).stdout
    if got.returncode != 0 or "10.91.0." not in addr:
        print("udhcpc: exit %d: %s\n%s" % (got.returncode, got.stdout, addr))
        return False
    return True


def run(tmp):
    daemon, conn = start_daemon(tmp)
    net = conn.networkDefineXML(NET % ("dao", BRIDGE))
    for i in range(10):
        net.create()
        net.destroy()
        left = leftovers(tmp, "dao")
        check("cycle %d: nothing left the moment destroy returns" % i, left == [], left)
    net.create()
    net.destroy()
    try:
        net.create()
        check("the same network starts again at once", net.isActive() == 1)
    except libvirt.libvirtError as e:
        check("the same network starts again at once", False, e.get_error_message())
    net.destroy()
    net.undefine()  # a defined network keeps its bridge name taken
    try:
        other = conn.networkCreateXML(NET % ("dao-other", BRIDGE))
        check("a new network with the same bridge and subnet starts at once", other.isActive())
        other.destroy()
        check("the transient one is gone for good", "dao-other" not in names(conn))
        left = leftovers(tmp, "dao-other")
        check("nothing of the transient one is left", left == [], left)
        check("its lease file is gone",
              not os.path.exists(os.path.join(tmp, "lib/dnsmasq/dao-other.leases")))
    except libvirt.libvirtError as e:
        check("a new network with the same bridge and subnet starts at once", False,
              e.get_error_message())

    net = conn.networkDefineXML(NET % ("dao", BRIDGE))

    # A guest on the bridge: its first DHCP request right after start.
    subprocess.run(["ip", "netns", "add", GUEST], check=True)
    subprocess.run(["ip", "link", "add", "vndah", "netns", NS, "type", "veth", "peer", "name",
                    "eth0", "netns", GUEST], check=True)
    sh("ip", "link", "set", "lo", "up", ns=GUEST)
    sh("ip", "link", "set", "eth0", "up", ns=GUEST)
    sh("ip", "link", "set", "vndah", "up")
    with open(os.path.join(tmp, "udhcpc.sh"), "w") as f:
        f.write('#!/bin/sh\ncase "$1" in bound|renew) ip addr flush dev "$interface";'
                ' ip addr add "$ip/${mask:-24}" dev "$interface";; esac\nexit 0\n')
    os.chmod(os.path.join(tmp, "udhcpc.sh"), 0o755)
    for i in range(3):
        sh("ip", "addr", "flush", "dev", "eth0", ns=GUEST)
        net.create()
        check("cycle %d: the first DHCP request right after start is answered" % i,
              dhcp_once(tmp))
        net.destroy()
        left = leftovers(tmp, "dao")
        check("cycle %d: destroy with a guest attached leaves nothing" % i, left == [], left)

    # Undefined while running: the destroy ends it for good.
    net.create()
    net.undefine()
    net.destroy()
    check("an undefined network is gone after destroy", "dao" not in names(conn))
    left = leftovers(tmp, "dao")
    check("nothing of the undefined network is left", left == [], left)

    # SIGKILL the moment destroy returns.
    net = conn.networkDefineXML(NET % ("dao", BRIDGE))
    net.create()
    net.destroy()
    daemon.send_signal(signal.SIGKILL)
    daemon.wait()
    left = leftovers(tmp, "dao")
    check("a daemon killed right after destroy leaves nothing", left == [], left)
    conn.close()
    daemon, conn = start_daemon(tmp)
    net = conn.networkLookupByName("dao")
    check("the next daemon finds the network inactive", net.isActive() == 0)
    try:
        net.create()
        check("and starts it", net.isActive() == 1)
        net.destroy()
    except libvirt.libvirtError as e:
        check("and starts it", False, e.get_error_message())
    conn.close()
    daemon.terminate()
    daemon.wait()
    with open(os.path.join(tmp, "daemon.log")) as f:
        log = f.read()
    check("no daemon logged a problem", log.strip() == "", log)


def main():
    tmp = tempfile.mkdtemp(prefix="virtnat-dao.")
    os.chmod(tmp, 0o755)
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        sh("ip", "link", "set", "lo", "up")
        run(tmp)
    finally:
        for ns in (GUEST, NS):
            for pid in subprocess.run(["ip", "netns", "pids", ns], stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        for pid in dnsmasq_pids(tmp):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all passed")


if __name__ == "__main__":
    main()
