"""Pure-logic tests of the statistics and the report (no root, no daemons)."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import netdefs  # noqa: E402
import report  # noqa: E402
import stats  # noqa: E402
from record import Record  # noqa: E402

PARAMS = dict(levels=[1, 100, 500], rpc_defined=100, clients=16, mem_level=100, mode="full",
              samples_text="test")


class StatsTest(unittest.TestCase):
    def test_median_odd_even_empty(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 2, 3]), 2.5)
        self.assertIsNone(stats.median([]))

    def test_p95_nearest_rank(self):
        self.assertEqual(stats.p95(list(range(1, 101))), 95)
        self.assertEqual(stats.p95(list(range(1, 21))), 19)
        self.assertEqual(stats.p95([7]), 7)


class NetdefsTest(unittest.TestCase):
    def test_subnets_and_bridges_are_distinct(self):
        indexes = list(range(0, 520)) + [600, 699, 998, 999]
        self.assertEqual(len({netdefs.subnet_prefix(i) for i in indexes}), len(indexes))
        self.assertEqual(len({netdefs.bridge(i) for i in indexes}), len(indexes))
        self.assertTrue(all(len(netdefs.bridge(i)) <= 15 for i in indexes))  # IFNAMSIZ

    def test_xml_has_nat_and_dhcp(self):
        xml = netdefs.nat_xml(251)
        self.assertIn("<forward mode='nat'/>", xml)
        self.assertIn("<ip address='10.201.1.1' netmask='255.255.255.0'>", xml)
        self.assertIn("<range start='10.201.1.100' end='10.201.1.200'/>", xml)


class VerdictTest(unittest.TestCase):
    def record(self, virtnatd_start, caveat=None):
        rec = Record()
        rec.put("cycle_start", "libvirtd", [200.0, 300.0, 250.0], "ms")
        rec.put("cycle_start", "virtnatd", virtnatd_start, "ms", caveat)
        return rec

    def line(self, rec, prefix):
        return [l for l in report.verdicts(rec, PARAMS) if l.startswith(prefix)][0]

    def test_met_and_missed(self):
        self.assertIn("-> met", self.line(self.record([10.0]), "- start of a NAT"))
        missed = self.line(self.record([25.0]), "- start of a NAT")
        self.assertIn("MISSED: 2.0x short", missed)

    def test_judged_against_each_reference(self):
        rec = self.record([10.0])
        rec.put("cycle_start", "libvirtd11", [100.0], "ms")
        lines = [l for l in report.verdicts(rec, PARAMS) if l.startswith("- start of a NAT")]
        self.assertEqual(len(lines), 2)
        self.assertIn("than libvirtd 9.0: 25.0x -> met", lines[0])
        self.assertIn("than libvirtd 11.3: 10.0x -> MISSED: 2.0x short", lines[1])

    def test_caveat_is_never_met(self):
        line = self.line(self.record([0.01], caveat="no host effects"), "- start of a NAT")
        self.assertIn("not comparable", line)
        self.assertNotIn("met", line.replace("not comparable", ""))

    def test_missing_daemon_reported_once_with_all_figures(self):
        rec = Record()
        for fig, _, _ in report.rows(PARAMS):
            rec.put(fig, "libvirtd", [1.0, 2.0], "ms")
            rec.miss(fig, "virtnatd", "no binary at /x")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "R.md")
            report.write(path, rec, PARAMS, {"virtnatd": "x", "elapsed": 1.0, "command": "c"})
            text = open(path).read()
        self.assertEqual(text.count("not available: no binary at /x"), 1)
        self.assertIn("(all figures)", text)
        self.assertIn("| start | ms | 1.5 | 2 | n/a | - | - |", text)
        self.assertNotIn("libvirtd 11.3 median", text)  # not run: no column

    def test_three_columns_and_two_ratios(self):
        rec = Record()
        rec.put("cycle_start", "libvirtd", [200.0], "ms")
        rec.put("cycle_start", "libvirtd11", [100.0], "ms")
        rec.put("cycle_start", "virtnatd", [10.0], "ms")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "R.md")
            report.write(path, rec, PARAMS, {"virtnatd": "x", "elapsed": 1.0, "command": "c",
                                             "libvirt11": {"libvirtd": "libvirtd 11.3.0"}})
            text = open(path).read()
        self.assertIn("| virtnatd / libvirtd 9.0 | virtnatd / libvirtd 11.3 |", text)
        self.assertIn("| start | ms | 200 | - | 100 | - | 10.0 | - | 0.05 | 0.1 |", text)


if __name__ == "__main__":
    unittest.main()
