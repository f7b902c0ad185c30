"""Tests of the statistics and the report (pure logic), and of two measuring
mechanics that run only /bin/sleep: the library floor and the one-client CPU
placement. No root, no daemons."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import daemons  # noqa: E402
import netdefs  # noqa: E402
import phases  # noqa: E402
import report  # noqa: E402
import stats  # noqa: E402
import timing  # noqa: E402
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


class ScaleVerdictTest(unittest.TestCase):
    P = dict(PARAMS, scale_top=1000)

    def test_load_p99_and_failures(self):
        rec = Record()
        rec.put("load_start", "virtnatd", [100.0] * 98 + [900.0, 1200.0], "ms")
        rec.put("load_fail", "virtnatd", [0.0], "starts")
        line = [l for l in report.scale_verdicts(rec, self.P) if "under load" in l][0]
        self.assertIn("p99 start with 500 running = 900 ms over 100 starts, 0 failed -> met",
                      line)
        rec.put("load_fail", "virtnatd", [1.0], "starts")
        line = [l for l in report.scale_verdicts(rec, self.P) if "under load" in l][0]
        self.assertIn("1 failed -> MISSED", line)

    def test_thousand_networks_and_rss(self):
        rec = Record()
        rec.put("scale_reached", "virtnatd", [1000.0], "networks")
        rec.put("fwd_tput_top_first", "virtnatd", [4000.0], "Mbit/s")
        rec.put("fwd_tput_top_last", "virtnatd", [4000.0], "Mbit/s")
        rec.put("destroy_all_total", "virtnatd", [61.5], "s")
        rec.put("rss_top", "virtnatd", [17.0], "MiB")
        rec.put("scale_reached", "libvirtd", [640.0], "networks")
        lines = report.scale_verdicts(rec, self.P)
        self.assertIn("- virtnatd: 1000 of 1000 networks started, traffic through the first "
                      "and the last, all destroyed in 61.5 s -> met.", lines)
        self.assertIn("- libvirtd 9.0: 640 of 1000 networks started, traffic through none, "
                      "not all destroyed (see notes) -> for comparison.", lines)
        self.assertIn("- virtnatd RSS with 1000 networks: 17.0 MiB -> MISSED by 1.0 MiB "
                      "(target < 16 MiB).", lines)
        rec.put("rss_floor", "virtnatd", [7.4], "MiB")
        self.assertIn("- virtnatd RSS with 1000 networks: 17.0 MiB -> MISSED by 1.0 MiB "
                      "(target < 16 MiB); its libraries alone, loaded and not called: 7.4 MiB.",
                      report.scale_verdicts(rec, self.P))
        self.assertEqual([r[0] for r in report.top_rows(PARAMS)], [])


class TimingTest(unittest.TestCase):
    LOG = [
        "2026-12-07 debug: start timing: network 'vnbench-0998': plan=0.5 bridge=2.0 "
        "dnsmasq=4.0 total=7.0\n",
        "start timing: network 'vnbench-0998': plan=0.7 bridge=3.0 dnsmasq=6.0 total=10.0",
        "start timing: network 'vnbench-0001': plan=9 bridge=9 dnsmasq=9 total=27",
        "destroy timing: network 'other': link=40ms total=41ms",
        "unrelated line total=5",
    ]

    def test_medians_of_the_cycle_network_in_logged_order(self):
        parsed = timing.parse(self.LOG)
        phases, count, whence = timing.medians(parsed, "start", "vnbench-0998")
        self.assertEqual(phases, [("plan", 0.6), ("bridge", 2.5), ("dnsmasq", 5.0),
                                  ("total", 8.5)])
        self.assertEqual((count, whence), (2, "network vnbench-0998"))

    def test_other_networks_when_the_cycle_network_has_none(self):
        phases, count, whence = timing.medians(timing.parse(self.LOG), "destroy", "vnbench-0998")
        self.assertEqual((phases, count, whence), ([("link", 40.0), ("total", 41.0)], 1,
                                                   "all networks"))

    def test_absent_lines_are_said_not_failed(self):
        rec = Record()
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write("nothing here\n")
            f.flush()
            timing.collect(rec, f.name, 998)
        self.assertIn("no `start timing:`", rec.breakdown)


class LibraryFloorTest(unittest.TestCase):
    """The floor figure's mechanics (runs /bin/sleep; no root)."""

    class Fake:
        label = "fake"
        root = "/"

        def __init__(self, binary):
            self.binary = binary

    def test_a_dynamic_executable_gives_its_loaded_size(self):
        kib = daemons.library_floor_kib(self.Fake("/bin/sleep"))
        self.assertGreater(kib, 0)

    def test_more_libraries_hold_more(self):
        alone = daemons.library_floor_kib(self.Fake("/bin/sleep"))
        python = daemons.library_floor_kib(self.Fake("/usr/bin/python3"))
        self.assertGreater(python, alone)

    def test_a_script_is_said_not_measurable(self):
        with self.assertRaises(daemons.Unavailable):
            daemons.library_floor_kib(self.Fake(os.path.abspath(__file__)))


class ApartOnTwoCpusTest(unittest.TestCase):
    """The one-client RPC phase's placement (pins a /bin/sleep; no root)."""

    @unittest.skipIf(len(os.sched_getaffinity(0)) < 2, "one CPU: nothing is pinned")
    def test_client_and_daemon_apart_then_free_again(self):
        cpus = sorted(os.sched_getaffinity(0))
        child = subprocess.Popen(["/bin/sleep", "30"])
        try:
            with phases.ApartOnTwoCpus(child.pid):
                self.assertEqual(os.sched_getaffinity(0), {cpus[0]})
                self.assertEqual(os.sched_getaffinity(child.pid), {cpus[1]})
            self.assertEqual(sorted(os.sched_getaffinity(0)), cpus)
            self.assertEqual(sorted(os.sched_getaffinity(child.pid)), cpus)
        finally:
            child.kill()
            child.wait()


if __name__ == "__main__":
    unittest.main()
