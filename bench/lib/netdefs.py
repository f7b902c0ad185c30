"""The network definitions both daemons get: NAT with DHCP, one /24 each.

Network i gets 10.(200 + i // 250).(i % 250).0/24 and bridge `vnb<i>`, so
any two networks of a run can be up at once without address conflicts.
"""


# The network the probes start and stop beside the scale phase's 0, 1, 2, ...
# (up to 1000 of them): beyond their indexes.
PROBE_NET = 1999

# The network of the settled starts (phases.settled_starts), and their pause
# after each destroy: a destroy may reply before the kernel has freed the
# bridge (issue 15, item 1), and a start issued at once waits for that work
# (the bridge's teardown holds the RTNL lock: docs/performance.md).
SETTLED_NET = 997
SETTLED_GAP_S = 0.2


def subnet_prefix(i):
    return "10.%d.%d" % (200 + i // 250, i % 250)


def name(i):
    return "vnbench-%04d" % i


def bridge(i):
    return "vnb%d" % i


def nat_xml(i):
    p = subnet_prefix(i)
    return ("<network>\n"
            "  <name>%s</name>\n"
            "  <forward mode='nat'/>\n"
            "  <bridge name='%s' stp='on' delay='0'/>\n"
            "  <ip address='%s.1' netmask='255.255.255.0'>\n"
            "    <dhcp>\n"
            "      <range start='%s.100' end='%s.200'/>\n"
            "    </dhcp>\n"
            "  </ip>\n"
            "</network>\n" % (name(i), bridge(i), p, p, p))
