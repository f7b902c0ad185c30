"""RESULTS.md: the machine, the table of figures, the targets, the notes."""

import os
import platform
import subprocess
import time

import netdefs
import stats
from record import Figure, Missing

DAEMONS = ("libvirtd", "libvirtd11", "virtnatd")
REFS = ("libvirtd", "libvirtd11")  # the references virtnatd is measured against
LABELS = {"libvirtd": "libvirtd 9.0", "libvirtd11": "libvirtd 11.3", "virtnatd": "virtnatd"}


# Issue 15's targets.
START_X, DESTROY_X, SCALE_X, RSS_MIB, RSS_TOP_MIB, LOAD_P99_MS = 20, 50, 2.0, 8, 16, 1000


def rows(p):
    """(figure id, what, target) in table order; `p` are the run's parameters."""
    lv = p["levels"]
    return [
        ("cycle_define_start", "define + start, NAT with DHCP", None),
        ("cycle_define", "define", None),
        ("cycle_start", "start", "virtnatd >= %gx faster" % START_X),
        ("cycle_start_settled", "... start %g s after the previous destroy (the kernel has "
         "finished freeing its bridge)" % netdefs.SETTLED_GAP_S, None),
        ("cycle_destroy", "destroy", "virtnatd >= %gx faster" % DESTROY_X),
        ("cycle_undefine", "undefine", None),
        ("cpu_start", "CPU per start (daemon + its processes)", None),
        ("cpu_destroy", "CPU per destroy (daemon + its processes)", None),
        ("cpu_define", "CPU per define", None),
        ("cpu_undefine", "CPU per undefine", None),
        ("start_at_%d" % lv[0], "start with %d running" % lv[0], None),
        ("start_at_%d" % lv[1], "start with %d running" % lv[1], None),
        ("start_at_%d" % lv[2], "start with %d running" % lv[2],
         "within %gx of with %d" % (SCALE_X, lv[0])),
    ] + [row for n in lv for row in (
        ("cpu_start_at_%d" % n, "CPU per start with %d running (daemon + its processes, "
         "until 0.2 s after)" % n, None),
        ("cpu_own_start_at_%d" % n, "... with %d running, of which the daemon and the "
         "commands it waited for (the rest: dnsmasq and its helpers)" % n, None))] + [
        ("wakeups_start_at_%d" % n, "dnsmasq wake-ups per start with %d running (the other "
         "networks' dnsmasq, until 0.2 s after)" % n, None) for n in lv] + [
        ("load_start", "start with %d running, machine busy (CPU hogs, 2 per core)" % lv[-1],
         "virtnatd p99 <= %g s" % (LOAD_P99_MS / 1e3)),
        ("load_fail", "... starts that failed under load", "virtnatd 0"),
        ("rpc_list_1", "listAllNetworks, 1 client, %d defined" % p["rpc_defined"],
         "no worse than libvirtd"),
        ("rpc_xml_1", "XMLDesc, 1 client", "no worse than libvirtd"),
        ("rpc_list_n", "listAllNetworks, %d clients" % p["clients"], "better than libvirtd"),
        ("rpc_xml_n", "XMLDesc, %d clients" % p["clients"], "better than libvirtd"),
        ("rpc_list_n_rate", "listAllNetworks, %d clients, all together" % p["clients"], None),
        ("rpc_xml_n_rate", "XMLDesc, %d clients, all together" % p["clients"], None),
        ("rpc_list_n_cpu", "daemon CPU per listAllNetworks call, %d clients" % p["clients"],
         None),
        ("rpc_xml_n_cpu", "daemon CPU per XMLDesc call, %d clients" % p["clients"], None),
        ("fwd_tput_1", "TCP throughput guest -> NAT -> wan, 1 network", None),
        ("fwd_tput_n", "TCP throughput, %d networks running" % lv[2],
         "within 5% of 1 network"),
        ("fwd_rtt_1", "ping round trip guest -> wan, 1 network", None),
        ("fwd_rtt_n", "ping round trip, %d networks running" % lv[2], None),
        ("rss_0", "daemon RSS, 0 networks", None),
        ("rss_floor", "... RSS of a process with only the daemon's libraries loaded (ld.so "
         "--preload into /bin/sleep, nothing called; libvirtd's driver modules not counted)",
         None),
        ("rss_%d" % p["mem_level"], "daemon RSS, %d networks running" % p["mem_level"],
         "virtnatd < %g MiB" % RSS_MIB),
        ("rss_%d_anon" % p["mem_level"], "... of which its own heap and stacks (RssAnon; the "
         "rest is shared libraries' and its binary's pages)", None),
        ("procs_per_net_%d" % p["mem_level"], "processes per running network", "1"),
        ("helpers_pss_%d" % p["mem_level"], "memory of those processes together (PSS)", None),
    ] + top_rows(p)


def top(p):
    return p.get("scale_top", max(p["levels"]))


def top_rows(p):
    n, last = top(p), max(p["levels"])
    if n <= last:
        return []
    return [
        ("scale_reached", "networks started (of %d)" % n, "virtnatd all %d" % n),
        ("start_beyond", "start of networks %d to %d" % (last + 1, n), None),
        ("rss_top", "daemon RSS, %d networks running" % n, "virtnatd < %g MiB" % RSS_TOP_MIB),
        ("rss_top_anon", "... of which its own heap and stacks (RssAnon)", None),
        ("fwd_tput_top_first", "TCP throughput through network 1 of %d" % n, None),
        ("fwd_rtt_top_first", "ping round trip through network 1 of %d" % n, None),
        ("fwd_tput_top_last", "TCP throughput through network %d of %d" % (n, n), None),
        ("fwd_rtt_top_last", "ping round trip through network %d of %d" % (n, n), None),
        ("destroy_all", "destroy, each, all %d one by one" % n, None),
        ("destroy_all_total", "destroy all %d, total" % n, None),
    ]


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.3g" % v


def cells(entry):
    if isinstance(entry, Figure) and entry.samples:
        p95 = fmt(entry.p95) if len(entry.samples) > 1 else "-"
        mark = " (!)" if entry.caveat else ""
        return ["%s%s" % (fmt(entry.median), mark), p95]
    if isinstance(entry, Missing):
        return ["n/a", "-"]
    return ["-", "-"]


def ratio(rec, fig, ref="libvirtd"):
    a, b = rec.get(fig, "virtnatd"), rec.get(fig, ref)
    if isinstance(a, Figure) and isinstance(b, Figure) and a.samples and b.samples and b.median:
        return a.median / b.median
    return None


def unit_of(rec, fig):
    for d in DAEMONS:
        e = rec.get(fig, d)
        if isinstance(e, Figure):
            return e.unit
    return ""


def med(rec, fig, d):
    e = rec.get(fig, d)
    return e.median if isinstance(e, Figure) and e.samples else None


def verdicts(rec, p):
    """One line per target with the measured value and whether it is met."""
    lv, ml = p["levels"], p["mem_level"]
    out = []

    refs = [r for r in REFS if any(rec.get(fig, r) is not None for fig in rec.figures)]

    def ratio_target(fig, what, factor):
        for ref in refs:
            r = ratio(rec, fig, ref)
            head = "- %s, >= %gx faster than %s" % (what, factor, LABELS[ref])
            if r is None:
                out.append("%s: not measured (see table)." % head)
                continue
            speedup = 1 / r if r else float("inf")
            if caveated(rec, fig):
                out.append("%s: %.1fx, but (!) not comparable: virtnatd created no host "
                           "effects." % (head, speedup))
                continue
            state = ("met" if speedup >= factor else
                     "MISSED: %.1fx short of the target" % (factor / speedup))
            out.append("%s: %.1fx -> %s." % (head, speedup, state))

    ratio_target("cycle_start", "start of a NAT network with DHCP", START_X)
    ratio_target("cycle_destroy", "destroy", DESTROY_X)
    for d in DAEMONS:
        judge = d == "virtnatd"  # the targets are virtnatd's; libvirtd's value is context

        def state(ok, missed, fig=None):
            if not judge:
                return "for comparison"
            if fig and caveated(rec, fig):
                return "(!) not comparable: no host effects"
            return "met" if ok else "MISSED " + missed

        a, b = med(rec, "start_at_%d" % lv[2], d), med(rec, "start_at_%d" % lv[0], d)
        if a is not None and b:
            out.append("- %s: start with %d running = %.2fx the start with %d -> %s "
                       "(target <= %gx)." % (LABELS[d], lv[2], a / b, lv[0],
                                             state(a / b <= SCALE_X,
                                                   "by %.2fx" % (a / b / SCALE_X),
                                                   "start_at_%d" % lv[2]), SCALE_X))
        elif judge:
            out.append("- %s: start with %d running vs %d: not measured (see table)." %
                       (d, lv[2], lv[0]))
        a, b = med(rec, "fwd_tput_n", d), med(rec, "fwd_tput_1", d)
        if a is not None and b:
            drop = (1 - a / b) * 100
            out.append("- %s: throughput with %d networks = %+.1f%% against 1 network -> %s "
                       "(target within 5%%)." % (LABELS[d], lv[2], -drop,
                                                 state(drop <= 5, "by %.1f points" % (drop - 5))))
        elif judge:
            out.append("- %s: throughput with %d networks vs 1: not measured (see table)." %
                       (d, lv[2]))
    for fig, what, better in (("rpc_list_1", "listAllNetworks, 1 client", False),
                              ("rpc_xml_1", "XMLDesc, 1 client", False),
                              ("rpc_list_n", "listAllNetworks, %d clients" % p["clients"], True),
                              ("rpc_xml_n", "XMLDesc, %d clients" % p["clients"], True)):
        for ref in refs:
            r = ratio(rec, fig, ref)
            if r is None:
                out.append("- RPC %s: not measured against %s (see table)." %
                           (what, LABELS[ref]))
                continue
            ok = r < 1 if better else r <= 1.0
            out.append("- RPC %s: virtnatd/%s = %.2f -> %s (target %s)." %
                       (what, LABELS[ref], r, "met" if ok else "MISSED",
                        "< 1" if better else "<= 1"))
    out += scale_verdicts(rec, p)
    if caveated(rec, "rss_%d" % ml):
        out.append("- virtnatd memory and processes with %d networks: (!) not comparable: "
                   "no host effects." % ml)
        return out
    rss = med(rec, "rss_%d" % ml, "virtnatd")
    procs = med(rec, "procs_per_net_%d" % ml, "virtnatd")
    if rss is not None:
        out.append("- virtnatd RSS with %d networks: %.1f MiB -> %s (target < %g MiB)%s." %
                   (ml, rss, "met" if rss < RSS_MIB else "MISSED by %.1f MiB" % (rss - RSS_MIB),
                    RSS_MIB, floor_clause(rec)))
    if procs is not None:
        out.append("- virtnatd processes per network: %.2f -> %s (target 1)." %
                   (procs, "met" if abs(procs - 1) < 0.01 else "MISSED"))
    return out


def floor_clause(rec):
    """What virtnatd's libraries alone hold, for the RSS verdicts."""
    floor = med(rec, "rss_floor", "virtnatd")
    if floor is None:
        return ""
    return "; its libraries alone, loaded and not called: %.1f MiB" % floor


def scale_verdicts(rec, p):
    """The load, 1000-network and wake-up targets of virtnatd."""
    out = []
    lv, n = p["levels"], top(p)
    for d in DAEMONS:
        e = rec.get("load_start", d)
        fails = med(rec, "load_fail", d)
        if isinstance(e, Figure) and e.samples:
            p99 = stats.p99(e.samples)
            ok = p99 <= LOAD_P99_MS and not fails
            out.append("- %s: under load, p99 start with %d running = %.0f ms over %d starts, "
                       "%d failed -> %s (target p99 <= %g s, no failure)." % (
                           LABELS[d], lv[-1], p99, len(e.samples) + int(fails or 0),
                           int(fails or 0),
                           ("met" if ok else "MISSED") if d == "virtnatd" else "for comparison",
                           LOAD_P99_MS / 1e3))
        elif d == "virtnatd":
            out.append("- virtnatd: starts under load: not measured (see table).")
    if n > max(lv):
        for d in DAEMONS:
            got = med(rec, "scale_reached", d)
            if got is None:
                continue
            fwd = [x for x in ("first", "last") if med(rec, "fwd_tput_top_" + x, d)]
            total = med(rec, "destroy_all_total", d)
            state = "for comparison"
            if d == "virtnatd":
                state = "met" if got >= n and len(fwd) == 2 and total is not None else "MISSED"
            out.append("- %s: %d of %d networks started, traffic through %s, %s -> %s." % (
                LABELS[d], got, n, " and ".join("the %s" % x for x in fwd) or "none",
                "all destroyed in %.1f s" % total if total is not None else
                "not all destroyed (see notes)", state))
        rss = med(rec, "rss_top", "virtnatd")
        if rss is not None:
            out.append("- virtnatd RSS with %d networks: %.1f MiB -> %s (target < %g MiB)%s." % (
                n, rss, "met" if rss < RSS_TOP_MIB else "MISSED by %.1f MiB" %
                (rss - RSS_TOP_MIB), RSS_TOP_MIB, floor_clause(rec)))
    woke = [(lvl, med(rec, "wakeups_start_at_%d" % lvl, "virtnatd")) for lvl in lv]
    if all(w is not None for _, w in woke):
        out.append("- virtnatd: dnsmasq wake-ups per start: %s." % ", ".join(
            "%.0f with %d running" % (w, lvl) for lvl, w in woke))
    return out


def caveated(rec, fig):
    e = rec.get(fig, "virtnatd")
    return isinstance(e, Figure) and bool(e.caveat)


def machine():
    model, cores = "unknown CPU", 0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                cores += 1
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    debian = open("/etc/debian_version").read().strip() if os.path.exists(
        "/etc/debian_version") else "?"
    lv = subprocess.run(["libvirtd", "--version"], stdout=subprocess.PIPE, text=True,
                        check=False).stdout.strip()
    return ("%s, %d logical CPUs, %.1f GiB RAM; kernel %s; Debian %s; %s" %
            (model, cores, mem_kib / 1048576.0, platform.release(), debian, lv))


def write(path, rec, p, meta):
    stamp = meta.get("libvirt11") or {}
    ref11 = ("Debian 13's %s in a chroot of a Debian 13 root built by `bench/trixie-root` "
             "(mmdebstrap, cached; built %s in %s s), in the same kind of namespaces plus an "
             "overlay that keeps the cached root unchanged, nftables firewall backend (act_csum: "
             "see notes)" % (stamp.get("libvirtd", "libvirtd 11.3"), stamp.get("built", "?"),
                             stamp.get("build seconds", "?")) if stamp else
             "not run (--libvirt11 %s; see notes)" % meta.get("libvirt11_mode", "?"))
    shown = [d for d in DAEMONS if d != "libvirtd11" or stamp or
             any(rec.get(fig, d) is not None for fig in rec.figures)]
    refs = [d for d in shown if d in REFS]
    lines = ["# virtnat benchmark results", "",
             "- Date: %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "- Machine: %s" % machine(),
             "- Load average (1, 5, 15 min): %s at the start of the run, %s at the end" % (
                 meta.get("load_start", "?"), meta.get("load_end", "?")),
             "- virtnatd: %s" % meta["virtnatd"],
             "- Mode: %s; run took %.0f s; command: `%s`" % (p["mode"], meta["elapsed"],
                                                             meta["command"]),
             "- Every daemon runs as root in its own network namespace, driven by the host's "
             "(Debian 12) python3-libvirt over `network+unix:///system?socket=...`; "
             "libvirtd 9.0 is the host's, in a private mount namespace (a tmpfs over /run; "
             "/etc/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt are "
             "directories of the run's, on disk like the other daemons' state), all its "
             "drivers loaded as Debian runs it, firewall via iptables (nf_tables backend).",
             "- libvirtd 11.3: %s." % ref11,
             "- Times are wall-clock at the client, per API call. CPU is the daemon's own "
             "(all threads, from schedstat) plus what the processes of its namespace used "
             "(dnsmasq and its helper: schedstat) plus the children it waited for "
             "(cutime + cstime, clock ticks): the mean per call over the lifecycle cycles. "
             "Ratio = virtnatd median / reference median (below 1 is better for times and "
             "CPU, above 1 for throughput).",
             "- (!) marks a figure taken while the daemon created no host effects; "
             "such a figure is not comparable.", ""]
    head = ["figure", "unit"]
    for d in shown:
        head += ["%s median" % LABELS[d], "%s p95" % LABELS[d]]
    head += ["virtnatd / %s" % LABELS[r] for r in refs] + ["target"]
    lines += ["| %s |" % " | ".join(head), "|%s" % ("---|" * len(head))]
    for fig, what, target in rows(p):
        row = [what, unit_of(rec, fig) or "-"]
        for d in shown:
            row += cells(rec.get(fig, d))
        for r in refs:
            q = ratio(rec, fig, r)
            row.append(fmt(q) if q is not None else "-")
        row.append(target or "")
        lines.append("| %s |" % " | ".join(row))
    lines += ["", "Samples per figure: %s." % p["samples_text"], "", "## Targets", ""]
    lines += verdicts(rec, p)
    lines += ["", "## Where virtnatd's start and destroy go", "",
              rec.breakdown or "Not measured in this run (virtnatd did not run)."]
    # One line per daemon and reason: a daemon that is missing altogether
    # would otherwise repeat the same reason for every figure.
    grouped = {}
    for fig, what, _ in rows(p):
        for d in DAEMONS:
            e = rec.get(fig, d)
            if isinstance(e, Missing):
                grouped.setdefault((d, "not available: " + e.reason), []).append(what)
            elif isinstance(e, Figure) and e.caveat:
                grouped.setdefault((d, "(!) " + e.caveat), []).append(what)
    missing = ["- %s: %s (%s)" % (LABELS.get(d, d), reason, "all figures" if len(whats) == len(rows(p))
                                  else "; ".join(whats))
               for (d, reason), whats in grouped.items()]
    if missing or rec.notes:
        lines += ["", "## Notes", ""] + ["- " + n for n in rec.notes] + missing
    lines += ["", "![start latency](start-latency.png)", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
