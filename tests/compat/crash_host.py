"""What the crash test reads back: the daemon's view through the API, the
definition and state files, and the host inside the daemon's namespace
(bridges, nftables, dnsmasq processes); and the checks that every active
network is wholly there, every other one wholly gone, and nothing is left
that no network owns."""

import json
import os
import signal
import subprocess
import xml.etree.ElementTree as ET

import libvirt

import crash_model as model

BRIDGE_PREFIX = "vcr"
# The chains of virtnat's table that no single network owns.
BASE_CHAINS = {"input", "forward", "output", "dstnat", "dstnatlocal", "srcnat"}
HEALTH_FILE = "virtnatd.health"  # the daemon's own, for `virtnatd --status`
PID_FILE = "virtnatd.pid"  # the daemon's own lock; a killed daemon leaves it
DAEMON_FILES = {HEALTH_FILE, PID_FILE}
DNSMASQ_SUFFIXES = (".conf", ".hostsfile", ".addnhosts", ".pid")


def slot_of(name):
    if not name.startswith("crash-"):
        return None
    try:
        return int(name[len("crash-"):])
    except ValueError:
        return None


def observe_api(conn):
    """slot -> (config, active, live, autostart, ports) as the daemon reports it."""
    out = {}
    for net in conn.listAllNetworks(0):
        slot = slot_of(net.name())
        persistent, active = bool(net.isPersistent()), bool(net.isActive())
        config = model.normalize(net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)) \
            if persistent else None
        live_xml = net.XMLDesc(0) if active else None
        live = model.normalize(live_xml) if active else None
        ports = observe_ports(net, slot, live_xml) if active else model.NO_PORTS
        out[slot if slot is not None else net.name()] = (config, active, live,
                                                         bool(net.autostart()), ports)
    return out


def observe_ports(net, slot, live_xml):
    """The numbers of the network's ports; a port whose XML is not what the
    model expects, or a connection count that is not the number of ports,
    comes back as a text that matches no state."""
    ports = set()
    for port in net.listAllPorts(0):
        uuid = port.UUIDString()
        k = next((k for k in range(model.PORT_POOL) if slot is not None and
                  model.port_uuid(slot, k) == uuid), None)
        xml = port.XMLDesc(0)
        if k is None or xml != model.port_dumpxml(slot, k):
            ports.add("unexpected port %s: %s" % (uuid, xml))
        else:
            ports.add(k)
    connections = ET.fromstring(live_xml).get("connections") or "0"
    if int(connections) != len(ports):
        ports.add("connections='%s' with %d ports" % (connections, len(ports)))
    return frozenset(ports)


def netns_json(netns, *cmd):
    run = subprocess.run(["ip", "netns", "exec", netns] + list(cmd), capture_output=True,
                         text=True)
    if run.returncode != 0:
        return None
    return json.loads(run.stdout) if run.stdout.strip() else None


def read_bridges(netns):
    """bridge name -> (up, [address/prefix])"""
    out = {}
    for link in netns_json(netns, "ip", "-j", "-d", "addr", "show") or []:
        if link.get("linkinfo", {}).get("info_kind") != "bridge":
            continue
        addrs = ["%s/%d" % (a["local"], a["prefixlen"]) for a in link.get("addr_info", [])
                 if a.get("family") == "inet"]
        out[link["ifname"]] = ("UP" in link.get("flags", []), addrs)
    return out


def read_nft(netns):
    """({chain of table inet virtnat: rule count}, {map: set of jump targets})"""
    chains, maps = {}, {}
    data = netns_json(netns, "nft", "-j", "list", "ruleset") or {"nftables": []}
    for item in data["nftables"]:
        if "chain" in item and item["chain"]["table"] == "virtnat":
            chains.setdefault(item["chain"]["name"], 0)
        if "rule" in item and item["rule"]["table"] == "virtnat":
            chains[item["rule"]["chain"]] = chains.get(item["rule"]["chain"], 0) + 1
        if "map" in item and item["map"]["table"] == "virtnat":
            targets = set()
            for elem in item["map"].get("elem", []):
                verdict = elem[1] if isinstance(elem, list) and len(elem) > 1 else {}
                if isinstance(verdict, dict) and "jump" in verdict:
                    targets.add(verdict["jump"]["target"])
            maps[item["map"]["name"]] = targets
    return chains, maps


def dnsmasq_processes(tmp):
    """conf file -> pids of the dnsmasq processes started with it under `tmp`."""
    out = {}
    marker = "--conf-file=" + tmp + "/"
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for arg in args:
            if arg.startswith(marker):
                out.setdefault(arg[len("--conf-file="):], []).append(int(pid))
    return out


def kill_dnsmasq_under(tmp):
    for pids in dnsmasq_processes(tmp).values():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def listdir(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


def expected_chains(slot):
    mode, with_ip, _ = model.KINDS[slot]
    br = model.bridge_of(slot)
    chains = {br + "_in", br + "_out", br + "_hostin", br + "_hostout"}
    if mode == "nat" and with_ip:
        chains.add(br + "_nat")
    return chains


def check_definitions(tmp, world):
    problems = []
    etc = tmp + "/etc"
    persistent = {model.name_of(s): world.state(s)[0] for s in world.known()
                  if world.state(s)[0]}
    for entry in listdir(etc):
        path = os.path.join(etc, entry)
        if entry == "autostart":
            continue
        if not entry.endswith(".xml") or entry[:-4] not in persistent:
            problems.append("%s: file of no persistent network" % path)
            continue
        with open(path) as f:
            text = f.read()
        if not text.strip():
            problems.append("%s: empty" % path)
            continue
        try:
            norm = model.normalize(text)
        except ET.ParseError as e:
            problems.append("%s: not well-formed: %s" % (path, e))
            continue
        if norm != persistent[entry[:-4]]:
            problems.append("%s: holds %s, not the acknowledged %s" %
                            (path, model.show((norm, False, None)),
                             model.show((persistent[entry[:-4]], False, None))))
    for name in persistent:
        if not os.path.exists(os.path.join(etc, name + ".xml")):
            problems.append("definition of %s is missing" % name)
    marked = {model.name_of(s) + ".xml" for s in world.known() if world.state(s)[3]}
    for entry in listdir(etc + "/autostart"):
        path = os.path.join(etc, "autostart", entry)
        if entry not in marked:
            problems.append("%s: autostart mark of no autostart network" % path)
        elif os.path.realpath(path) != os.path.join(os.path.realpath(etc), entry):
            problems.append("%s: points to %s" % (path, os.readlink(path)))
    for entry in marked - set(listdir(etc + "/autostart")):
        problems.append("autostart mark %s is missing" % entry)
    return problems


def hosts_file_macs(path):
    with open(path) as f:
        return {line.split(",")[0].lower() for line in f.read().splitlines() if line}


def check_network(tmp, slot, state, bridges, chains, maps, procs):
    """Every piece of an active network present, of an inactive one absent."""
    problems = []
    name, br = model.name_of(slot), model.bridge_of(slot)
    active = bool(state and state[1])
    mode, with_ip, dhcp = model.KINDS[slot]
    conf = "%s/lib/dnsmasq/%s.conf" % (tmp, name)
    pieces = {
        "bridge": br in bridges,
        "chains": bool(expected_chains(slot) & set(chains)),
        "vmap element": br + "_in" in maps.get("fwd_in", set()),
        "status record": os.path.exists("%s/run/%s.status" % (tmp, name)),
    }
    if with_ip:
        pieces["dnsmasq"] = conf in procs
        pieces["dnsmasq conf"] = os.path.exists(conf)
    if active:
        missing = [p for p, there in pieces.items() if not there]
        if br in bridges:
            up, addrs = bridges[br]
            if not up:
                missing.append("bridge up")
            if with_ip and addrs != ["10.77.%d.1/24" % slot]:
                missing.append("bridge address (has %s)" % addrs)
        if expected_chains(slot) - set(chains):
            missing.append("chains %s" % sorted(expected_chains(slot) - set(chains)))
        empty = sorted(c for c in expected_chains(slot) & set(chains) if not chains[c])
        if empty:
            missing.append("rules of %s" % empty)
        if with_ip and len(procs.get(conf, [])) > 1:
            problems.append("%s: %d dnsmasq processes" % (name, len(procs[conf])))
        if dhcp and conf in procs:
            wanted = {h[0] for h in model.hosts_of(state[2])}
            got = hosts_file_macs("%s/lib/dnsmasq/%s.hostsfile" % (tmp, name))
            if got != wanted:
                missing.append("hosts file matching the live definition (%s, not %s)" %
                               (sorted(got), sorted(wanted)))
        if missing:
            problems.append("%s is active but lacks: %s" % (name, ", ".join(missing)))
    else:
        left = [p for p, there in pieces.items() if there]
        if left:
            problems.append("%s is not active but has: %s" % (name, ", ".join(left)))
    return problems


def check_host(tmp, netns, world, observed):
    problems = check_definitions(tmp, world)
    bridges = read_bridges(netns)
    chains, maps = read_nft(netns)
    procs = dnsmasq_processes(tmp)
    for slot in range(model.SLOTS):
        problems += check_network(tmp, slot, world.state(slot), bridges, chains, maps, procs)
    active = {model.bridge_of(s) for s in world.active()}
    active_names = {model.name_of(s) for s in world.active()}
    known_names = {model.name_of(s) for s in world.known()}
    for br in bridges:
        if br.startswith(BRIDGE_PREFIX) and br not in active:
            problems.append("bridge %s belongs to no active network" % br)
    if active:
        for chain in sorted(BASE_CHAINS):
            if not chains.get(chain):
                problems.append("base chain %s is missing or empty" % chain)
    for chain in set(chains) - BASE_CHAINS:
        if chain.split("_")[0] not in active:
            problems.append("chain %s belongs to no active network" % chain)
    for conf in procs:
        if os.path.basename(conf)[:-len(".conf")] not in active_names:
            problems.append("dnsmasq %s runs for no active network" % procs[conf])
    for sub in ("lib/dnsmasq", "run/dnsmasq"):
        for entry in listdir(os.path.join(tmp, sub)):
            stem, ext = os.path.splitext(entry)
            owners = known_names if ext == ".leases" else active_names
            if stem not in owners or (ext != ".leases" and ext not in DNSMASQ_SUFFIXES):
                problems.append("%s/%s belongs to no network" % (sub, entry))
    for entry in listdir(tmp + "/run"):
        if entry in DAEMON_FILES:
            continue
        if entry.endswith(".status") and entry[:-len(".status")] not in active_names:
            problems.append("run/%s belongs to no active network" % entry)
        elif entry.startswith("."):
            problems.append("run/%s: a leftover temporary file" % entry)
    return problems


def leftover_files(tmp):
    out = []
    for sub in ("etc", "lib/dnsmasq", "run/dnsmasq", "run"):
        for entry in listdir(os.path.join(tmp, sub)):
            if entry not in DAEMON_FILES and not os.path.isdir(os.path.join(tmp, sub, entry)):
                out.append(sub + "/" + entry)
    return out
