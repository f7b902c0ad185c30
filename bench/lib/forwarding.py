"""Guest -> NAT -> wan traffic through a daemon's network 0 (or another one).

Per daemon: a guest namespace plugged into the network's bridge by a veth, and
a wan namespace on a veth from the daemon's namespace, which also carries the
daemon namespace's default route. The wan side has no route back to the
guest subnet, so replies only arrive if the daemon's masquerade works.
"""

import json
import re
import shutil
import time

import daemons
import netdefs
import netns

WAN_HOST = "198.51.100.1"  # the daemon namespace's end (TEST-NET-2)
WAN_PEER = "198.51.100.2"  # the wan namespace's end; iperf3 server and ping target
GUEST_ADDR_LAST = 10
# iputils' ping if there is one; busybox's takes the same options used here.
PING = ["ping"] if shutil.which("ping") else ["busybox", "ping"]


class Path:
    def __init__(self, daemon, net=0, wan=None):
        self.daemon = daemon
        self.net = net
        self.guest = None
        self.wan = wan  # another Path's wan namespace, shared

    def setup_wan(self):
        d = self.daemon.ns
        self.wan = netns.create(self.daemon.key + "-wan")
        netns.veth(d, "vnbwan", self.wan, "eth0")
        netns.ip(d, "addr", "add", WAN_HOST + "/24", "dev", "vnbwan")
        netns.ip(d, "route", "add", "default", "via", WAN_PEER)
        netns.ip(self.wan, "addr", "add", WAN_PEER + "/24", "dev", "eth0")

    def setup_guest(self):
        """Plugs the guest into the network; needs the bridge that the daemon made."""
        d = self.daemon.ns
        br = netdefs.bridge(self.net)
        if netns.ip(d, "link", "show", br, check=False).returncode != 0:
            raise daemons.Unavailable("bridge %s does not exist after the network started "
                                      "(the daemon created no host effects)" % br)
        self.guest = netns.create("%s-guest%d" % (self.daemon.key, self.net))
        netns.veth(d, self.veth(), self.guest, "eth0")
        netns.ip(d, "link", "set", self.veth(), "master", br)
        prefix = netdefs.subnet_prefix(self.net)
        netns.ip(self.guest, "addr", "add", "%s.%d/24" % (prefix, GUEST_ADDR_LAST), "dev", "eth0")
        netns.ip(self.guest, "route", "add", "default", "via", prefix + ".1")
        # STP with forward delay 0 still needs a moment to put the port in forwarding.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if netns.run(self.guest, PING + ["-c", "1", "-W", "1", WAN_PEER],
                         check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise daemons.Unavailable("guest cannot reach the wan side through the NAT")

    def veth(self):
        return "vnbguest" if self.net == 0 else "vnbg%d" % self.net

    def remove_guest(self):
        if self.guest is not None:
            netns.delete(self.guest)
            self.guest = None

    def measure(self, rec, suffix, seconds, repeats, pings):
        if self.guest is None:
            self.setup_guest()
        if shutil.which("iperf3"):
            rec.put("fwd_tput_" + suffix, self.daemon.key, self.iperf(seconds, repeats),
                    "Mbit/s")
        else:
            rec.miss("fwd_tput_" + suffix, self.daemon.key, "iperf3 is not installed")
        rec.put("fwd_rtt_" + suffix, self.daemon.key, self.ping(pings), "ms")

    def iperf(self, seconds, repeats):
        server = netns.popen(self.wan, ["iperf3", "-s", "-B", WAN_PEER],
                             stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
        try:
            samples = []
            for _ in range(repeats):
                samples.append(self._one_iperf(seconds))
            return samples
        finally:
            server.terminate()
            server.wait()

    def _one_iperf(self, seconds):
        last = ""
        for _ in range(50):  # the server may still be starting
            r = netns.run(self.guest, ["iperf3", "-c", WAN_PEER, "-t", str(seconds), "-J"],
                          check=False)
            try:
                result = json.loads(r.stdout)
            except ValueError:
                result = {}
            bps = result.get("end", {}).get("sum_received", {}).get("bits_per_second")
            if r.returncode == 0 and bps:
                return bps / 1e6
            last = result.get("error") or (r.stdout[-300:] + r.stderr[-200:])
            time.sleep(0.1)
        raise daemons.Unavailable("iperf3 failed: %s" % last.strip())

    def ping(self, count):
        r = netns.run(self.guest, PING + ["-c", str(count), "-i", "0.01", WAN_PEER],
                      check=False)
        samples = [float(m) for m in re.findall(r"time=([0-9.]+) ms", r.stdout)]
        if not samples:
            raise daemons.Unavailable("ping through the NAT got no replies")
        return samples
