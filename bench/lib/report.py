"""RESULTS.md: the machine, the table of figures, the targets, the notes."""

import os
import platform
import subprocess
import time

from record import Figure, Missing

DAEMONS = ("libvirtd", "virtnatd")


def rows(p):
    """(figure id, what, target) in table order; `p` are the run's parameters."""
    lv = p["levels"]
    return [
        ("cycle_define_start", "define + start, NAT with DHCP", "virtnatd >= 10x faster"),
        ("cycle_define", "define", None),
        ("cycle_start", "start", "virtnatd >= 10x faster"),
        ("cycle_destroy", "destroy", "virtnatd >= 20x faster"),
        ("cycle_undefine", "undefine", None),
        ("start_at_%d" % lv[0], "start with %d running" % lv[0], None),
        ("start_at_%d" % lv[1], "start with %d running" % lv[1], None),
        ("start_at_%d" % lv[2], "start with %d running" % lv[2],
         "within 1.5x of with %d" % lv[0]),
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
        ("rss_%d" % p["mem_level"], "daemon RSS, %d networks running" % p["mem_level"],
         "virtnatd < 10 MiB"),
        ("procs_per_net_%d" % p["mem_level"], "processes per running network", "1"),
        ("helpers_pss_%d" % p["mem_level"], "memory of those processes together (PSS)", None),
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


def ratio(rec, fig):
    a, b = rec.get(fig, "virtnatd"), rec.get(fig, "libvirtd")
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

    def ratio_target(fig, what, factor):
        r = ratio(rec, fig)
        if r is None:
            out.append("- %s, >= %gx faster: not measured (see table)." % (what, factor))
            return
        speedup = 1 / r if r else float("inf")
        if caveated(rec, fig):
            out.append("- %s, >= %gx faster: %.1fx, but (!) not comparable: virtnatd created "
                       "no host effects." % (what, factor, speedup))
            return
        state = ("met" if speedup >= factor else
                 "MISSED: %.1fx short of the target" % (factor / speedup))
        out.append("- %s, >= %gx faster: %.1fx -> %s." % (what, factor, speedup, state))

    ratio_target("cycle_start", "start of a NAT network with DHCP", 10)
    ratio_target("cycle_destroy", "destroy", 20)
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
                       "(target <= 1.5x)." % (d, lv[2], a / b, lv[0],
                                              state(a / b <= 1.5, "by %.2fx" % (a / b / 1.5),
                                                    "start_at_%d" % lv[2])))
        elif judge:
            out.append("- %s: start with %d running vs %d: not measured (see table)." %
                       (d, lv[2], lv[0]))
        a, b = med(rec, "fwd_tput_n", d), med(rec, "fwd_tput_1", d)
        if a is not None and b:
            drop = (1 - a / b) * 100
            out.append("- %s: throughput with %d networks = %+.1f%% against 1 network -> %s "
                       "(target within 5%%)." % (d, lv[2], -drop,
                                                 state(drop <= 5, "by %.1f points" % (drop - 5))))
        elif judge:
            out.append("- %s: throughput with %d networks vs 1: not measured (see table)." %
                       (d, lv[2]))
    for fig, what, better in (("rpc_list_1", "listAllNetworks, 1 client", False),
                              ("rpc_xml_1", "XMLDesc, 1 client", False),
                              ("rpc_list_n", "listAllNetworks, %d clients" % p["clients"], True),
                              ("rpc_xml_n", "XMLDesc, %d clients" % p["clients"], True)):
        r = ratio(rec, fig)
        if r is None:
            out.append("- RPC %s: not measured (see table)." % what)
            continue
        ok = r < 1 if better else r <= 1.0
        out.append("- RPC %s: virtnatd/libvirtd = %.2f -> %s (target %s)." %
                   (what, r, "met" if ok else "MISSED", "< 1" if better else "<= 1"))
    if caveated(rec, "rss_%d" % ml):
        out.append("- virtnatd memory and processes with %d networks: (!) not comparable: "
                   "no host effects." % ml)
        return out
    rss = med(rec, "rss_%d" % ml, "virtnatd")
    procs = med(rec, "procs_per_net_%d" % ml, "virtnatd")
    if rss is not None:
        out.append("- virtnatd RSS with %d networks: %.1f MiB -> %s (target < 10 MiB)." %
                   (ml, rss, "met" if rss < 10 else "MISSED by %.1f MiB" % (rss - 10)))
    if procs is not None:
        out.append("- virtnatd processes per network: %.2f -> %s (target 1)." %
                   (procs, "met" if abs(procs - 1) < 0.01 else "MISSED"))
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
    lines = ["# virtnat benchmark results", "",
             "- Date: %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "- Machine: %s" % machine(),
             "- virtnatd: %s" % meta["virtnatd"],
             "- Mode: %s; run took %.0f s; command: `%s`" % (p["mode"], meta["elapsed"],
                                                             meta["command"]),
             "- Both daemons run as root, each in its own network namespace, driven by "
             "Debian's python3-libvirt over `network+unix:///system?socket=...`; "
             "libvirtd 9.0 in a private mount namespace (tmpfs over /run, /etc/libvirt, "
             "/var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt), all its drivers "
             "loaded as Debian runs it, firewall via iptables (nf_tables backend).",
             "- Times are wall-clock at the client, per API call. Ratio = virtnatd median / "
             "libvirtd median (below 1 is better for times, above 1 for throughput).",
             "- (!) marks a figure taken while the daemon created no host effects; "
             "such a figure is not comparable.",
             "", "| figure | unit | libvirtd median | libvirtd p95 | virtnatd median | "
             "virtnatd p95 | ratio | target |", "|---|---|---|---|---|---|---|---|"]
    for fig, what, target in rows(p):
        r = ratio(rec, fig)
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            what, unit_of(rec, fig) or "-", " | ".join(cells(rec.get(fig, "libvirtd"))),
            " | ".join(cells(rec.get(fig, "virtnatd"))), fmt(r) if r is not None else "-",
            target or ""))
    lines += ["", "Samples per figure: %s." % p["samples_text"], "", "## Targets", ""]
    lines += verdicts(rec, p)
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
    missing = ["- %s: %s (%s)" % (d, reason, "all figures" if len(whats) == len(rows(p))
                                  else "; ".join(whats))
               for (d, reason), whats in grouped.items()]
    if missing or rec.notes:
        lines += ["", "## Notes", ""] + ["- " + n for n in rec.notes] + missing
    lines += ["", "![start latency](start-latency.png)", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
