"""The two daemons under test, each in its own network namespace.

libvirtd runs as root (as Debian runs it) but inside a private mount
namespace whose mounts (a tmpfs on /run, directories of the run's temporary
directory, on disk, on the others) hide the host's /run, /etc/libvirt,
/var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt: it can neither
read nor change the machine's own libvirt state, its autostart networks, its
D-Bus (so no firewalld) or systemd. Its sockets live in the run's temporary
directory, outside those mounts, so the client reaches them by path.
"""

import os
import subprocess
import time

import libvirt

import cleanup
import netns

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)


class Unavailable(Exception):
    """A daemon or a figure could not be had; the message says why."""


def uri_for(socket_path):
    return "network+unix:///system?socket=%s" % socket_path


class Daemon:
    key = ""
    label = ""

    def __init__(self, workdir):
        self.workdir = os.path.join(workdir, self.key)
        os.makedirs(self.workdir)
        self.ns = None
        self.proc = None
        self.socket = None
        self._token = None

    @property
    def uri(self):
        return uri_for(self.socket)

    @property
    def pid(self):
        return self.proc.pid

    def connect(self):
        return libvirt.open(self.uri)

    def _wait_ready(self, log_path, timeout=30.0):
        deadline = time.monotonic() + timeout
        last = "socket %s never appeared" % self.socket
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Unavailable("exited with status %d at start-up: %s" %
                                  (self.proc.returncode, _last_line(log_path)))
            if os.path.exists(self.socket):
                try:
                    self.connect().close()
                    return
                except libvirt.libvirtError as e:
                    last = "connecting to %s: %s" % (self.socket, e.get_error_message())
            time.sleep(0.05)
        raise Unavailable("not ready after %.0f s: %s" % (timeout, last))

    def _launch(self, argv, log_path):
        self.ns = netns.create(self.key)
        log = open(log_path, "ab")
        self.proc = netns.popen(self.ns, argv, stdin=open(os.devnull), stdout=log, stderr=log,
                                start_new_session=True)
        log.close()
        ns = self.ns
        self._token = cleanup.push("%s in %s" % (self.key, ns), lambda: netns.delete(ns))
        self._wait_ready(log_path)

    def stop(self):
        """Ends the daemon and everything it spawned, and removes its namespace."""
        if self._token:
            cleanup.run_now(self._token)  # kills every process in the namespace
            self._token = None
        if self.proc:
            self.proc.wait()

    def helper_pids(self):
        """Processes in the daemon's namespace other than the daemon (dnsmasq, helpers)."""
        return [p for p in netns.pids(self.ns) if p != self.pid]

    # The daemon's executable, and the root it runs in ("/" but for libvirtd
    # 11.3's chroot), for library_floor_kib.
    binary = None
    root = "/"


class Libvirtd(Daemon):
    key = "libvirtd"
    label = "libvirtd 9.0"
    binary = "/usr/sbin/libvirtd"

    # Directories the root libvirtd reads or writes; /var/run is a link to /run.
    HIDDEN = ["/run", "/etc/libvirt", "/var/lib/libvirt", "/var/cache/libvirt",
              "/var/log/libvirt"]

    def start(self):
        sock_dir = os.path.join(self.workdir, "sock")
        os.makedirs(sock_dir)
        log_path = os.path.join(self.workdir, "libvirtd.log")
        conf = os.path.join(self.workdir, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write('listen_tls = 0\nlisten_tcp = 0\n'
                    'unix_sock_dir = "%s"\n'
                    'unix_sock_rw_perms = "0700"\n'
                    'auth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    'log_outputs = "3:file:%s"\n' % (sock_dir, log_path))
        inner = os.path.join(self.workdir, "enter.sh")
        with open(inner, "w") as f:
            f.write("set -e\n")
            for d in self.HIDDEN:
                if d == "/run":
                    f.write("mount -t tmpfs -o mode=0755 vnbench %s\n" % d)
                    continue
                # On disk, like a real host's (and like virtnatd's and libvirtd
                # 11.3's here): its definitions' writes cost what they cost.
                src = os.path.join(self.workdir, "fs" + d.replace("/", "_"))
                os.makedirs(src, mode=0o755)
                f.write("mount --bind %s %s\n" % (src, d))
            f.write("exec libvirtd --config %s --pid-file /run/libvirtd.pid\n" % conf)
        self.socket = os.path.join(sock_dir, "libvirt-sock")
        # Each exec keeps the pid: ip netns exec -> unshare -> sh -> libvirtd.
        self._launch(["unshare", "-m", "--propagation", "private", "sh", inner], log_path)


class Libvirtd11(Daemon):
    """Debian 13's libvirtd (11.3) from the root bench/trixie-root builds and caches.

    Inside its own network namespace and a private mount namespace, an
    overlay puts a per-run writable layer over the cached root (which no run
    changes), with /proc, the namespace's /sys, /dev and a tmpfs /run, and
    the run's directory at /vnbench; then libvirtd is chrooted there. Its
    sockets are in /vnbench/sock, so the host's client reaches them by path.

    This kernel has no act_csum, and libvirt 11's nftables backend adds a
    `tc ... action csum` filter (the DHCP checksum fix) to every network with
    DHCP; without it every start fails. A `tc` placed first on the chroot's
    PATH (/usr/local/sbin/tc in the per-run layer) makes exactly that call a
    no-op that succeeds, counts it in /vnbench/tc-csum.log, and hands every
    other call to the real /usr/sbin/tc.
    """

    key = "libvirtd11"
    label = "libvirtd 11.3"

    TC_WRAPPER = """#!/bin/sh
# bench: this kernel has no act_csum; libvirt's checksum filter is a no-op.
case " $* " in
  *" filter add "*" action csum "*)
    echo "$*" >>/vnbench/tc-csum.log
    exit 0 ;;
esac
exec /usr/sbin/tc "$@"
"""

    binary = Libvirtd.binary  # inside `root`

    def __init__(self, workdir, root):
        super().__init__(workdir)
        self.root = root
        self.version = None

    def csum_skipped(self):
        """How many `tc ... action csum` calls the wrapper made no-ops so far
        (kept once read: the run's directory goes at teardown)."""
        try:
            with open(os.path.join(self.workdir, "tc-csum.log")) as f:
                self._csum = sum(1 for _ in f)
        except OSError:
            pass
        return getattr(self, "_csum", 0)

    def stop(self):
        self.csum_skipped()
        super().stop()

    def start(self):
        if not self.root or not os.path.isfile(os.path.join(self.root, "usr/sbin/libvirtd")):
            raise Unavailable("no Debian 13 root with libvirtd at %s" % self.root)
        w = self.workdir
        for d in ("sock", "upper", "ovlwork", "merged"):
            os.makedirs(os.path.join(w, d))
        log_path = os.path.join(w, "libvirtd.log")
        with open(os.path.join(w, "libvirtd.conf"), "w") as f:
            f.write('listen_tls = 0\nlisten_tcp = 0\n'
                    'unix_sock_dir = "/vnbench/sock"\n'
                    'unix_sock_rw_perms = "0700"\n'
                    'auth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    'log_outputs = "3:file:/vnbench/libvirtd.log"\n')
        with open(os.path.join(w, "tc"), "w") as f:
            f.write(self.TC_WRAPPER)
        os.chmod(os.path.join(w, "tc"), 0o755)
        m = os.path.join(w, "merged")
        inner = os.path.join(w, "enter.sh")
        with open(inner, "w") as f:
            f.write("set -e\n"
                    "mount -t overlay vnbench -o lowerdir=%(root)s,upperdir=%(w)s/upper,"
                    "workdir=%(w)s/ovlwork %(m)s\n"
                    "mount -t proc proc %(m)s/proc\n"
                    "mount --rbind /sys %(m)s/sys\n"
                    "mount --rbind /dev %(m)s/dev\n"
                    "mount -t tmpfs -o mode=0755 vnbench %(m)s/run\n"
                    "mount -t tmpfs -o mode=1777 vnbench %(m)s/tmp\n"
                    "mkdir -p %(m)s/vnbench %(m)s/usr/local/sbin\n"
                    "mount --bind %(w)s %(m)s/vnbench\n"
                    "cp %(w)s/tc %(m)s/usr/local/sbin/tc\n"
                    # Debian 13's build tries iptables first and its root has iptables;
                    # the reference is libvirt 11's nftables backend, chosen here.
                    "printf 'firewall_backend = \"nftables\"\\n' "
                    ">%(m)s/etc/libvirt/network.conf\n"
                    # Debian's default network is not part of the benchmark.
                    "rm -rf %(m)s/etc/libvirt/qemu/networks/autostart "
                    "%(m)s/etc/libvirt/qemu/networks/*.xml\n"
                    "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                    "exec chroot %(m)s /usr/sbin/libvirtd --config /vnbench/libvirtd.conf "
                    "--pid-file /run/libvirtd.pid\n" % dict(root=self.root, w=w, m=m))
        self.socket = os.path.join(w, "sock", "libvirt-sock")
        self._launch(["unshare", "-m", "--propagation", "private", "sh", inner], log_path)


class Virtnatd(Daemon):
    key = "virtnatd"
    label = "virtnatd"

    def __init__(self, workdir, binary, extra_args=()):
        super().__init__(workdir)
        self.binary = binary
        self.extra_args = list(extra_args)

    def start(self):
        if not os.path.isfile(self.binary):
            raise Unavailable("no binary at %s (build it: cmake --build build)" % self.binary)
        if not os.access(self.binary, os.X_OK):
            raise Unavailable("%s is not executable" % self.binary)
        dirs = {}
        for d in ("config", "state", "run"):
            dirs[d] = os.path.join(self.workdir, d)
            os.makedirs(dirs[d])
        self.socket = os.path.join(dirs["run"], "virtnatd-sock")
        log_path = os.path.join(self.workdir, "virtnatd.log")
        self.log_path = log_path
        # Debug level: its `start timing:` / `destroy timing:` lines (timing.py).
        self._launch([os.path.abspath(self.binary), "--log-level=debug", "--socket", self.socket,
                      "--socket-ro", self.socket + "-ro", "--config-dir", dirs["config"],
                      "--state-dir", dirs["state"], "--lease-status-dir",
                      dirs["state"] + "/nss", "--run-dir", dirs["run"]] + self.extra_args, log_path)


def _last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
        return lines[-1] if lines else "(no output)"
    except OSError:
        return "(no log)"


def rss_kib(pid, field="VmRSS"):
    """VmRSS (all resident pages, the shared libraries' too) or RssAnon (its own heap
    and stacks) of a process, in KiB."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid):
    """Proportional set size: shared pages divided among the processes sharing them."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _elf_fields(path):
    """(program interpreter, [DT_NEEDED names]) of an ELF executable."""
    r = subprocess.run(["readelf", "--wide", "--program-headers", "--dynamic", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Unavailable("readelf %s: %s" % (path, r.stderr.strip() or r.returncode))
    interp = None
    needed = []
    for line in r.stdout.splitlines():
        if "Requesting program interpreter:" in line:
            interp = line.split(":", 1)[1].strip().rstrip("]")
        elif "(NEEDED)" in line and "[" in line:
            needed.append(line[line.index("[") + 1:line.rindex("]")])
    if not interp:
        raise Unavailable("%s has no program interpreter (not a dynamic executable)" % path)
    return interp, needed


def library_floor_kib(daemon, timeout=10.0):
    """VmRSS of /bin/sleep with the daemon's own libraries (its DT_NEEDED, and
    theirs) loaded by the dynamic loader (ld.so --preload, in the daemon's root)
    and nothing of them called: the memory no code of the daemon's own can go
    below. Libraries the daemon opens later (libvirtd's driver modules) are not
    in it."""
    chroot = [] if daemon.root == "/" else ["chroot", daemon.root]
    interp, needed = _elf_fields(os.path.join(daemon.root, daemon.binary.lstrip("/")) if chroot
                                 else daemon.binary)
    argv = chroot + [interp, "--preload", " ".join(needed), "/bin/sleep", "60"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        # Loaded once sleep sleeps: clock_nanosleep is system call 230 on x86-64.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Unavailable("%s: %s" % (" ".join(argv[:3]),
                                              proc.stderr.read().decode(errors="replace")))
            try:
                with open("/proc/%d/syscall" % proc.pid) as f:
                    if f.read().split(" ", 1)[0] == "230":
                        return rss_kib(proc.pid)
            except OSError:
                pass
            time.sleep(0.01)
        raise Unavailable("sleep with %s's libraries did not settle in %.0f s" %
                          (daemon.label, timeout))
    finally:
        proc.kill()
        proc.wait()
