"""A broken cameras.csv beside an intact store (issue 10): the CLI reads the store all the
same, warning with each problem's file and line, while the daemon still refuses that
inventory. The store is written by a real `camwatchd --once` against the RTSP fault fixture."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402


class BrokenInventoryTest(unittest.TestCase):
    def test_cli_reads_the_store_beside_a_broken_inventory(self):
        with cwtest.fixtures("cw-inv-") as (tmp, procs):
            fault = procs.fixture("rtsp_fault.py")
            refused = cwtest.closed_port()
            site = os.path.join(tmp, "site")
            cams = [cwtest.camera("A", cwtest.rtsp_url(fault.port, "/ok")),
                    cwtest.camera("B", cwtest.rtsp_url(refused, "/x")),
                    cwtest.camera("C", cwtest.rtsp_url(fault.port, "/notfound"))]
            conf = cwtest.write_config(site, cams, sections={"probe.stream": {"workers": "0"}})
            r = cwtest.camwatchd(conf, "--once")
            self.assertEqual(r.rc, 0, r)
            good_json = cwtest.camwatch(conf, "status", "--json")
            good_table = cwtest.camwatch(conf, "status")
            good_events = cwtest.camwatch(conf, "events", "--json")
            self.assertEqual(good_json.rc, 0, good_json)
            # Nothing at all: the --once run finished, which is how a timer runs camwatchd (no
            # "camwatchd is not running" warning), and the inventory is sound.
            self.assertEqual(good_json.err, "")
            self.assertEqual(good_table.err, "")
            self.assertEqual({o["id"]: o["state"] for o in cwtest._json(good_json)},
                             {"A": "up", "B": "down", "C": "down"})

            # Break it: B's URL loses its scheme (line 3), A comes twice (line 5).
            cams[1]["rtsp_url"] = "127.0.0.1:%d/x" % refused
            cwtest.write_config(site, cams + [cwtest.camera("A", "rtsp://127.0.0.1/y")],
                                sections={"probe.stream": {"workers": "0"}})
            warned = ["cameras.csv:3: rtsp_url: missing scheme",
                      "cameras.csv:5: id: duplicate id 'A' (first at line 2)"]

            r = cwtest.camwatch(conf, "status", "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(r.out, good_json.out)  # the store as the daemon wrote it
            for w in warned:
                self.assertIn("camwatch: warning: %s/%s" % (site, w), r.err)
            self.assertIn("the inventory has 2 problems", r.err)
            r = cwtest.camwatch(conf, "status")
            self.assertEqual((r.rc, r.out), (0, good_table.out), r)
            r = cwtest.camwatch(conf, "events", "--json")
            self.assertEqual((r.rc, r.out), (0, good_events.out), r)
            self.assertIn(warned[0], r.err)
            # uptime names cameras from the inventory: B's row is left out, its history is not
            r = cwtest.camwatch(conf, "uptime", "--json")
            self.assertEqual(r.rc, 0, r)
            names = {o["id"]: o["name"] for o in cwtest._json(r)["cameras"]}
            self.assertEqual(names, {"A": "Camera A", "B": None, "C": "Camera C"})

            # The daemon refuses that inventory exactly as before.
            for args in (["--check-config"], ["--once"]):
                r = cwtest.camwatchd(conf, *args)
                self.assertEqual(r.rc, 2, r)
                for w in warned:
                    self.assertIn("%s/%s" % (site, w), r.err)
                self.assertNotIn("warning", r.err)

            # --check-config says the configuration's warnings beside those problems, so they
            # are met now, not on the run after the problems are fixed: a recorder's map entry
            # for A, whose row puts it on another recorder.
            cams[0]["recorder"] = "nvr2"
            sections = {"probe.stream": {"workers": "0"},
                        "recorder nvr1": {"kind": "dir", "path": "footage",
                                          "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.mp4",
                                          "channel_map": "ch01=A"}}
            cwtest.write_config(site, cams + [cwtest.camera("A", "rtsp://127.0.0.1/y")],
                                sections=sections)
            with open(conf, encoding="utf-8") as f:
                map_line = f.read().splitlines().index("channel_map = ch01=A") + 1
            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 2, r)
            for w in warned:
                self.assertIn("%s/%s" % (site, w), r.err)
            self.assertIn("camwatchd: warning: %s:%d: channel_map: [recorder nvr1]: ch01=A gives A "
                          "no new footage: its row (%s/cameras.csv:2) names recorder nvr2"
                          % (conf, map_line, site), r.err)
            self.assertEqual(r.err.count("warning"), 1, r.err)

            # A broken camwatch.conf still stops the CLI: it says where the store is.
            with open(conf, "a", encoding="utf-8") as f:
                f.write("[probe.onvif]\n")
            with open(conf, encoding="utf-8") as f:
                n_lines = sum(1 for _ in f)
            with open(conf, "a", encoding="utf-8") as f:
                f.write("interval = soon\n")
            r = cwtest.camwatch(conf, "status")
            self.assertEqual(r.rc, 2, r)
            self.assertIn("camwatch.conf:%d: interval: bad duration 'soon'" % (n_lines + 1), r.err)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main()
