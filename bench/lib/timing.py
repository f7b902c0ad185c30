"""virtnatd's own breakdown of a start and a destroy, read from its debug log.

At debug level virtnatd logs one line per start and per destroy:
    start timing: network 'NAME': PHASE=MS PHASE=MS ... total=MS
    destroy timing: network 'NAME': ...
The report gives the median of each phase over the lifecycle cycles' network
(or over every network if that one has none), phases in the order logged."""

import re

import netdefs
import stats

LINE = re.compile(r"\b(start|destroy) timing: network '([^']*)': (.*)$")
PAIR = re.compile(r"([A-Za-z][\w.-]*)=([0-9]+(?:\.[0-9]+)?)(?:ms)?\b")


def parse(lines):
    """{op: {network: [{phase: ms}]}} from log lines; phases keep their order."""
    out = {}
    for line in lines:
        m = LINE.search(line.rstrip("\n"))
        if not m:
            continue
        phases = {}
        for name, value in PAIR.findall(m.group(3)):
            phases[name] = float(value)
        if phases:
            out.setdefault(m.group(1), {}).setdefault(m.group(2), []).append(phases)
    return out


def medians(parsed, op, network):
    """[(phase, median ms)], and how many lines they come from and from which networks."""
    per_net = parsed.get(op, {})
    runs = per_net.get(network)
    whence = "network %s" % network
    if not runs:
        runs = [r for rs in per_net.values() for r in rs]
        whence = "all networks"
    order, values = [], {}
    for r in runs:
        for name, ms in r.items():
            if name not in values:
                order.append(name)
            values.setdefault(name, []).append(ms)
    return [(name, stats.median(values[name])) for name in order], len(runs), whence


def collect(rec, log_path, cycle_net):
    """Puts the breakdown into rec.breakdown (report.py prints it), or says why not."""
    try:
        with open(log_path, errors="replace") as f:
            parsed = parse(f)
    except OSError as e:
        rec.breakdown = "virtnatd's log could not be read (%s)." % e
        return
    if not parsed:
        rec.breakdown = ("virtnatd logged no `start timing:` or `destroy timing:` lines at "
                         "debug level, so there is no breakdown of its start and destroy.")
        return
    lines = []
    for op in ("start", "destroy"):
        phases, count, whence = medians(parsed, op, netdefs.name(cycle_net))
        if not phases:
            lines.append("- %s: no `%s timing:` lines in virtnatd's log." % (op, op))
            continue
        lines.append("- %s (median of %d, %s): %s" % (
            op, count, whence, ", ".join("%s %.2f ms" % (n, v) for n, v in phases)))
    rec.breakdown = "\n".join(lines)
