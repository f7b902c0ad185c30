"""Start latency as networks pile up, with forwarding and memory at set levels.

Networks 0, 1, 2, ... are defined and started one after another and every
start is timed (the plot's curve). At each level L of `levels` (networks
already running) a probe network is started and destroyed `probes` times:
that is the figure "start with L running". Network 0 carries the forwarding
test, so "with 500" means the same guest with 499 more networks beside it.
"""

import time

import libvirt

import daemons
import netdefs
import phases

PROBE_NET = 999


class Limits:
    def __init__(self, start_s, budget_s):
        self.start_s = start_s  # one start slower than this ends the phase
        self.budget_s = budget_s  # the whole phase (per daemon) ends after this


def run(rec, daemon, conn, levels, probes, limits, fwd, fwd_args, mem_level):
    """Returns the number of networks running at the end."""
    curve = rec.curves.setdefault(daemon.key, [])
    t_phase = time.monotonic()
    running = 0
    caveat = None
    stop_reason = None
    top = max(levels)
    while running <= top:
        if running in levels:
            probe(rec, daemon, conn, running, probes, caveat)
        if running == 1:
            measure_fwd(rec, daemon, fwd, "1", fwd_args)
        if running == mem_level:
            phases.memory(rec, daemon, "rss_%d" % mem_level, running, caveat)
        if running == top:
            measure_fwd(rec, daemon, fwd, "n", fwd_args)
            break
        net = conn.networkDefineXML(netdefs.nat_xml(running))
        t0 = time.perf_counter()
        try:
            net.create()
        except libvirt.libvirtError as e:
            stop_reason = "starting network %d failed: %s" % (
                running + 1, " ".join(e.get_error_message().split())[:300])
            break
        ms = phases.ms_since(t0)
        if running == 0:
            caveat = phases.effects_caveat(daemon, 0)
        curve.append((running, ms))
        running += 1
        elapsed = time.monotonic() - t_phase
        if ms > limits.start_s * 1e3:
            stop_reason = ("starting network %d took %.1f s (limit %.0f s per start)" %
                           (running, ms / 1e3, limits.start_s))
        elif elapsed > limits.budget_s and running < top:
            stop_reason = ("%d networks took %.0f s to start, over this phase's budget of "
                           "%.0f s; the next %d would take longer still" %
                           (running, elapsed, limits.budget_s, top - running))
        if stop_reason:
            break
    if stop_reason:
        rec.note("%s: stopped at %d running networks: %s." % (daemon.label, running, stop_reason))
        # miss() keeps a figure that was measured: this marks only the others.
        why = "stopped at %d networks (see notes)" % running
        for fig in (["start_at_%d" % level for level in levels] +
                    ["cpu_start_at_%d" % level for level in levels] +
                    ["cpu_own_start_at_%d" % level for level in levels] +
                    ["rss_%d" % mem_level, "procs_per_net_%d" % mem_level,
                     "helpers_pss_%d" % mem_level, "fwd_tput_1", "fwd_rtt_1", "fwd_tput_n",
                     "fwd_rtt_n"]):
            rec.miss(fig, daemon.key, why)
    return running


# The CPU of a probe start is sampled this long after the call returns, so
# that what the other networks' dnsmasq do about the new bridge's events
# (they wake on every link and address change) is counted too.
CPU_TAIL_S = 0.2


def probe(rec, daemon, conn, level, count, caveat):
    net = conn.networkDefineXML(netdefs.nat_xml(PROBE_NET))
    samples = []
    cpu = own = 0.0
    try:
        for _ in range(count):
            before = phases.ns_cpu(daemon)
            t0 = time.perf_counter()
            net.create()
            samples.append(phases.ms_since(t0))
            time.sleep(CPU_TAIL_S)
            after = phases.ns_cpu(daemon)
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


def measure_fwd(rec, daemon, fwd, suffix, fwd_args):
    try:
        fwd.measure(rec, suffix, *fwd_args)
    except daemons.Unavailable as e:
        for fig in ("fwd_tput_", "fwd_rtt_"):
            rec.miss(fig + suffix, daemon.key, str(e))
