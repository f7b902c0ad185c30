"""Starts while the machine is busy: CPU hogs on every core, started and
stopped by the benchmark itself, with the scale phase's networks running.

Each start of the probe network is timed; a start that fails is counted and
its error text kept (a timeout should name the phase that took long)."""

import os
import signal
import subprocess
import time

import libvirt

import cleanup
import netdefs
import phases


def hogs_start(count):
    """`count` busy loops (plain shells, nothing to install), niced like a build: 0."""
    procs = [subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"], start_new_session=True)
             for _ in range(count)]
    token = cleanup.push("%d CPU hogs" % count, lambda: _stop(procs))
    return procs, token


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def hogs_per_core():
    return 2 * (os.cpu_count() or 1)


def run(rec, daemon, conn, level, starts, budget_s):
    """Up to `starts` starts (and destroys) of the probe network under load, at most
    `budget_s` seconds; figures load_start (ms), load_fail (count)."""
    hogs = hogs_per_core()
    procs, token = hogs_start(hogs)
    net = conn.networkDefineXML(netdefs.nat_xml(netdefs.PROBE_NET))
    samples, failures = [], []
    try:
        time.sleep(0.5)  # the hogs take the cores before the first start
        t_phase = time.monotonic()
        while len(samples) + len(failures) < starts and time.monotonic() - t_phase < budget_s:
            t0 = time.perf_counter()
            try:
                net.create()
            except libvirt.libvirtError as e:
                failures.append(" ".join(e.get_error_message().split())[:300])
                continue
            samples.append(phases.ms_since(t0))
            net.destroy()
    finally:
        cleanup.run_now(token)
        if net.isActive():
            net.destroy()
        net.undefine()
    rec.put("load_start", daemon.key, samples, "ms")
    rec.put("load_fail", daemon.key, [float(len(failures))], "starts")
    rec.note("%s: %d starts with %d networks running while %d CPU hogs (busy shell loops, "
             "%d per core) ran: %d failed%s." % (
                 daemon.label, len(samples) + len(failures), level, hogs,
                 hogs // (os.cpu_count() or 1), len(failures),
                 ("; first error: %s" % failures[0]) if failures else ""))
