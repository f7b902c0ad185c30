"""Start latency as networks pile up, with forwarding and memory at set levels.

Networks 0, 1, 2, ... are defined and started one after another and every
start is timed (the plot's curve). At each level L of `levels` (networks
already running) a probe network is started and destroyed `probes` times:
that is the figure "start with L running". Network 0 carries the forwarding
test, so "with 500" means the same guest with 499 more networks beside it.
At the last level the starts are also timed while CPU hogs load the machine
(load.py). Then the starts go on up to `top` networks (as far as the
extension's time budget allows), traffic is forwarded through the first and
the last of them, and every network is destroyed one by one.
"""

import time

import libvirt

import daemons
import forwarding
import load
import netdefs
import phases


class Limits:
    def __init__(self, start_s, budget_s, top, top_budget_s, destroy_budget_s, load_starts,
                 load_budget_s, top_fwd):
        self.start_s = start_s  # one start slower than this ends the phase
        self.budget_s = budget_s  # reaching the last level (per daemon) ends after this
        self.top = top  # then networks go on up to this many
        self.top_budget_s = top_budget_s  # ... for at most this long
        self.destroy_budget_s = destroy_budget_s  # destroying them all: at most this long
        self.load_starts = load_starts  # starts under load at the last level
        self.load_budget_s = load_budget_s
        self.top_fwd = top_fwd  # (iperf seconds, repeats, pings) through the first and last


def level_figures(levels, mem_level):
    return (["start_at_%d" % level for level in levels] +
            ["cpu_start_at_%d" % level for level in levels] +
            ["cpu_own_start_at_%d" % level for level in levels] +
            ["wakeups_start_at_%d" % level for level in levels] +
            ["rss_%d" % mem_level, "rss_%d_anon" % mem_level, "procs_per_net_%d" % mem_level,
             "helpers_pss_%d" % mem_level, "fwd_tput_1", "fwd_rtt_1", "fwd_tput_n",
             "fwd_rtt_n", "load_start", "load_fail"])


def top_figures():
    return ["scale_reached", "start_beyond", "rss_top", "rss_top_anon", "fwd_tput_top_first", "fwd_rtt_top_first",
            "fwd_tput_top_last", "fwd_rtt_top_last", "destroy_all", "destroy_all_total"]


def run(rec, daemon, conn, levels, probes, limits, fwd, fwd_args, mem_level):
    """Returns the number of networks running at the end."""
    curve = rec.curves.setdefault(daemon.key, [])
    t_phase = time.monotonic()
    t_beyond = None
    running = 0
    caveat = None
    stop_reason = None
    last = max(levels)
    top = max(limits.top, last)
    beyond = []
    while running <= top:
        if running in levels:
            probe(rec, daemon, conn, running, probes, caveat)
        if running == 1:
            measure_fwd(rec, daemon, fwd, "1", fwd_args)
        if running == mem_level:
            phases.memory(rec, daemon, "rss_%d" % mem_level, running, caveat)
        if running == last:
            measure_fwd(rec, daemon, fwd, "n", fwd_args)
            load.run(rec, daemon, conn, running, limits.load_starts, limits.load_budget_s)
            t_beyond = time.monotonic()
        if running == top:
            break
        net = conn.networkDefineXML(netdefs.nat_xml(running))
        t0 = time.perf_counter()
        try:
            net.create()
        except libvirt.libvirtError as e:
            stop_reason = "starting network %d failed: %s" % (
                running + 1, " ".join(e.get_error_message().split())[:300])
            net.undefine()
            break
        ms = phases.ms_since(t0)
        if running == 0:
            caveat = phases.effects_caveat(daemon, 0)
        curve.append((running, ms))
        if t_beyond is not None:
            beyond.append(ms)
        running += 1
        now = time.monotonic()
        if ms > limits.start_s * 1e3:
            stop_reason = ("starting network %d took %.1f s (limit %.0f s per start)" %
                           (running, ms / 1e3, limits.start_s))
        elif t_beyond is None and now - t_phase > limits.budget_s:
            stop_reason = ("%d networks took %.0f s to start, over this phase's budget of "
                           "%.0f s; the next %d would take longer still" %
                           (running, now - t_phase, limits.budget_s, last - running))
        elif t_beyond is not None and now - t_beyond > limits.top_budget_s and running < top:
            stop_reason = ("the starts beyond %d networks are capped at %.0f s" %
                           (last, limits.top_budget_s))
        if stop_reason:
            break
    if stop_reason:
        rec.note("%s: stopped at %d running networks: %s." % (daemon.label, running, stop_reason))
        why = "stopped at %d networks (see notes)" % running
        # miss() keeps a figure that was measured: this marks only the others.
        for fig in level_figures(levels, mem_level) if running < last else []:
            rec.miss(fig, daemon.key, why)
    if running >= last and top > last:
        at_top(rec, daemon, conn, running, beyond, limits, fwd, limits.top_fwd, caveat)
    return running


def at_top(rec, daemon, conn, running, beyond, limits, fwd, fwd_args, caveat):
    """Figures with the most networks this daemon reached, then destroys them all."""
    rec.put("scale_reached", daemon.key, [float(running)], "networks", caveat)
    rec.put("start_beyond", daemon.key, beyond, "ms", caveat)
    phases.memory(rec, daemon, "rss_top", running, caveat)
    measure_fwd(rec, daemon, fwd, "top_first", fwd_args)
    last_path = forwarding.Path(daemon, running - 1, wan=fwd.wan)
    try:
        measure_fwd(rec, daemon, last_path, "top_last", fwd_args)
    finally:
        last_path.remove_guest()
    destroy_all(rec, daemon, conn, running, limits.destroy_budget_s, caveat)


def destroy_all(rec, daemon, conn, running, budget_s, caveat):
    samples = []
    t0 = time.monotonic()
    for i in range(running):
        if time.monotonic() - t0 > budget_s:
            why = ("destroyed %d of %d networks in %.0f s, the cap of this step; the rest went "
                   "with the namespace" % (i, running, time.monotonic() - t0))
            rec.note("%s: %s." % (daemon.label, why))
            rec.miss("destroy_all_total", daemon.key, why)
            break
        net = conn.networkLookupByName(netdefs.name(i))
        t = time.perf_counter()
        net.destroy()
        samples.append(phases.ms_since(t))
    else:
        rec.put("destroy_all_total", daemon.key, [time.monotonic() - t0], "s", caveat)
    rec.put("destroy_all", daemon.key, samples, "ms", caveat)


# The CPU of a probe start is sampled this long after the call returns, so
# that what the other networks' dnsmasq do about the new bridge's events
# (they wake on every address and route change) is counted too.
CPU_TAIL_S = 0.2


def probe(rec, daemon, conn, level, count, caveat):
    net = conn.networkDefineXML(netdefs.nat_xml(netdefs.PROBE_NET))
    samples = []
    cpu = own = 0.0
    wakeups = 0
    try:
        for _ in range(count):
            woke = phases.dnsmasq_wakeups(daemon)
            before = phases.ns_cpu(daemon)
            t0 = time.perf_counter()
            net.create()
            samples.append(phases.ms_since(t0))
            time.sleep(CPU_TAIL_S)
            after = phases.ns_cpu(daemon)
            wakeups += phases.wakeups_between(woke, phases.dnsmasq_wakeups(daemon))
            cpu += phases.cpu_between(before, after)
            own += phases.own_cpu_between(before, after, daemon.pid)
            net.destroy()
    finally:
        if net.isActive():
            net.destroy()
        net.undefine()
    rec.put("start_at_%d" % level, daemon.key, samples, "ms", caveat)
    rec.put("cpu_start_at_%d" % level, daemon.key, [cpu * 1e3 / count], "ms CPU", caveat)
    rec.put("cpu_own_start_at_%d" % level, daemon.key, [own * 1e3 / count], "ms CPU", caveat)
    rec.put("wakeups_start_at_%d" % level, daemon.key, [wakeups / float(count)], "wake-ups",
            caveat)


def measure_fwd(rec, daemon, fwd, suffix, fwd_args):
    try:
        fwd.measure(rec, suffix, *fwd_args)
    except daemons.Unavailable as e:
        for fig in ("fwd_tput_", "fwd_rtt_"):
            rec.miss(fig + suffix, daemon.key, str(e))
