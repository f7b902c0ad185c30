"""Lifecycle, RPC and memory figures (everything but scale and forwarding)."""

import json
import os
import subprocess
import sys
import time

import daemons
import netdefs
import netns

CYCLE_NET = 998  # index of the network used by the define/start/destroy/undefine cycles
RPC_FIRST = 600  # the RPC phase defines networks RPC_FIRST, RPC_FIRST + 1, ...
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rpc_worker.py")


def ms_since(t0):
    return (time.perf_counter() - t0) * 1e3


def bridge_exists(daemon, i):
    return netns.ip(daemon.ns, "link", "show", netdefs.bridge(i), check=False).returncode == 0


def effects_caveat(daemon, i):
    """None if the daemon really created network i's bridge, else why its times mislead."""
    if bridge_exists(daemon, i):
        return None
    return ("no host effects: bridge %s was not created, so this figure leaves out the bridge, "
            "firewall and dnsmasq work that libvirtd's includes" % netdefs.bridge(i))


# Memory is read this long after the last call: what a daemon holds while its
# clients are quiet (virtnatd gives freed heap back 1 s after the last call,
# driver/os/heap_trim.h).
MEMORY_QUIET_S = 1.5


def memory(rec, daemon, fig, networks, caveat=None):
    time.sleep(MEMORY_QUIET_S)
    rss = daemons.rss_kib(daemon.pid)
    if rss == 0:
        rec.miss(fig, daemon.key, "daemon process is gone")
        return
    rec.put(fig, daemon.key, [rss / 1024.0], "MiB", caveat)
    rec.put(fig + "_anon", daemon.key, [daemons.rss_kib(daemon.pid, "RssAnon") / 1024.0], "MiB",
            caveat)
    if networks == 0:
        return
    helpers = daemon.helper_pids()
    suffix = fig.split("_")[-1]
    rec.put("procs_per_net_" + suffix, daemon.key, [len(helpers) / float(networks)],
            "processes", caveat)
    rec.put("helpers_pss_" + suffix, daemon.key,
            [sum(daemons.pss_kib(p) for p in helpers) / 1024.0], "MiB", caveat)


def library_floor(rec, daemon):
    rec.put("rss_floor", daemon.key, [daemons.library_floor_kib(daemon) / 1024.0], "MiB")


def cycles(rec, daemon, conn, count):
    xml = netdefs.nat_xml(CYCLE_NET)
    times = {"define": [], "start": [], "destroy": [], "undefine": [], "define_start": []}
    cpu = {"define": 0.0, "start": 0.0, "destroy": 0.0, "undefine": 0.0}
    caveat = None
    net = None

    def timed(op, fn):
        """Wall ms of fn(); its CPU (see ns_cpu) is added to cpu[op] outside the clock."""
        before = ns_cpu(daemon)
        t0 = time.perf_counter()
        out = fn()
        ms = ms_since(t0)
        took = cpu_between(before, ns_cpu(daemon))
        if k > 0:
            cpu[op] += took
        return ms, out

    for k in range(count + 1):  # the first cycle warms caches and is not counted
        t_def, net = timed("define", lambda: conn.networkDefineXML(xml))
        t_start, _ = timed("start", net.create)
        if k == 0:
            caveat = effects_caveat(daemon, CYCLE_NET)
        t_destroy, _ = timed("destroy", net.destroy)
        t_undef, _ = timed("undefine", net.undefine)
        if k == 0:
            continue
        times["define"].append(t_def)
        times["start"].append(t_start)
        times["define_start"].append(t_def + t_start)
        times["destroy"].append(t_destroy)
        times["undefine"].append(t_undef)
    for fig, samples in times.items():
        rec.put("cycle_" + fig, daemon.key, samples, "ms",
                caveat if fig in ("start", "define_start", "destroy") else None)
    for op, seconds in cpu.items():
        rec.put("cpu_" + op, daemon.key, [seconds * 1e3 / count], "ms CPU",
                caveat if op in ("start", "destroy") else None)


def settled_starts(rec, daemon, conn, count):
    """Starts timed SETTLED_GAP_S after the previous destroy, so that no start
    meets the kernel's deferred work of the one before (its own network, so
    the phase timings of CYCLE_NET stay the back-to-back cycles')."""
    xml = netdefs.nat_xml(netdefs.SETTLED_NET)
    times = []
    caveat = None
    for k in range(count + 1):  # the first warms caches and is not counted
        net = conn.networkDefineXML(xml)
        t0 = time.perf_counter()
        net.create()
        took = ms_since(t0)
        if k == 0:
            caveat = effects_caveat(daemon, netdefs.SETTLED_NET)
        net.destroy()
        net.undefine()
        if k > 0:
            times.append(took)
        time.sleep(netdefs.SETTLED_GAP_S)
    rec.put("cycle_start_settled", daemon.key, times, "ms", caveat)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _ns_pids(daemon):
    """The pids (as /proc names) of the processes in the daemon's network
    namespace; none if the daemon is gone."""
    try:
        mine = os.readlink("/proc/%d/ns/net" % daemon.pid)
    except OSError:
        return
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/ns/net" % name) == mine:
                yield name
        except OSError:
            continue  # gone meanwhile


def _schedstat_sum(name, field):
    """The sum over a process's threads of one field of their schedstat."""
    total = 0
    for tid in os.listdir("/proc/%s/task" % name):
        with open("/proc/%s/task/%s/schedstat" % (name, tid)) as f:
            total += int(f.read().split()[field])
    return total


def ns_cpu(daemon):
    """{pid: (ppid, CPU seconds)} of every process in the daemon's network namespace.

    A process's CPU is its threads' run time (schedstat, nanoseconds) plus the
    cutime + cstime of the children it has waited for (clock ticks): so the
    iptables, nft, tc and ip processes a daemon runs and reaps are counted, and
    so is dnsmasq's leases helper. Kernel work done in those processes' system
    calls is in their time; deferred kernel work (workqueues, RCU) is not."""
    out = {}
    for name in _ns_pids(daemon):
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            waited = (int(fields[13]) + int(fields[14])) / float(CLK_TCK)
            out[int(name)] = (ppid, _schedstat_sum(name, 0) / 1e9 + waited)
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return out


def dnsmasq_wakeups(daemon):
    """{pid: times scheduled} of every dnsmasq in the daemon's network namespace.

    The third field of /proc/PID/task/TID/schedstat counts the times a thread
    was put on a CPU: for a process that sleeps in poll() between events, its
    wake-ups."""
    out = {}
    for name in _ns_pids(daemon):
        try:
            with open("/proc/%s/comm" % name) as f:
                if f.read().strip() != "dnsmasq":
                    continue
            out[int(name)] = _schedstat_sum(name, 2)
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return out


def wakeups_between(before, after):
    """Wake-ups of the dnsmasq processes that ran before and after (the other
    networks' ones: a dnsmasq started or stopped in between is left out)."""
    return sum(after[p] - before[p] for p in before if p in after)


def own_cpu_between(before, after, pid):
    """The part of cpu_between that is `pid` itself and the children it waited for."""
    if pid not in after:
        return 0.0
    return after[pid][1] - before.get(pid, (0, 0.0))[1]


def cpu_between(before, after):
    """CPU seconds the namespace's processes used between two ns_cpu samples.

    A process that ended in between is counted through the parent that waited
    for it (its whole time lands in the parent's cutime, minus what the first
    sample already had); one whose parent is outside the namespace (a
    daemonized dnsmasq reparented to init) only loses its last slice."""
    total = 0.0
    for pid, (_, cpu) in after.items():
        total += cpu - before.get(pid, (0, 0.0))[1]
    for pid, (ppid, cpu) in before.items():
        if pid not in after and ppid in after:
            total -= cpu  # already in the first sample, now inside its parent's cutime
    return total


class ApartOnTwoCpus:
    """Runs the client (this thread) on one CPU and every thread of the daemon on
    another, then gives both all CPUs back. A call from one client is a
    round trip whose cost depends on where the scheduler put the two: on
    this 2-vCPU machine an XMLDesc takes 0.02 ms when they share a CPU and
    0.09-0.10 ms when they do not (each wake-up then crosses CPUs), and the
    scheduler moves them between the two cases during a run. Fixed apart,
    every daemon is measured the same way. Threads the daemon makes later
    inherit its CPU. A machine with one CPU leaves everything as it is."""

    def __init__(self, pid):
        self.pid = pid
        self.cpus = sorted(os.sched_getaffinity(0))

    def _threads(self):
        try:
            return [int(t) for t in os.listdir("/proc/%d/task" % self.pid)]
        except OSError:
            return []

    def _pin(self, client, daemon):
        os.sched_setaffinity(0, client)
        for tid in self._threads():
            try:
                os.sched_setaffinity(tid, daemon)
            except OSError:
                pass  # a thread that ended meanwhile

    def __enter__(self):
        if len(self.cpus) >= 2:
            self._pin({self.cpus[0]}, {self.cpus[1]})
        return self

    def __exit__(self, *exc):
        if len(self.cpus) >= 2:
            self._pin(set(self.cpus), set(self.cpus))
        return False


def rpc(rec, daemon, conn, defined, calls, clients, calls_per_client):
    nets = [conn.networkDefineXML(netdefs.nat_xml(RPC_FIRST + i)) for i in range(defined)]
    try:
        for op in ("list", "xml"):
            samples = []
            with ApartOnTwoCpus(daemon.pid):
                for k in range(calls + 5):
                    t0 = time.perf_counter()
                    if op == "list":
                        conn.listAllNetworks(0)
                    else:
                        nets[k % len(nets)].XMLDesc(0)
                    if k >= 5:
                        samples.append(ms_since(t0))
            rec.put("rpc_%s_1" % op, daemon.key, samples, "ms")
            try:
                cpu0 = cpu_seconds(daemon.pid)
                samples, per_s = concurrent(daemon.uri, op, clients, calls_per_client)
                cpu = cpu_seconds(daemon.pid) - cpu0
                rec.put("rpc_%s_n" % op, daemon.key, samples, "ms")
                rec.put("rpc_%s_n_rate" % op, daemon.key, [per_s], "calls/s")
                # Includes connection set-up and close; the same for both daemons.
                rec.put("rpc_%s_n_cpu" % op, daemon.key, [cpu * 1e6 / len(samples)],
                        "us CPU/call")
            except daemons.Unavailable as e:
                rec.miss("rpc_%s_n" % op, daemon.key, str(e))
                rec.miss("rpc_%s_n_rate" % op, daemon.key, str(e))
                rec.miss("rpc_%s_n_cpu" % op, daemon.key, str(e))
    finally:
        for net in nets:
            net.undefine()


def cpu_seconds(pid):
    """CPU time of all the process's threads, in nanoseconds from the scheduler
    (clock ticks in /proc/PID/stat are too coarse for a few thousand calls)."""
    total = 0
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        try:
            with open(os.path.join(task_dir, tid, "schedstat")) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError):
            pass  # a thread that ended between listdir and open
    return total / 1e9


def concurrent(uri, op, clients, calls):
    """Per-call latencies of `clients` processes calling at once, each on its own
    connection, and the calls per second they got through together."""
    procs = [subprocess.Popen([sys.executable, WORKER, uri, op, str(calls)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(clients)]
    try:
        for p in procs:
            if p.stdout.readline().strip() != "ready":
                raise daemons.Unavailable("RPC client could not connect: %s" %
                                          p.stderr.read().strip()[-300:])
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        samples, starts, ends = [], [], []
        for p in procs:
            out, err = p.communicate(timeout=600)
            if p.returncode != 0:
                raise daemons.Unavailable("RPC client failed: %s" % err.strip()[-300:])
            result = json.loads(out)
            samples.extend(result["ms"])
            starts.append(result["start"])
            ends.append(result["end"])
        return samples, len(samples) / (max(ends) - min(starts))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
