#!/usr/bin/python3
"""Times net-start and net-destroy of one NAT network with DHCP on a virtnatd
started in a throw-away network namespace (bench/lib's daemons and netns,
used read-only). Prints the medians of the client's wall time, the daemon's
CPU time per operation and the load average, then the daemon's own phase
timings (its `start timing:` / `destroy timing:` debug lines) as medians.

    sudo [VERBOSE=1] [PERF=FILE] scripts/start_destroy_cycle.py BUILD/virtnatd [CYCLES] [RUNNING]

RUNNING networks (default 0) are started first and keep running beside the
measured one, to see what a start costs on a busy host. PERF=FILE records
the daemon with `perf record -g` during the cycles. GAP=SECONDS (default
0.1) is the pause after each destroy; GAP=0 makes each start meet the
kernel's deferred work of the destroy before it.
"""

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench", "lib"))

import cleanup  # noqa: E402
import daemons  # noqa: E402
import netdefs  # noqa: E402


def cpu_ms(pid):
    """The daemon's CPU time (user + system, all its threads, also the ones
    gone) and its launchers' (reaped children), in clock ticks as ms."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) * 1000.0 / os.sysconf("SC_CLK_TCK")


def main_thread_cpu_ms(pid):
    """The daemon's main thread's CPU time, to the nanosecond."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0]) / 1e6


def phases(log_path, kind):
    per = {}
    pat = re.compile(r"%s timing: network '[^']*': (.*)$" % kind)
    with open(log_path, errors="replace") as f:
        for line in f:
            m = pat.search(line)
            if not m:
                continue
            for item in m.group(1).split():
                k, _, v = item.partition("=")
                per.setdefault(k, []).append(float(v))
    return per


def main():
    binary = sys.argv[1]
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    running = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    work = tempfile.mkdtemp(prefix="vnperf-")
    d = daemons.Virtnatd(work, binary)
    if os.environ.get("VERBOSE"):  # the daemon's phase lines are debug-level
        launch = d._launch
        d._launch = lambda argv, log: launch(argv + ["--verbose"], log)
    d.start()
    try:
        conn = d.connect()
        for i in range(2, running + 2):
            conn.networkCreateXML(netdefs.nat_xml(i))
        net = conn.networkDefineXML(netdefs.nat_xml(1))
        net.create()
        net.destroy()  # warm-up
        perf = None
        if os.environ.get("PERF"):
            perf = subprocess.Popen(["perf", "record", "-g", "-o", os.environ["PERF"], "-p",
                                     str(d.pid)], stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        start, stop, cstart, cstop, tstart, tstop = [], [], [], [], [], []
        for _ in range(cycles):
            c0, m0 = cpu_ms(d.pid), main_thread_cpu_ms(d.pid)
            t0 = time.perf_counter()
            net.create()
            t1 = time.perf_counter()
            c1, m1 = cpu_ms(d.pid), main_thread_cpu_ms(d.pid)
            net.destroy()
            t2 = time.perf_counter()
            c2, m2 = cpu_ms(d.pid), main_thread_cpu_ms(d.pid)
            start.append((t1 - t0) * 1000)
            stop.append((t2 - t1) * 1000)
            cstart.append(c1 - c0)
            cstop.append(c2 - c1)
            tstart.append(m1 - m0)
            tstop.append(m2 - m1)
            # The kernel's tail of the deletion, off the measurement (GAP=0: on it).
            time.sleep(float(os.environ.get("GAP", "0.1")))
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        load = os.getloadavg()
        print("running=%d " % running, end="")
        print("cycles=%d load=%.2f/%.2f/%.2f" % ((cycles,) + load))
        for label, wall, cpu, main in (("start", start, cstart, tstart),
                                       ("destroy", stop, cstop, tstop)):
            print("%-8s median %.2f ms (p10 %.2f, p90 %.2f); daemon cpu mean %.1f ms "
                  "(all threads + launchers, tick-based), main thread median %.2f ms" % (
                      label, statistics.median(wall), sorted(wall)[len(wall) // 10],
                      sorted(wall)[len(wall) * 9 // 10], sum(cpu) / len(cpu),
                      statistics.median(main)))
        net.undefine()
        conn.close()
        log = os.path.join(d.workdir, "virtnatd.log")
        for kind in ("start", "destroy"):
            per = phases(log, kind)
            if per:
                print("%s phases (median ms): %s" % (kind, " ".join(
                    "%s=%.2f" % (k, statistics.median(v)) for k, v in per.items())))
    finally:
        d.stop()
        cleanup.run_all()


if __name__ == "__main__":
    main()
