"""Kernel limits that hundreds of dnsmasq instances run into.

libvirt's dnsmasq configuration lets dnsmasq watch resolv.conf, which costs
one inotify instance per network, and fs.inotify.max_user_instances (128 on
Debian) counts the instances of every root process on the machine, across
all namespaces. The limit is raised for the run and put back at the end.
"""

import cleanup

PATH = "/proc/sys/fs/inotify/max_user_instances"


def raise_inotify(needed):
    """Returns a note for the results if the limit had to be raised, else None."""
    with open(PATH) as f:
        old = int(f.read())
    if old >= needed:
        return None
    with open(PATH, "w") as f:
        f.write(str(needed))
    cleanup.push("restore %s" % PATH, lambda: _write(old))
    return ("fs.inotify.max_user_instances was raised from %d to %d for the run (each "
            "dnsmasq with libvirt's configuration takes one instance; restored afterwards)" %
            (old, needed))


def _write(value):
    with open(PATH, "w") as f:
        f.write(str(value))
