#!/usr/bin/python3
"""Where virtnatd's resident memory goes with 0, 100, 1000 ... networks.

Starts a virtnatd in a throw-away network namespace (bench/lib's daemons and
netns, used read-only, as bench/run does: debug level), starts bench's NAT
networks with DHCP one after another, and at each level prints VmRSS,
RssAnon, RssFile and /proc/PID/smaps summed per mapped file (Rss,
Private_Dirty, Anonymous), the anonymous mappings last. With WRAP set, the
daemon runs under that command (e.g. WRAP="heaptrack -o /tmp/vn.ht"), whose
own figures are then meaningless but whose heap profile is not. With
GDB_TRIM=1, each level is reported again after gdb made the daemon call
malloc_trim(0): what is then gone was freed heap not given back. With
KEEP=1 the networks are not destroyed at the end (the daemon is killed with
them running, e.g. for heaptrack's figures of what is allocated then). With
STEPS=1 it instead defines the highest level's networks, starts, destroys
and undefines them all, and after each step prints the bytes glibc's malloc
counts in use (malloc_stats(), called with gdb): what a definition and a
running network hold, and that nothing stays after them.

    sudo [WRAP=...] scripts/rss_profile.py BUILD/virtnatd [LEVEL ...]
"""

import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench", "lib"))

import cleanup  # noqa: E402
import daemons  # noqa: E402
import netdefs  # noqa: E402
import sysctl_limits  # noqa: E402


# Each figure is read this long after the last call, as a client that stops
# calling would see it (the daemon trims its heap one second after the last
# call: driver/os/heap_trim.h).
QUIET_S = 2.0


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads"):
                out[k] = int(v.split()[0])
    return out


def smaps(pid):
    """{mapping name: {field: KiB}}, anonymous mappings by their name ([heap],
    [stack], or [anon] for the nameless ones)."""
    per = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else "[anon]"
                per.setdefault(name, {})
                continue
            key = head[0].rstrip(":")
            if key in ("Rss", "Private_Dirty", "Private_Clean", "Shared_Clean", "Anonymous"):
                d = per[name]
                d[key] = d.get(key, 0) + int(head[1])
    return per


def report(pid, level):
    time.sleep(QUIET_S)
    s = status(pid)
    print("== %d networks: VmRSS %d KiB, RssAnon %d, RssFile %d, RssShmem %d, threads %d" % (
        level, s["VmRSS"], s["RssAnon"], s["RssFile"], s["RssShmem"], s["Threads"]))
    per = smaps(pid)
    rows = sorted(per.items(), key=lambda kv: -kv[1].get("Rss", 0))
    print("   %8s %8s %8s %8s  %s" % ("Rss", "PrivDrt", "PrivCln", "Anon", "mapping"))
    for name, d in rows:
        if d.get("Rss", 0) == 0:
            continue
        print("   %8d %8d %8d %8d  %s" % (d.get("Rss", 0), d.get("Private_Dirty", 0),
                                          d.get("Private_Clean", 0), d.get("Anonymous", 0),
                                          name))
    sys.stdout.flush()


def gdb_call(pid, expression):
    """Has gdb attach to `pid` and call `expression` in it."""
    subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "call " + expression],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def gdb_trim(pid):
    gdb_call(pid, "(int) malloc_trim(0)")
    print("   (after malloc_trim(0))")


def malloc_in_use(d):
    """glibc's bytes in use in the daemon's main arena (malloc_stats() writes to
    the daemon's stderr, its log)."""
    with open(d.log_path, "rb") as f:
        f.seek(0, os.SEEK_END)
        start = f.tell()
    gdb_call(d.pid, "(void) malloc_stats()")
    with open(d.log_path, "rb") as f:
        f.seek(start)
        lines = f.read().decode(errors="replace").splitlines()
    used = [int(l.split("=")[1]) for l in lines if l.startswith("in use bytes")]
    return used[0] if used else None


def steps(d, conn, count):
    nets = []
    rows = []

    def step(what):
        time.sleep(QUIET_S)
        rows.append((what, status(d.pid)["RssAnon"], malloc_in_use(d)))
        print("== %-30s RssAnon %6d KiB, malloc in use %s bytes" % rows[-1])
        sys.stdout.flush()

    step("no network")
    for i in range(count):
        nets.append(conn.networkDefineXML(netdefs.nat_xml(i)))
    step("%d defined" % count)
    for n in nets:
        n.create()
    step("%d running" % count)
    for n in nets:
        n.destroy()
    step("%d destroyed (still defined)" % count)
    for n in nets:
        n.undefine()
    step("all undefined")
    base, defined, running = rows[0][2], rows[1][2], rows[2][2]
    if None not in (base, defined, running):
        print("   per definition %.2f KB, per running network %.2f KB more" % (
            (defined - base) / 1e3 / count, (running - defined) / 1e3 / count))


def main():
    binary = sys.argv[1]
    levels = [int(x) for x in sys.argv[2:]] or [0, 100, 1000]
    work = tempfile.mkdtemp(prefix="vnrss-")
    cleanup.install()
    cleanup.push("work directory", lambda: os.system("rm -rf %s" % shlex.quote(work)))
    sysctl_limits.raise_inotify(4 * max(levels) + 1024)
    d = daemons.Virtnatd(work, binary)
    wrap = shlex.split(os.environ.get("WRAP", ""))
    if wrap:
        launch = d._launch
        d._launch = lambda argv, log: launch(wrap + argv, log)
    d.start()
    try:
        conn = d.connect()
        if os.environ.get("STEPS"):
            steps(d, conn, max(levels))
            conn.close()
            return
        running = 0
        for level in sorted(levels):
            while running < level:
                conn.networkDefineXML(netdefs.nat_xml(running)).create()
                running += 1
            report(d.pid, level)
            if os.environ.get("GDB_TRIM"):
                gdb_trim(d.pid)
                report(d.pid, level)
        if not os.environ.get("KEEP"):  # destroy all: what stays after a burst
            for i in range(running):
                conn.networkLookupByName(netdefs.name(i)).destroy()
            report(d.pid, 0)
        conn.close()
    finally:
        d.stop()
        cleanup.run_all()


if __name__ == "__main__":
    main()
