"""The two daemons under test, each in its own network namespace.

libvirtd runs as root (as Debian runs it) but inside a private mount
namespace whose tmpfs mounts hide the host's /run, /etc/libvirt,
/var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt: it can neither
read nor change the machine's own libvirt state, its autostart networks, its
D-Bus (so no firewalld) or systemd. Its sockets live in the run's temporary
directory, outside those mounts, so the client reaches them by path.
"""

import os
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


class Libvirtd(Daemon):
    key = "libvirtd"
    label = "libvirtd 9.0"

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
                f.write("mount -t tmpfs -o mode=0755 vnbench %s\n" % d)
            f.write("exec libvirtd --config %s --pid-file /run/libvirtd.pid\n" % conf)
        self.socket = os.path.join(sock_dir, "libvirt-sock")
        # Each exec keeps the pid: ip netns exec -> unshare -> sh -> libvirtd.
        self._launch(["unshare", "-m", "--propagation", "private", "sh", inner], log_path)


class Virtnatd(Daemon):
    key = "virtnatd"
    label = "virtnatd"

    def __init__(self, workdir, binary):
        super().__init__(workdir)
        self.binary = binary

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
        self._launch([os.path.abspath(self.binary), "--socket", self.socket,
                      "--socket-ro", self.socket + "-ro", "--config-dir", dirs["config"],
                      "--state-dir", dirs["state"], "--run-dir", dirs["run"]], log_path)


def _last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
        return lines[-1] if lines else "(no output)"
    except OSError:
        return "(no log)"


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
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
