"""bench/run: libvirtd 9.0 and virtnatd side by side; see bench/README.md."""

import argparse
import glob
import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback

import libvirt

import cleanup
import daemons
import forwarding
import netns
import phases
import plot
import report
import scale
import sysctl_limits
import timing
from record import Figure, Record

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FULL = dict(mode="full", cycles=30, levels=[1, 100, 500], probes=10, rpc_defined=100,
            rpc_calls=300, clients=16, calls_per_client=100, fwd_seconds=3, fwd_repeats=3,
            pings=200, mem_level=100, start_limit_s=10.0, scale_budget_s=420.0, scale_top=1000,
            top_budget_s=dict(virtnatd=240.0, default=60.0), destroy_budget_s=60.0,
            top_fwd=(3, 1, 50), load_starts=30, load_budget_s=45.0)
QUICK = dict(mode="quick", cycles=5, levels=[1, 5, 10], probes=3, rpc_defined=20,
             rpc_calls=50, clients=4, calls_per_client=20, fwd_seconds=1, fwd_repeats=1,
             pings=20, mem_level=10, start_limit_s=10.0, scale_budget_s=40.0, scale_top=10,
             top_budget_s=dict(default=20.0), destroy_budget_s=20.0, top_fwd=(1, 1, 10), load_starts=3,
             load_budget_s=10.0)


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small counts, under 2 minutes")
    ap.add_argument("--virtnatd", default=None,
                    help="virtnatd binary (default: build/virtnatd, or build/daemon/virtnatd "
                    "where older trees put it)")
    ap.add_argument("--out", help="results directory (default: bench/results, or "
                    "build/bench-quick with --quick)")
    ap.add_argument("--only", choices=["libvirtd", "libvirtd11", "virtnatd"],
                    help="run one daemon only")
    ap.add_argument("--libvirt11", choices=["yes", "auto", "cached", "no"],
                    help="Debian 13's libvirtd 11.3 as a second reference, from the root "
                    "bench/trixie-root builds once and caches: yes = build it if missing and "
                    "fail --check without it; auto = build it if missing, else skip with the "
                    "reason (default of a full run); cached = only if already built (default "
                    "of --quick, so CI never builds it); no = skip")
    ap.add_argument("--no-libvirt11", dest="libvirt11", action="store_const", const="no",
                    help="same as --libvirt11 no")
    ap.add_argument("--note", action="append", default=[],
                    help="a line for the report's notes (e.g. what else the machine was "
                    "doing); may be repeated")
    ap.add_argument("--virtnatd-arg", action="append", default=[], metavar="ARG",
                    help="one more argument for virtnatd (e.g. --virtnatd-arg=--dnsmasq-binary="
                    "PATH to measure another dnsmasq); may be repeated")
    ap.add_argument("--scale-only", action="store_true",
                    help="only the scale phase (levels, starts under load, up to --top "
                    "networks, destroy all): to measure a change to it in isolation")
    ap.add_argument("--top", type=int, help="networks the scale phase goes up to (default "
                    "1000, --quick 24; at most its last level means none beyond it)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless every libvirtd figure, the table and the plot were "
                    "made (the smoke test; virtnatd may degrade)")
    return ap.parse_args(argv)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def git_describe():
    r = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() or "unknown commit"


class Side:
    """One daemon with its connection and forwarding path, or why it is unavailable."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.conn = None
        self.fwd = None
        self.down = None

    @property
    def key(self):
        return self.daemon.key


def start_side(side, rec):
    try:
        side.daemon.start()
        side.conn = side.daemon.connect()
        side.fwd = forwarding.Path(side.daemon)
        side.fwd.setup_wan()
        log("%s up (pid %d, namespace %s)" % (side.key, side.daemon.pid, side.daemon.ns))
    except (daemons.Unavailable, libvirt.libvirtError, subprocess.CalledProcessError) as e:
        side.down = _reason(e)
        log("%s: not available: %s" % (side.key, side.down))
        side.daemon.stop()


def _reason(e):
    if isinstance(e, libvirt.libvirtError):
        return e.get_error_message()
    if isinstance(e, subprocess.CalledProcessError):
        return "%s failed: %s" % (" ".join(e.cmd), (e.stderr or "").strip())
    return str(e)


def phase(rec, side, name, figs, fn):
    """Runs fn() for one daemon; a failure marks `figs` unavailable and the run goes on."""
    if side.down:
        for f in figs:
            rec.miss(f, side.key, side.down)
        return
    log("%s: %s" % (side.key, name))
    try:
        fn()
    except Exception as e:  # one broken figure must not cost the others
        reason = "%s failed: %s" % (name, _reason(e))
        log("%s: %s" % (side.key, reason))
        traceback.print_exc()
        for f in figs:
            rec.miss(f, side.key, reason)
        if side.daemon.proc and side.daemon.proc.poll() is not None:
            side.down = "the daemon exited (status %d) during %s" % (side.daemon.proc.returncode,
                                                                     name)


def trixie_root(mode, rec):
    """The cached Debian 13 root for libvirtd 11.3, building it if `mode` allows;
    (root, None) or (None, why not)."""
    tool = os.path.join(REPO, "bench", "trixie-root")
    r = subprocess.run([tool, "--print"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode == 0:
        return r.stdout.strip(), None
    if mode == "cached":
        return None, ("no cached Debian 13 root (%s builds it once, a few minutes; or run "
                      "with --libvirt11 yes)" % "bench/trixie-root")
    log("libvirtd11: building the Debian 13 root (bench/trixie-root; once, then cached)")
    t0 = time.monotonic()
    r = subprocess.run([tool], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        tail = " ".join(r.stderr.strip().splitlines()[-3:])[-400:]
        return None, "bench/trixie-root failed (status %d): %s" % (r.returncode, tail)
    rec.note("The Debian 13 root for libvirtd 11.3 was built in this run in %.0f s." %
             (time.monotonic() - t0))
    return r.stdout.strip().splitlines()[-1], None


def trixie_stamp(root):
    try:
        with open(os.path.join(os.path.dirname(root), "stamp")) as f:
            return dict(l.rstrip("\n").split(": ", 1) for l in f if ": " in l)
    except (OSError, TypeError):
        return {}


def sweep_earlier_runs():
    """Removes what a run killed with SIGKILL left: namespaces and work directories."""
    for stale in netns.sweep_stale():
        log("removed namespace %s left by an earlier run" % stale)
    for stale in glob.glob(os.path.join(tempfile.gettempdir(), "vnbench-*-work.*")):
        if not os.path.exists("/proc/%s" % os.path.basename(stale).split("-")[1]):
            subprocess.run(["rm", "-rf", stale])


def main(argv):
    args = parse_args(argv)
    if args.virtnatd is None:
        # Where the build puts it now first: an older tree's build/daemon/virtnatd
        # may still be lying there, stale.
        candidates = [os.path.join(REPO, "build", "virtnatd"),
                      os.path.join(REPO, "build", "daemon", "virtnatd")]
        args.virtnatd = next((c for c in candidates if os.path.isfile(c)), candidates[0])
    p = dict(QUICK if args.quick else FULL)
    p["scale_only"] = args.scale_only
    if args.top is not None:
        p["scale_top"] = args.top
    p["samples_text"] = ("lifecycle %d cycles (after one warm-up); start at a level: %d probes; "
                         "RPC 1 client: %d calls, %d clients x %d calls; forwarding: %d x %d s "
                         "iperf3, %d pings; under load: up to %d starts in %.0f s; beyond the "
                         "last level: up to %d networks, forwarding through the first and the "
                         "last %d x %d s iperf3, %d pings" % (
                             p["cycles"], p["probes"], p["rpc_calls"], p["clients"],
                             p["calls_per_client"], p["fwd_repeats"], p["fwd_seconds"],
                             p["pings"], p["load_starts"], p["load_budget_s"], p["scale_top"],
                             p["top_fwd"][1], p["top_fwd"][0], p["top_fwd"][2]))
    if args.out:
        out = args.out
    elif args.quick:
        out = os.path.join(REPO, "build", "bench-quick")  # CI smoke: keep the checkout clean
    else:
        out = os.path.join(REPO, "bench", "results")
    os.makedirs(out, exist_ok=True)
    if os.geteuid() != 0:
        sys.exit("bench/run must run as root (network namespaces, libvirtd)")
    cleanup.install()
    t_run = time.monotonic()
    load_start = loadavg()
    sweep_earlier_runs()
    work = tempfile.mkdtemp(prefix="vnbench-%d-work." % os.getpid())
    # dnsmasq drops to an unprivileged user and still reads its files below here.
    os.chmod(work, 0o755)
    cleanup.push("work directory", lambda: subprocess.run(["rm", "-rf", work]))
    rec = Record()
    for n in args.note:
        rec.note(n)
    # Two daemons at the top level, dnsmasq's helper processes, and the rest
    # of the machine's root processes.
    raised = sysctl_limits.raise_inotify(4 * max(p["levels"] + [p["scale_top"]]) + 1024)
    if raised:
        rec.note(raised)
    sides = []
    if args.only in (None, "libvirtd"):
        sides.append(Side(daemons.Libvirtd(work)))
    l11 = args.libvirt11 or ("cached" if args.quick else "auto")
    stamp = {}
    if args.only == "libvirtd11" and l11 in ("cached", "no"):
        l11 = "yes"
    if args.only in (None, "libvirtd11") and l11 != "no":
        root, why = trixie_root(l11, rec)
        stamp = trixie_stamp(root)
        side = Side(daemons.Libvirtd11(work, root))
        if why:
            side.down = why
            log("libvirtd11: not available: %s" % why)
        sides.append(side)
    elif args.only is None:
        rec.note("libvirtd 11.3 was not run (--libvirt11 no).")
    if args.only in (None, "virtnatd"):
        sides.append(Side(daemons.Virtnatd(work, args.virtnatd, args.virtnatd_arg)))
    try:
        for s in sides:
            if not s.down:
                start_side(s, rec)
        run_phases(rec, sides, p)
        for s in sides:
            if isinstance(s.daemon, daemons.Virtnatd) and not s.down:
                timing.collect(rec, s.daemon.log_path, phases.CYCLE_NET)
    except KeyboardInterrupt:
        log("interrupted: cleaning up, no results written")
        cleanup.run_all()
        return 130
    finally:
        for s in sides:
            if s.conn:
                try:
                    s.conn.close()
                except libvirt.libvirtError:
                    pass
        cleanup.run_all()
    for s in sides:
        if isinstance(s.daemon, daemons.Libvirtd11) and s.daemon.proc:
            rec.note("libvirtd 11.3: this kernel has no act_csum, so the `tc filter add ... "
                     "action csum` that libvirt's nftables backend runs for each network with "
                     "DHCP (its DHCP checksum fix) was made a no-op that succeeds, by a `tc` "
                     "first on the chroot's PATH that hands every other call to the real tc: "
                     "%d such calls made no-ops in this run. The wrapper costs one /bin/sh per "
                     "tc call (libvirt runs tc three times per start, once per destroy): a "
                     "few ms per call, see bench/README.md." % s.daemon.csum_skipped())
    meta = {"virtnatd": "%s (repository at %s)" % (args.virtnatd, git_describe()),
            "libvirt11": stamp, "libvirt11_mode": l11, "load_start": load_start,
            "elapsed": time.monotonic() - t_run, "load_end": loadavg(),
            "command": " ".join(["bench/run"] + [shlex.quote(a) for a in argv])}
    report.write(os.path.join(out, "RESULTS.md"), rec, p, meta)
    png = os.path.join(out, "start-latency.png")
    log(plot.draw(png, rec, p["levels"]))
    log("wrote %s" % os.path.join(out, "RESULTS.md"))
    refs = [s.key for s in sides if s.key != "virtnatd" and
            (s.key == "libvirtd" or l11 == "yes")]
    # virtnatd's own figures are required too whenever it was run: a smoke
    # test that passes without them would not notice a daemon that fails.
    measured = refs + [s.key for s in sides if s.key == "virtnatd"]
    return check(rec, p, png, refs, measured) if args.check else 0


def check(rec, p, png, refs, measured):
    problems = []
    if not refs:
        problems.append("no reference libvirtd was run")
    for key in measured:
        for fig, what, _ in report.rows(p):
            e = rec.get(fig, key)
            if not (isinstance(e, Figure) and e.samples):
                problems.append("%s: %s: %s" % (key, what, getattr(e, "reason", "no samples")))
    if not os.path.exists(png):
        problems.append("no plot at %s" % png)
    mine = "%s-%d-" % (netns.PREFIX, os.getpid())
    left = [l.split()[0] for l in netns.sh(["ip", "netns", "list"]).stdout.splitlines()
            if l.startswith(mine)]
    if left:
        problems.append("namespaces left behind: %s" % " ".join(left))
    for line in problems:
        log("check: " + line)
    log("check: %s" % ("FAILED" if problems else "every figure, table and plot made"))
    return 1 if problems else 0


def run_phases(rec, sides, p):
    if not p["scale_only"]:
        other_phases(rec, sides, p)
    scale_phases(rec, sides, p)


def other_phases(rec, sides, p):
    for s in sides:
        phase(rec, s, "memory at 0 networks", ["rss_0"],
              lambda s=s: phases.memory(rec, s.daemon, "rss_0", 0))
        phase(rec, s, "memory of its libraries alone", ["rss_floor"],
              lambda s=s: phases.library_floor(rec, s.daemon))
    cyc = (["cycle_" + f for f in ("define", "start", "destroy", "undefine", "define_start")] +
           ["cpu_" + f for f in ("define", "start", "destroy", "undefine")])
    for s in sides:
        phase(rec, s, "lifecycle cycles", cyc,
              lambda s=s: phases.cycles(rec, s.daemon, s.conn, p["cycles"]))
    for s in sides:
        phase(rec, s, "settled starts", ["cycle_start_settled"],
              lambda s=s: phases.settled_starts(rec, s.daemon, s.conn, p["cycles"]))
    rpc = ["rpc_list_1", "rpc_xml_1"] + ["rpc_%s_n%s" % (op, kind) for op in ("list", "xml")
                                         for kind in ("", "_rate", "_cpu")]
    for s in sides:
        phase(rec, s, "RPC latency", rpc,
              lambda s=s: phases.rpc(rec, s.daemon, s.conn, p["rpc_defined"], p["rpc_calls"],
                                     p["clients"], p["calls_per_client"]))


def scale_phases(rec, sides, p):
    ml = p["mem_level"]
    scale_figs = scale.level_figures(p["levels"], ml) + scale.top_figures()
    fwd_args = (p["fwd_seconds"], p["fwd_repeats"], p["pings"])
    for s in sides:
        budgets = p["top_budget_s"]
        limits = scale.Limits(p["start_limit_s"], p["scale_budget_s"], p["scale_top"],
                              budgets.get(s.key, budgets["default"]), p["destroy_budget_s"],
                              p["load_starts"], p["load_budget_s"], p["top_fwd"])
        phase(rec, s, "scale to %d networks" % max(p["levels"] + [p["scale_top"]]), scale_figs,
              lambda s=s: scale.run(rec, s.daemon, s.conn, p["levels"], p["probes"], limits,
                                    s.fwd, fwd_args, ml))
        # Hundreds of idle dnsmasq instances and firewall rules should not weigh
        # on the next daemon's figures.
        if s.conn:
            s.conn.close()
            s.conn = None
        had_networks = s.daemon.proc is not None
        s.daemon.stop()
        if had_networks and s is not sides[-1]:
            waited, quiet = netns.settle()
            log("kernel settled %.1f s after %s's teardown%s" %
                (waited, s.key, "" if quiet else " (still busy: gave up waiting)"))
            rec.note("After %s's scale phase its namespace (with its networks) was deleted "
                     "and the next daemon's scale phase waited %.0f s for the kernel to "
                     "finish freeing it (until a bridge was added and deleted in a scratch "
                     "namespace in under 250 ms three times in a row%s)." % (s.daemon.label, waited,
                                                   "" if quiet else "; it never did, the "
                                                   "run went on after 180 s"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
