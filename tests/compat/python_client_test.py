#!/usr/bin/python3
"""Debian's python3-libvirt against virtnatd: open, list with flags, lookups,
XMLDesc, lifecycle changes, errors, and lifecycle events delivered to a
second connection running libvirt's default event loop (as virt-manager)."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

VIRTNATD = sys.argv[1]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
failures = []


def check(name, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + name + ("" if cond else " " + str(detail)))
    if not cond:
        failures.append(name)


def expect_error(name, fn, code, message):
    try:
        fn()
    except libvirt.libvirtError as e:
        check(name, e.get_error_code() == code and e.get_error_message() == message,
              (e.get_error_code(), e.get_error_message()))
        return
    check(name, False, "no error raised")


def main():
    tmp = tempfile.mkdtemp(prefix="virtnat-compat-py.")
    sock = os.path.join(tmp, "sock")
    cmd = [VIRTNATD, "--socket", sock, "--socket-ro", sock + "-ro", "--config-dir",
           tmp + "/etc", "--state-dir", tmp + "/lib", "--lease-status-dir", tmp + "/lib/nss", "--run-dir", tmp + "/run",
           "--log-level", "warning"]
    if os.geteuid() == 0 and shutil.which("unshare"):
        cmd = ["unshare", "--net"] + cmd
    daemon = subprocess.Popen(cmd)
    try:
        for _ in range(100):
            if os.path.exists(sock + "-ro"):
                break
            time.sleep(0.05)
        run(sock)
        check("daemon still running", daemon.poll() is None)
    finally:
        daemon.terminate()
        daemon.wait()
        shutil.rmtree(tmp)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all passed")


def run(sock):
    uri = "network+unix:///system?socket=" + sock
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    # Watcher: a connection with the event loop, registered for every network.
    watcher = libvirt.open(uri)
    events = []
    seen = threading.Condition()

    def on_event(conn, net, event, detail, opaque):
        with seen:
            events.append((net.name(), event))
            seen.notify_all()

    cb = watcher.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                         on_event, None)
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()

    conn = libvirt.open(uri)
    check("getType", conn.getType() == "network", conn.getType())
    check("getURI (local)", conn.getURI() == uri, conn.getURI())
    check("getLibVersion", conn.getLibVersion() == 9000000)
    check("listAllNetworks empty", conn.listAllNetworks() == [])
    check("listNetworks empty", conn.listNetworks() == [])

    xml = open(os.path.join(DATA, "a-demo.xml")).read()
    net = conn.networkDefineXML(xml)
    check("defineXML name", net.name() == "a-demo")
    check("UUIDString", net.UUIDString() == "addbccd4-ca08-4474-9b95-62a5c99a6a8a")
    check("lookupByName", conn.networkLookupByName("a-demo").UUIDString() == net.UUIDString())
    check("lookupByUUIDString",
          conn.networkLookupByUUIDString(net.UUIDString()).name() == "a-demo")
    check("isActive", net.isActive() == 0)
    check("isPersistent", net.isPersistent() == 1)
    check("bridgeName", net.bridgeName() == "virbra1")
    check("XMLDesc", net.XMLDesc(0) == open(os.path.join(DATA, "a-demo.inactive.xml")).read(),
          net.XMLDesc(0))
    net.create()
    check("XMLDesc live", net.XMLDesc(0) == open(os.path.join(DATA, "a-demo.live.xml")).read(),
          net.XMLDesc(0))
    check("listAllNetworks ACTIVE",
          [n.name() for n in conn.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE)]
          == ["a-demo"])
    check("listAllNetworks INACTIVE",
          conn.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE) == [])
    check("listNetworks", conn.listNetworks() == ["a-demo"])
    check("numOfDefinedNetworks", conn.numOfDefinedNetworks() == 0)
    net.setAutostart(1)
    check("autostart", net.autostart() == 1)
    check("listAllNetworks AUTOSTART",
          len(conn.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART)) == 1)
    check("DHCPLeases (no realizer: none)", net.DHCPLeases() == [])
    net.destroy()
    net.undefine()

    expect_error("lookup missing", lambda: conn.networkLookupByName("a-missing"),
                 libvirt.VIR_ERR_NO_NETWORK,
                 "Network not found: no network with matching name 'a-missing'")
    expect_error("handle of undefined network", net.isActive, libvirt.VIR_ERR_NO_NETWORK,
                 "Network not found: no network with matching uuid "
                 "'addbccd4-ca08-4474-9b95-62a5c99a6a8a' (a-demo)")
    expect_error("bad flags", lambda: conn.listAllNetworks(0x80), libvirt.VIR_ERR_INVALID_ARG,
                 "unsupported flags (0x80) in function networkConnectListAllNetworks")

    ro = libvirt.openReadOnly(uri)
    check("read-only list", ro.listAllNetworks() == [])
    ro.close()

    # Events of the changes above reach the watcher connection.
    want = [("a-demo", libvirt.VIR_NETWORK_EVENT_DEFINED),
            ("a-demo", libvirt.VIR_NETWORK_EVENT_STARTED),
            ("a-demo", libvirt.VIR_NETWORK_EVENT_STOPPED),
            ("a-demo", libvirt.VIR_NETWORK_EVENT_UNDEFINED)]
    with seen:
        seen.wait_for(lambda: len(events) >= len(want), timeout=5)
    check("lifecycle events", events == want, events)

    watcher.networkEventDeregisterAny(cb)
    conn.close()
    watcher.close()
    stop.set()


if __name__ == "__main__":
    main()
