"""The crash test's networks and its model of what the daemon must hold.

Eight slots, each a network name with its own bridge (vcrN) and subnet
(10.77.N.0/24). A network's state is (config, active, live, autostart,
ports): the persistent definition (None for a transient network), whether
it runs, its live definition, its autostart flag (the daemon starts such
networks when it starts) and the ports of a running network (numbers from a
pool of PORT_POOL; each port's XML and the network's connection count are
checked when observed). Definitions are compared in a normalized form (the
fields the test varies), so the daemon's runtime additions do not matter.

A call cut off by a kill leaves a set of candidate states for its network,
which the next observation collapses to the one the daemon holds."""

import xml.etree.ElementTree as ET

import libvirt

SLOTS = 8
# forward mode (None: isolated), with an IPv4 address, with DHCP
KINDS = [("nat", True, True), (None, True, True), ("route", True, True), ("nat", True, False),
         (None, False, False), ("nat", True, True), ("route", True, False), ("nat", True, True)]
RANGE_ENDS = (150, 200, 250)
HOST_POOL = 6  # hosts 0..3 may come with a definition, 0..5 through updates
PORT_POOL = 4
NO_PORTS = frozenset()


def name_of(slot):
    return "crash-%d" % slot


def bridge_of(slot):
    return "vcr%d" % slot


def host_entry(slot, k):
    return ("52:54:00:77:%02x:%02x" % (slot, k), "10.77.%d.%d" % (slot, 10 + k), "h%d" % k)


def port_uuid(slot, k):
    return "6b0c3e52-77a1-4c2e-9d1a-%06d%06d" % (slot, k)


def port_xml(slot, k):
    """What a client creates: no plug, some bandwidth (libvirt's shape)."""
    return ("<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>vm-%d</name>\n"
            "    <uuid>6b0c3e52-77a1-4c2e-9d1a-00000000ff%02d</uuid>\n  </owner>\n"
            "  <mac address='52:54:00:78:%02x:%02x'/>\n"
            "  <bandwidth>\n    <inbound average='%d'/>\n  </bandwidth>\n</networkport>\n" %
            (port_uuid(slot, k), k, k, slot, k, 100 + k))


def port_dumpxml(slot, k):
    """What net-port-dumpxml must print for it: the plug the network gives."""
    return port_xml(slot, k).replace(
        "</networkport>", "  <plug type='network' bridge='%s'/>\n</networkport>" % bridge_of(slot))


def has_dhcp(slot):
    return KINDS[slot][2]


def definition_xml(slot, range_end, hosts):
    mode, with_ip, dhcp = KINDS[slot]
    out = ["<network>", "  <name>%s</name>" % name_of(slot),
           "  <uuid>6b0c3e52-77a1-4c2e-9d1a-0000000000%02d</uuid>" % slot]
    if mode:
        out.append("  <forward mode='%s'/>" % mode)
    out.append("  <bridge name='%s' stp='on' delay='0'/>" % bridge_of(slot))
    if with_ip:
        out.append("  <ip address='10.77.%d.1' netmask='255.255.255.0'>" % slot)
        if dhcp:
            out.append("    <dhcp>")
            out.append("      <range start='10.77.%d.100' end='10.77.%d.%d'/>" %
                       (slot, slot, range_end))
            for k in sorted(hosts):
                mac, ip, name = host_entry(slot, k)
                out.append("      <host mac='%s' name='%s' ip='%s'/>" % (mac, name, ip))
            out.append("    </dhcp>")
        out.append("  </ip>")
    out.append("</network>")
    return "\n".join(out) + "\n"


def prefix_of(ip):
    if ip.get("prefix"):
        return int(ip.get("prefix"))
    mask = ip.get("netmask")
    if not mask:
        return None
    return sum(bin(int(part)).count("1") for part in mask.split("."))


def normalize(text):
    """The fields of a <network> that the test varies, as a hashable tuple."""
    root = ET.fromstring(text)
    forward = root.find("forward")
    bridge = root.find("bridge")
    ips, ranges, hosts = [], [], set()
    for ip in root.findall("ip"):
        ips.append((ip.get("address"), prefix_of(ip)))
        for r in ip.findall("dhcp/range"):
            ranges.append((r.get("start"), r.get("end")))
        for h in ip.findall("dhcp/host"):
            hosts.add(((h.get("mac") or "").lower(), h.get("ip"), h.get("name")))
    return (root.findtext("name"), root.findtext("uuid"),
            forward.get("mode") if forward is not None else None,
            bridge.get("name") if bridge is not None else None, tuple(ips), tuple(ranges),
            frozenset(hosts))


def hosts_of(norm):
    return norm[6]


def with_hosts(norm, hosts):
    return norm[:6] + (frozenset(hosts),)


def describe(op):
    kind, slot = op[0], op[1]
    if kind == "update":
        return "update %s %s host %d flags %d" % (name_of(slot), op[2], op[3], op[4])
    if kind == "autostart":
        return "autostart %s %s" % (name_of(slot), "on" if op[2] else "off")
    if kind in ("port-create", "port-delete"):
        return "%s %s port %d" % (kind, name_of(slot), op[2])
    return "%s %s" % (kind, name_of(slot))


def call(conn, op):
    kind, slot = op[0], op[1]
    if kind == "define":
        conn.networkDefineXML(op[2])
    elif kind == "create":
        conn.networkCreateXML(op[2])
    else:
        net = conn.networkLookupByName(name_of(slot))
        if kind == "start":
            net.create()
        elif kind == "destroy":
            net.destroy()
        elif kind == "undefine":
            net.undefine()
        elif kind == "autostart":
            net.setAutostart(op[2])
        elif kind == "port-create":
            net.portCreateXML(port_xml(slot, op[2]), 0)
        elif kind == "port-delete":
            net.portLookupByUUIDString(port_uuid(slot, op[2])).delete()
        elif kind == "update":
            command = (libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST if op[2] == "add"
                       else libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE)
            mac, ip, name = host_entry(slot, op[3])
            xml = "<host mac='%s' name='%s' ip='%s'/>" % (mac, name, ip)
            net.update(command, libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, xml, op[4])


LIVE = libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE
CONFIG = libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG


def after(state, op):
    """The state of the op's network once the op has happened (None: gone)."""
    kind = op[0]
    config, active, live, auto, ports = state if state else (None, False, None, False, NO_PORTS)
    if kind == "define":
        return (normalize(op[2]), active, live, auto, ports)
    if kind == "create":
        return (config, True, normalize(op[2]), auto, NO_PORTS)
    if kind == "start":
        return (config, True, config, auto, NO_PORTS)
    if kind == "destroy":
        return (config, False, None, auto, NO_PORTS) if config else None
    if kind == "undefine":
        return (None, True, live, False, ports) if active else None
    if kind == "autostart":
        return (config, active, live, op[2], ports)
    if kind == "port-create":
        return (config, active, live, auto, ports | {op[2]})
    if kind == "port-delete":
        return (config, active, live, auto, ports - {op[2]})
    if kind == "update":
        host = host_entry(op[1], op[3])

        def edit(norm):
            hosts = set(hosts_of(norm))
            if op[2] == "add":
                hosts.add(host)
            else:
                hosts.discard(host)
            return with_hosts(norm, hosts)
        return (edit(config) if op[4] & CONFIG else config, active,
                edit(live) if op[4] & LIVE else live, auto, ports)
    raise ValueError(kind)


class World:
    def __init__(self):
        # slot -> list of candidate states (None: no such network); one
        # candidate unless a call was cut off since the last observation.
        self.states = {slot: [None] for slot in range(SLOTS)}

    def state(self, slot):
        assert len(self.states[slot]) == 1, "unobserved state of slot %d" % slot
        return self.states[slot][0]

    def apply(self, op):
        self.states[op[1]] = [after(self.state(op[1]), op)]

    def apply_unknown(self, op):
        old = self.state(op[1])
        new = after(old, op)
        candidates = [old, new]
        if op[0] == "update" and op[4] == LIVE | CONFIG:
            # Live and persistent definitions are two writes: either may
            # have happened without the other (as with libvirt).
            candidates += [after(old, op[:4] + (LIVE,)), after(old, op[:4] + (CONFIG,))]
        self.states[op[1]] = candidates

    def restarted(self):
        """A daemon that starts starts the autostart networks."""
        def boot(state):
            if state and state[0] and state[3] and not state[1]:
                return (state[0], True, state[0], True, NO_PORTS)
            return state
        for slot in range(SLOTS):
            self.states[slot] = [boot(s) for s in self.states[slot]]

    def allows(self, observed):
        return all(observed.get(slot) in self.states[slot] for slot in range(SLOTS))

    def collapse(self, observed, fail, when):
        for slot in range(SLOTS):
            got = observed.get(slot)
            if got in self.states[slot]:
                self.states[slot] = [got]
                continue
            fail("%s: %s is %s; expected one of %s" %
                 (when, name_of(slot), show(got), " | ".join(map(show, self.states[slot]))))
            self.states[slot] = [got]
        for slot in observed:
            if slot not in self.states:
                fail("%s: unknown network slot %s" % (when, slot))

    def active(self):
        return {slot for slot in range(SLOTS) if self.state(slot) and self.state(slot)[1]}

    def known(self):
        return {slot for slot in range(SLOTS) if self.state(slot)}

    def random_op(self, rng):
        slot = rng.randrange(SLOTS)
        state = self.state(slot)

        def new_xml():
            hosts = {k for k in range(4) if rng.random() < 0.5}
            return definition_xml(slot, rng.choice(RANGE_ENDS), hosts)

        if state is None:
            return ("define" if rng.random() < 0.7 else "create", slot, new_xml())
        config, active, live, auto, ports = state
        choices = [("define", slot, new_xml())]
        if config:
            choices.append(("autostart", slot, not auto))
        if config and not active:
            choices += [("start", slot)] * 3 + [("undefine", slot), ("create", slot, new_xml())]
        if active:
            choices += [("destroy", slot)] * 2
            if config:
                choices.append(("undefine", slot))
            free = [k for k in range(PORT_POOL) if k not in ports]
            if free:
                choices += [("port-create", slot, rng.choice(free))] * 2
            if ports:
                choices += [("port-delete", slot, rng.choice(sorted(ports)))] * 2
        if has_dhcp(slot):
            flags = (LIVE if active else 0) | (CONFIG if config else 0)
            targets = [n for n, f in ((live, LIVE), (config, CONFIG)) if flags & f]
            addable = [k for k in range(HOST_POOL)
                       if all(host_entry(slot, k) not in hosts_of(t) for t in targets)]
            removable = [k for k in range(HOST_POOL)
                         if all(host_entry(slot, k) in hosts_of(t) for t in targets)]
            if addable:
                choices += [("update", slot, "add", rng.choice(addable), flags)] * 2
            if removable:
                choices += [("update", slot, "delete", rng.choice(removable), flags)] * 2
        return rng.choice(choices)

    def teardown_ops(self):
        ops = [("destroy", slot) for slot in sorted(self.active())]
        for slot in sorted(self.known()):
            if self.state(slot)[0]:
                ops.append(("undefine", slot))
        return ops


def show(state):
    if state is None:
        return "undefined"
    config, active, live, auto, ports = state
    parts = ["persistent" if config else "transient", "active" if active else "inactive"]
    if ports:
        parts.append("ports %s" % sorted(ports, key=str))
    if auto:
        parts.append("autostart")
    if config:
        parts.append("config range %s hosts %s" % (config[5], sorted(h[2] for h in config[6])))
    if live:
        parts.append("live range %s hosts %s" % (live[5], sorted(h[2] for h in live[6])))
    return "(" + ", ".join(parts) + ")"
