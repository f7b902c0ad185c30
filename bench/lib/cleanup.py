"""Undo stack for everything the benchmark creates on the machine.

Every namespace, process and temporary directory is registered here right
after it is created; the stack runs in reverse order on normal exit, on an
exception, on Ctrl-C and on SIGTERM/SIGHUP, so a run never leaves daemons,
dnsmasq instances, namespaces or mounts behind.
"""

import atexit
import signal
import sys
import traceback

_actions = []  # (description, callable)
_ran = False


def push(description, action):
    """Registers `action` to run at teardown; returns a token for `run_now`."""
    entry = (description, action)
    _actions.append(entry)
    return entry


def run_now(token):
    """Runs one registered action early (e.g. stopping a daemon between phases)."""
    if token in _actions:
        _actions.remove(token)
        _safe(token)


def _safe(entry):
    description, action = entry
    try:
        action()
    except Exception:  # teardown must go on whatever one step does
        sys.stderr.write("cleanup: %s failed:\n%s" % (description, traceback.format_exc()))


def run_all():
    global _ran
    if _ran:
        return
    _ran = True
    # Signals during teardown would leave half-removed state; finish first.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while _actions:
        _safe(_actions.pop())


def _on_signal(signum, _frame):
    # Turned into an exception so that `finally` blocks and the stack run.
    raise KeyboardInterrupt("signal %d" % signum)


def install():
    atexit.register(run_all)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
