#!/usr/bin/python3
"""Hostile and broken clients against virtnatd: truncated frames, lengths of
0 and 2^31, wrong program and version, garbage XDR, a client vanishing
mid-call, 200 idle connections and a client that never reads its replies.
Each gets an error reply or its connection closed, while a well-behaved
python-libvirt client keeps being served within normal latency."""

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import libvirt

VIRTNATD = sys.argv[1]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
REMOTE = 0x20008086
failures = []


def check(name, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + name + ("" if cond else " " + str(detail)))
    if not cond:
        failures.append(name)


def frame(prog, vers, proc, mtype=0, serial=1, status=0, payload=b""):
    return struct.pack(">IIIiiIi", 28 + len(payload), prog, vers, proc, mtype, serial,
                       status) + payload


def connect(path):
    for _ in range(100):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(path)
            return s
        except BlockingIOError:  # listen backlog momentarily full
            s.close()
            time.sleep(0.01)
    raise RuntimeError("cannot connect")


def read_frame(s):
    def exactly(n):
        buf = b""
        while len(buf) < n:
            chunk = s.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf
    head = exactly(4)
    if head is None:
        return None
    (length,) = struct.unpack(">I", head)
    rest = exactly(length - 4)
    return None if rest is None else head + rest


def closed_by_server(s):
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        return False


def reply_status(data):
    prog, vers, proc, mtype, serial, status = struct.unpack(">IIiiIi", data[4:28])
    return mtype, status


def served_quickly(uri, name):
    start = time.monotonic()
    conn = libvirt.open(uri)
    names = [n.name() for n in conn.listAllNetworks()]
    conn.close()
    elapsed = time.monotonic() - start
    check(name, names == ["a-demo"] and elapsed < 2.0, (names, elapsed))


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(sock, pid):
    uri = "network+unix:///system?socket=" + sock
    conn = libvirt.open(uri)
    conn.networkDefineXML(open(os.path.join(DATA, "a-demo.xml")).read())
    conn.close()

    for name, length in (("length 0", 0), ("length 2^31", 1 << 31), ("length 27", 27)):
        s = connect(sock)
        s.sendall(struct.pack(">I", length))
        check(name + " closes the connection", closed_by_server(s))
        s.close()

    s = connect(sock)
    s.sendall(frame(0x12345678, 1, 1))
    data = read_frame(s)
    check("wrong program gets an error reply", data and reply_status(data) == (1, 1))
    s.sendall(frame(REMOTE, 2, 66))
    data = read_frame(s)
    check("wrong version gets an error reply", data and reply_status(data) == (1, 1))
    # CONNECT_OPEN with a string length pointing far past the payload.
    s.sendall(frame(REMOTE, 1, 1, payload=b"\x00\x00\x00\x01\x7f\xff\xff\xff"))
    data = read_frame(s)
    check("garbage XDR gets an error reply", data and reply_status(data) == (1, 1))
    s.sendall(b"\xde\xad\xbe\xef" + os.urandom(4096))  # a length word past the limit
    check("garbage bytes close the connection", closed_by_server(s))
    s.close()

    s = connect(sock)
    call = frame(REMOTE, 1, 66)
    s.sendall(call[:10])  # truncated frame, then the client vanishes
    s.close()
    s = connect(sock)
    s.sendall(frame(REMOTE, 1, 66))
    s.close()  # vanishes before reading its reply

    idle = [connect(sock) for _ in range(200)]
    served_quickly(uri, "served beside 200 idle connections")

    # A client that streams calls and never reads the replies.
    greedy = connect(sock)
    greedy.setblocking(False)
    lookup = frame(REMOTE, 1, 283, payload=struct.pack(">iI", 1, 0))
    sent = 0
    try:
        for _ in range(2000000):
            greedy.send(lookup)
            sent += 1
    except BlockingIOError:
        pass
    check("the greedy client was throttled", sent < 2000000, sent)
    time.sleep(0.5)
    # The daemon stops reading a client whose replies pile up, so its memory
    # stays bounded (8 MiB of queued replies per client by default).
    check("daemon memory stays bounded", rss_kib(pid) < 64 * 1024, rss_kib(pid))
    served_quickly(uri, "served beside a client that never reads")
    greedy.close()
    for s in idle:
        s.close()
    served_quickly(uri, "served after everyone left")


def main():
    tmp = tempfile.mkdtemp(prefix="virtnat-hostile.")
    sock = os.path.join(tmp, "sock")
    cmd = [VIRTNATD, "--socket", sock, "--socket-ro", sock + "-ro", "--config-dir",
           tmp + "/etc", "--state-dir", tmp + "/lib", "--lease-status-dir", tmp + "/lib/nss", "--run-dir", tmp + "/run",
           "--log-level", "error"]
    if os.geteuid() == 0 and shutil.which("unshare"):
        cmd = ["unshare", "--net"] + cmd
    daemon = subprocess.Popen(cmd)
    try:
        for _ in range(100):
            if os.path.exists(sock + "-ro"):
                break
            time.sleep(0.05)
        run(sock, daemon.pid)
        check("daemon still running", daemon.poll() is None)
    finally:
        daemon.terminate()
        daemon.wait()
        shutil.rmtree(tmp)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all passed")


if __name__ == "__main__":
    main()
