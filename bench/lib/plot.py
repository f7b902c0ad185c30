"""start-latency.png: start time against networks already running, every daemon.

matplotlib (Debian's python3-matplotlib) if it imports, else gnuplot; the
returned text says which, or why there is no plot.
"""

import os
import subprocess

from record import Figure

COLORS = {"libvirtd": "#c0392b", "libvirtd11": "#d68910", "virtnatd": "#2471a3"}
LABELS = {"libvirtd": "libvirtd 9.0", "libvirtd11": "libvirtd 11.3", "virtnatd": "virtnatd"}


def probes(rec, levels, key):
    pts = []
    for lv in levels:
        e = rec.get("start_at_%d" % lv, key)
        if isinstance(e, Figure) and e.samples:
            pts.append((lv, e.median, e.p95))
    return pts


def draw(path, rec, levels):
    series = {k: v for k, v in rec.curves.items() if v}
    if not series:
        return "no plot: no start latencies were measured"
    try:
        return _matplotlib(path, rec, levels, series)
    except ImportError:
        pass
    try:
        return _gnuplot(path, rec, levels, series)
    except (OSError, subprocess.CalledProcessError) as e:
        return "no plot: neither matplotlib nor gnuplot works (%s)" % e


def _matplotlib(path, rec, levels, series):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=100)
    for key, curve in series.items():
        label = LABELS.get(key, key)
        if any(isinstance(e, Figure) and e.caveat
               for e in (rec.get("start_at_%d" % lv, key) for lv in levels)):
            label += " (!) no host effects"
        xs = [x for x, _ in curve]
        ys = [y for _, y in curve]
        ax.plot(xs, ys, ".", ms=3, alpha=0.6, color=COLORS.get(key),
                label="%s: each start while filling up" % label)
        pts = probes(rec, levels, key)
        if pts:
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[[0] * len(pts), [p[2] - p[1] for p in pts]], fmt="o-", ms=7,
                        capsize=4, color=COLORS.get(key),
                        label="%s: probe start, median (bar to p95)" % label)
    ax.set_yscale("log")
    ax.set_xlabel("networks already running")
    ax.set_ylabel("start of one NAT network with DHCP (ms, log scale)")
    ax.set_title("Network start latency against running networks")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return "plot drawn with matplotlib"


def _gnuplot(path, rec, levels, series):
    base = os.path.splitext(path)[0]
    plots = []
    for key, curve in series.items():
        data = "%s-%s.dat" % (base, key)
        with open(data, "w") as f:
            f.writelines("%d %.3f\n" % (x, y) for x, y in curve)
        plots.append("'%s' using 1:2 with points pt 7 ps 0.4 lc rgb '%s' title '%s'" %
                     (data, COLORS.get(key, "#000000"), LABELS.get(key, key)))
    script = ("set terminal pngcairo size 900,550\nset output '%s'\nset logscale y\n"
              "set xlabel 'networks already running'\nset ylabel 'start (ms)'\n"
              "set grid\nplot %s\n" % (path, ", ".join(plots)))
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    for key in series:
        os.unlink("%s-%s.dat" % (base, key))
    return "plot drawn with gnuplot"
