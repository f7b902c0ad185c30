"""Kernel limits that hundreds of dnsmasq instances run into.

libvirt's dnsmasq configuration lets dnsmasq watch resolv.conf, which costs
one inotify instance per network, and fs.inotify.max_user_instances (128 on
Debian) counts the instances of every root process on the machine, across
all namespaces. The limit is raised for the run and put back at the end; the
old value is also kept in a file, so that the run after one killed with
SIGKILL puts it back.
"""

import os

import cleanup

PATH = "/proc/sys/fs/inotify/max_user_instances"
SAVED = "/tmp/vnbench-inotify-max-user-instances"


def _read():
    with open(PATH) as f:
        return int(f.read())


def _write(value):
    with open(PATH, "w") as f:
        f.write(str(value))


def _restore_from_file():
    try:
        with open(SAVED) as f:
            pid, old = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return
    if pid == os.getpid() or os.path.exists("/proc/%d" % pid):
        return  # that run is still going; it restores the value itself
    _write(old)
    os.unlink(SAVED)


def _restore(old):
    _write(old)
    try:
        os.unlink(SAVED)
    except OSError:
        pass


def raise_inotify(needed):
    """Returns a note for the results if the limit had to be raised, else None."""
    _restore_from_file()
    old = _read()
    if old >= needed:
        return None
    with open(SAVED, "w") as f:
        f.write("%d %d\n" % (os.getpid(), old))
    _write(needed)
    cleanup.push("restore %s" % PATH, lambda: _restore(old))
    return ("fs.inotify.max_user_instances was raised from %d to %d for the run (each "
            "dnsmasq with libvirt's configuration takes one instance; restored afterwards)" %
            (old, needed))
