#!/usr/bin/python3
"""Crash test (issue 5): random define / start / create / update / destroy /
undefine / port create / port delete calls through python-libvirt while virtnatd is SIGKILLed at random
moments, often in the middle of a call, and restarted. After every restart
the daemon's view, the files on disk and the host (bridges, nftables,
dnsmasq) must agree with what the client saw acknowledged; a call cut off by
the kill may have happened or not, but then wholly. Nothing may be left that
no network owns.

Runs as root; the daemon lives in a network namespace of the test's own that
outlives the daemon restarts. VIRTNAT_CRASH_SEED, VIRTNAT_CRASH_OPS and
VIRTNAT_CRASH_KILLS override the defaults to reproduce or stretch a run."""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crash_model as model  # noqa: E402
import crash_host as host  # noqa: E402

VIRTNATD = sys.argv[1]
SEED = int(os.environ.get("VIRTNAT_CRASH_SEED", "5305"))
OPS = int(os.environ.get("VIRTNAT_CRASH_OPS", "300"))
KILLS = int(os.environ.get("VIRTNAT_CRASH_KILLS", "36"))
# Kills land this long after the call is sent: most calls take 1-40 ms.
MAX_KILL_DELAY = 0.04

counts = {"operations": 0, "acknowledged": 0, "unacknowledged": 0, "refused": 0, "kills": 0,
          "restarts": 0, "checks": 0, "rules damaged": 0, "kills during start-up": 0,
          "port operations": 0, "port operations cut off": 0}
failures = []


def fail(what):
    print("FAIL: " + what, flush=True)
    failures.append(what)


class Daemon:
    def __init__(self, tmp, netns):
        self.tmp = tmp
        self.netns = netns
        self.sock = os.path.join(tmp, "sock")
        self.proc = None
        self.log_offset = 0

    def spawn(self):
        for path in (self.sock, self.sock + "-ro"):
            if os.path.exists(path):
                os.unlink(path)
        log = open(os.path.join(self.tmp, "daemon.log"), "ab")
        cmd = ["ip", "netns", "exec", self.netns, VIRTNATD, "--socket", self.sock, "--socket-ro",
               self.sock + "-ro", "--config-dir", self.tmp + "/etc", "--state-dir",
               self.tmp + "/lib", "--lease-status-dir", self.tmp + "/lib/nss", "--run-dir",
               self.tmp + "/run", "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, stderr=log)
        log.close()

    def start(self):
        self.spawn()
        deadline = time.monotonic() + 10
        while not os.path.exists(self.sock + "-ro"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("virtnatd did not start:\n" + self.new_log())
            time.sleep(0.005)
        return libvirt.open("network+unix:///system?socket=" + self.sock)

    def kill(self):
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def reap(self):
        self.proc.wait()

    def new_log(self):
        with open(os.path.join(self.tmp, "daemon.log"), errors="replace") as f:
            f.seek(self.log_offset)
            text = f.read()
            self.log_offset = f.tell()
        return text


class Killer:
    """SIGKILLs the daemon `delay` seconds after arm(); wait() returns the
    monotonic time of the kill."""

    def __init__(self, daemon, delay):
        self.daemon = daemon
        self.delay = delay
        self.killed_at = None
        self.thread = threading.Thread(target=self.run)

    def run(self):
        time.sleep(self.delay)
        self.killed_at = time.monotonic()
        self.daemon.kill()

    def arm(self):
        self.thread.start()

    def wait(self):
        self.thread.join()
        return self.killed_at


def check_log(text, when):
    """Warnings a kill may cause are expected; anything else is not."""
    expected = ("is gone; cleaning up what is left of it",
                "was being started by an earlier daemon; cleaning up what is left of it",
                "firewall rules were missing (",
                "is no longer running; now served by dnsmasq pid",
                # An undefine cut off between the definition and its mark.
                "autostart link without a definition; removed")
    for line in text.splitlines():
        if line and not any(e in line for e in expected):
            fail("%s: daemon log: %s" % (when, line))


def verify(conn, daemon, world, when):
    counts["checks"] += 1
    observed = host.observe_api(conn)
    # Autostart networks start in the background once the daemon listens.
    deadline = time.monotonic() + 5
    while not world.allows(observed) and time.monotonic() < deadline:
        time.sleep(0.02)
        observed = host.observe_api(conn)
    world.collapse(observed, fail, when)
    for problem in host.check_host(daemon.tmp, daemon.netns, world, observed):
        fail("%s: %s" % (when, problem))


def damage_rules(netns, world, rng):
    """While no daemon runs, takes away part of a running network's rules, as
    a kill in the middle of a stop or a foreign tool might: the restarted
    daemon must put them back (the client last saw the network running)."""
    running = [slot for slot in range(model.SLOTS)
               if all(s and s[1] for s in world.states[slot])]
    if not running:
        return None
    br = model.bridge_of(rng.choice(running))
    how = rng.choice(["chain", "rules", "base"])
    script = {
        "chain": "delete element inet virtnat fwd_in { \"%s\" }; "
                 "delete chain inet virtnat %s_in" % (br, br),
        "rules": "flush chain inet virtnat %s_out" % br,
        "base": "flush chain inet virtnat forward",
    }[how]
    subprocess.run(["ip", "netns", "exec", netns, "nft", script], check=True)
    counts["rules damaged"] += 1
    return "%s of %s" % (how, br)


def run_op(conn, daemon, world, op, kill_delay):
    killer = None
    if kill_delay is not None:
        killer = Killer(daemon, kill_delay)
        killer.arm()
    error = None
    try:
        model.call(conn, op)
    except libvirt.libvirtError as e:
        error = e
    returned_at = time.monotonic()
    killed_at = killer.wait() if killer else None
    counts["operations"] += 1
    if op[0].startswith("port-"):
        counts["port operations"] += 1
    if error is None:
        counts["acknowledged"] += 1
        world.apply(op)
    elif killed_at is not None and killed_at <= returned_at:
        counts["unacknowledged"] += 1
        if op[0].startswith("port-"):
            counts["port operations cut off"] += 1
        world.apply_unknown(op)
    else:
        fail("%s refused: %s" % (model.describe(op), error))
        counts["refused"] += 1
    return killer is not None


def main():
    if os.geteuid() != 0:
        print("needs root for a network namespace")
        sys.exit(1)
    print("seed %d (VIRTNAT_CRASH_SEED), %d operations, %d kills" % (SEED, OPS, KILLS))
    rng = random.Random(SEED)
    # Calls cut off by a kill are expected; the test reports what matters.
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    tmp = tempfile.mkdtemp(prefix="virtnat-crash.")
    netns = "virtnat-crash-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", netns], check=True)
    daemon = Daemon(tmp, netns)
    began = time.monotonic()
    try:
        conn = daemon.start()
        world = model.World()
        kill_at = set(rng.sample(range(OPS), KILLS))
        for i in range(OPS):
            op = world.random_op(rng)
            delay = None
            if i in kill_at:
                # A quarter of the kills come before the call reaches the daemon.
                delay = 0.0 if rng.random() < 0.25 else rng.uniform(0, MAX_KILL_DELAY)
            if run_op(conn, daemon, world, op, delay):
                counts["kills"] += 1
                daemon.reap()
                damaged = damage_rules(netns, world, rng) if rng.random() < 0.3 else None
                if rng.random() < 0.2:
                    # Killed again while it re-adopts and cleans up.
                    daemon.spawn()
                    time.sleep(rng.uniform(0, 0.03))
                    daemon.kill()
                    daemon.reap()
                    counts["kills during start-up"] += 1
                try:
                    conn.close()
                except libvirt.libvirtError:
                    pass
                conn = daemon.start()
                world.restarted()
                counts["restarts"] += 1
                when = "after kill %d (op %d: %s%s)" % (
                    counts["kills"], i, model.describe(op),
                    ", damaged %s" % damaged if damaged else "")
                check_log(daemon.new_log(), when)
                verify(conn, daemon, world, when)
            elif i % 25 == 24:
                verify(conn, daemon, world, "after op %d" % i)
            if len(failures) > 20:
                break
        verify(conn, daemon, world, "at the end")
        # Everything down, then nothing defined: no trace may remain.
        for op in world.teardown_ops():
            run_op(conn, daemon, world, op, None)
        verify(conn, daemon, world, "after tearing every network down")
        leftovers = host.leftover_files(tmp)
        if leftovers:
            fail("files left with no network defined: %s" % leftovers)
        check_log(daemon.new_log(), "at the end")
        conn.close()
        daemon.proc.terminate()
        daemon.reap()
    finally:
        if daemon.proc and daemon.proc.poll() is None:
            daemon.kill()
            daemon.reap()
        host.kill_dnsmasq_under(tmp)
        subprocess.run(["ip", "netns", "del", netns], check=False)
        if failures:
            print("--- daemon log")
            with open(os.path.join(tmp, "daemon.log"), errors="replace") as f:
                sys.stdout.write(f.read())
        shutil.rmtree(tmp, ignore_errors=True)
    print(", ".join("%s %d" % kv for kv in counts.items()) +
          ", %.1f s" % (time.monotonic() - began))
    if counts["operations"] < OPS or counts["kills"] < KILLS:
        fail("ran %d operations and %d kills" % (counts["operations"], counts["kills"]))
    if counts["port operations"] == 0:
        fail("no port was created or deleted")
    if failures:
        print("%d failure(s); reproduce with VIRTNAT_CRASH_SEED=%d" % (len(failures), SEED))
        sys.exit(1)
    print("all passed")


if __name__ == "__main__":
    main()
