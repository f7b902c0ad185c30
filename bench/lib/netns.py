"""Throw-away network namespaces, and the processes that live in them.

Names are `vnbench-<pid of the run>-<role>`, so a later run can tell a
namespace left by a run that was killed with SIGKILL (its pid is gone) from
one of a run still going, and remove only the former.
"""

import os
import re
import signal
import subprocess
import time

import cleanup

PREFIX = "vnbench"


def sh(args, check=True, **kwargs):
    return subprocess.run(args, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kwargs)


def pids(ns):
    out = sh(["ip", "netns", "pids", ns], check=False).stdout
    return [int(p) for p in out.split()]


def kill_all(ns, grace=3.0):
    """Ends every process whose network namespace is `ns` (all started by this run)."""
    victims = pids(ns)
    for pid in victims:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and pids(ns):
        time.sleep(0.05)
    for pid in pids(ns):
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and pids(ns):
        time.sleep(0.05)


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def delete(ns):
    kill_all(ns)
    sh(["ip", "netns", "del", ns], check=False)


def create(role):
    name = "%s-%d-%s" % (PREFIX, os.getpid(), role)
    sh(["ip", "netns", "add", name])
    cleanup.push("namespace %s" % name, lambda: delete(name))
    sh(["ip", "-n", name, "link", "set", "lo", "up"])
    return name


def sweep_stale():
    """Removes namespaces of earlier runs whose process no longer exists."""
    out = sh(["ip", "netns", "list"], check=False).stdout
    removed = []
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(r"%s-(\d+)-[\w.-]+" % PREFIX, name)
        if not m or os.path.exists("/proc/%s" % m.group(1)):
            continue
        delete(name)
        removed.append(name)
    return removed


def run(ns, args, check=True, **kwargs):
    return sh(["ip", "netns", "exec", ns] + list(args), check=check, **kwargs)


def popen(ns, args, **kwargs):
    return subprocess.Popen(["ip", "netns", "exec", ns] + list(args), **kwargs)


def veth(ns_a, name_a, ns_b, name_b):
    """A veth pair created directly inside `ns_a`, its peer moved into `ns_b`."""
    sh(["ip", "-n", ns_a, "link", "add", name_a, "type", "veth", "peer", "name", name_b,
        "netns", ns_b])
    sh(["ip", "-n", ns_a, "link", "set", name_a, "up"])
    sh(["ip", "-n", ns_b, "link", "set", name_b, "up"])


def ip(ns, *args, check=True):
    return sh(["ip", "-n", ns] + list(args), check=check)


def settle(max_s=180.0, quiet_ms=250.0, streak=3):
    """Waits until the kernel has finished tearing down what an earlier daemon left.

    A deleted namespace with hundreds of bridges is freed by the kernel in the
    background, under the RTNL lock; a daemon started meanwhile waits for that
    lock in its first link operations (once 10 s). This adds and deletes a
    bridge in a scratch namespace until that takes under `quiet_ms`
    `streak` times in a row, or `max_s` passed. Returns the seconds waited and
    whether the kernel got quiet."""
    t0 = time.monotonic()
    name = create("settle")
    quiet = 0
    try:
        while time.monotonic() - t0 < max_s:
            t = time.monotonic()
            ip(name, "link", "add", "vnbsettle", "type", "bridge")
            ip(name, "link", "del", "vnbsettle")
            quiet = quiet + 1 if (time.monotonic() - t) * 1e3 < quiet_ms else 0
            if quiet >= streak:
                return time.monotonic() - t0, True
            time.sleep(0.2)
        return time.monotonic() - t0, False
    finally:
        delete(name)
