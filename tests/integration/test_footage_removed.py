#!/usr/bin/python3
"""A recorder removed from camwatch.conf: nothing watches it any more, so the index no longer
speaks for its footage. `footage find` (table and --json) and an export say "not indexed" and
why, its segments stay in the store (counted, in no window), and putting the section back
brings it all back as it was.

    /usr/bin/python3 tests/integration/test_footage_removed.py --build build [-v]

The site: recorders nvrA (CAM-X) and nvrB (CAM-Y), dir kind, MP4 segments made by ffmpeg's
segment muxer. A running camwatchd scans them; nvrA's section is removed and the daemon
reloaded (SIGHUP), then put back and reloaded again; last, the same through a restart
(camwatchd --once). Waits are polls for a condition (a guard against hangs), never assertions
about how long something took; the cameras' RTSP addresses are closed ports.
"""
import datetime
import json
import os
import signal
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from dirsite import PATTERN, SEC, SEG_S, iso, make_segments, name, place  # noqa: E402

BUILD = cwtest.build_dir()
REMOVED = "not indexed: recorder nvrA is no longer configured (last scanned "


class FootageRemovedTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-removed-"

    @classmethod
    def start(cls):
        tmp = cls.tmp
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        cls.t0 = now - datetime.timedelta(minutes=30)  # 12 s of footage each, half an hour ago
        seg = make_segments(os.path.join(tmp, "segs"), 3)
        cls.roots = {"nvrA": os.path.join(tmp, "nvrA"), "nvrB": os.path.join(tmp, "nvrB")}
        for rec, cam in (("nvrA", "CAM-X"), ("nvrB", "CAM-Y")):
            for k in range(3):
                place(seg[k], cls.roots[rec], name(cam, cls.t0 + k * SEG_S * SEC))
        cls.site = os.path.join(tmp, "site")
        cls.cameras = [cwtest.camera("CAM-X", dead, recorder="nvrA"),
                       cwtest.camera("CAM-Y", dead, recorder="nvrB")]
        cls.conf = cls.write_conf(("nvrA", "nvrB"))

    @classmethod
    def write_conf(cls, recorders):
        sections = {"probe.stream": {"workers": "0"}}
        for rec in recorders:
            sections["recorder " + rec] = {"kind": "dir", "path": cls.roots[rec],
                                           "pattern": PATTERN}
        return cwtest.write_config(cls.site, cls.cameras, sections=sections)

    def json_of(self, *args):
        r = cwtest.camwatch(self.conf, *args)
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)

    def find(self, cam):
        return self.json_of("footage", "find", "--json", "--camera", cam, "--from",
                            iso(self.t0), "--to", iso(self.t0 + 3 * SEG_S * SEC))[0]

    def table(self):
        r = cwtest.camwatch(self.conf, "footage", "find", "--camera", "CAM-X,CAM-Y", "--from",
                            iso(self.t0), "--to", iso(self.t0 + 3 * SEG_S * SEC))
        self.assertEqual(r.rc, 0, r)
        return r.out

    def export(self, sub):
        """An export of both cameras' 12 s: (files in the folder, manifest.json, manifest.txt)."""
        r = cwtest.camwatch(self.conf, "request", "create", "--json", "--from", iso(self.t0),
                            "--to", iso(self.t0 + 3 * SEG_S * SEC), "--camera", "CAM-X,CAM-Y",
                            "--case", "VV-7", "--reason", "removed recorder", "--by", "test")
        self.assertEqual(r.rc, 0, r)
        rid = json.loads(r.out)["id"]
        out = os.path.join(self.tmp, sub)
        r = cwtest.camwatch(self.conf, "request", "export", str(rid), "--out", out, "--by",
                            "it-staff", "--json")
        self.assertEqual(r.rc, 0, r)
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        with open(os.path.join(out, "manifest.txt"), encoding="utf-8") as f:
            txt = f.read()
        return os.listdir(out), {c["id"]: c for c in m["cameras"]}, txt

    def assert_recorded(self, doc):
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(self.t0), iso(self.t0 + 3 * SEG_S * SEC))], doc)
        self.assertEqual(doc["gaps"], [])
        self.assertEqual(doc["index"]["state"], "scanned")
        self.assertIsNone(doc["index"]["removed_at"])

    def assert_not_indexed(self, doc):
        """CAM-X's answer once nvrA is gone from the conf."""
        self.assertEqual(doc["windows"], [])
        self.assertEqual(doc["covered_ms"], 0)
        self.assertEqual([g["cause"] for g in doc["gaps"]], ["not indexed"])
        self.assertEqual(doc["segments"], 3)  # still in the store
        ix = doc["index"]
        self.assertEqual((ix["recorder"], ix["state"]), ("nvrA", "no longer configured"))
        self.assertIsNotNone(ix["removed_at"])
        self.assertIsNotNone(ix["scanned_at"])
        self.assertIsNone(ix["known_until"])
        # not watched: how far back its footage reaches now is not known
        self.assertEqual((doc["oldest"], doc["retrievable_until"]), (None, None))

    def wait_log(self, d, line):
        cwtest.wait_for(line, lambda: line in d.stderr_text(), proc=d)

    def test_removed_recorder_is_not_indexed_until_its_section_is_back(self):
        d = self.procs.start([cwtest.program("camwatchd"), "-c", self.conf], name="camwatchd")
        self.wait_log(d, "footage: recorder=nvrA scanned")
        self.wait_log(d, "footage: recorder=nvrB scanned")
        before = self.find("CAM-X")
        self.assert_recorded(before)
        files, cams, _ = self.export("out-before")
        self.assertIn("CAM-X.mp4", files)
        self.assertIsNone(cams["CAM-X"]["not_indexed"])

        # nvrA's section removed, the daemon reloaded.
        self.write_conf(("nvrB",))
        os.kill(d.pid, signal.SIGHUP)
        self.wait_log(d, "recorder nvrA is no longer configured")
        self.wait_log(d, "daemon: reloaded")
        self.assert_not_indexed(self.find("CAM-X"))
        self.assert_recorded(self.find("CAM-Y"))
        out = self.table()
        self.assertIn(REMOVED, out)
        self.assertIn("gaps are unknown, not unrecorded", out)
        self.assertRegex(out, r"CAM-X .* not indexed ")
        self.assertRegex(out, r"CAM-Y .* 0m12s of 0m12s ")
        self.assertNotIn("gap: not recorded", out)
        files, cams, txt = self.export("out-removed")
        self.assertNotIn("CAM-X.mp4", files)
        self.assertIn("CAM-Y.mp4", files)
        x = cams["CAM-X"]
        self.assertTrue(x["not_indexed"].startswith(REMOVED), x)
        self.assertEqual(x["note"], x["not_indexed"])
        self.assertIsNone(x["delivered"])
        self.assertEqual([(s["recorder"], s["recorder_configured"]) for s in x["sources"]],
                         [("nvrA", False)] * 3)
        self.assertIn("Nothing delivered: " + REMOVED, txt)
        self.assertIn("not used: its recorder is no longer configured", txt)
        self.assertIsNone(cams["CAM-Y"]["not_indexed"])
        recs = {r["name"]: r for r in self.json_of("footage", "recorders", "--json")}
        self.assertIsNotNone(recs["nvrA"]["removed_at"])
        self.assertEqual(recs["nvrA"]["segments"], 3)
        self.assertIsNone(recs["nvrB"]["removed_at"])

        # Back in the conf: as it was.
        self.write_conf(("nvrA", "nvrB"))
        os.kill(d.pid, signal.SIGHUP)
        self.wait_log(d, "recorder nvrA is configured again")
        after = self.find("CAM-X")
        self.assert_recorded(after)
        self.assertEqual(after["windows"], before["windows"])
        self.assertNotIn("not indexed", self.table())
        files, cams, _ = self.export("out-back")
        self.assertIn("CAM-X.mp4", files)
        self.assertIsNone(cams["CAM-X"]["not_indexed"])
        d.stop()
        self.assertEqual(d.popen.returncode, 0, d.stderr_text()[-2000:])

        # The same through a restart.
        self.write_conf(("nvrB",))
        r = cwtest.camwatchd(self.conf, "--once")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("recorder nvrA is no longer configured", r.err)
        self.assert_not_indexed(self.find("CAM-X"))
        self.write_conf(("nvrA", "nvrB"))
        r = cwtest.camwatchd(self.conf, "--once")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("recorder nvrA is configured again", r.err)
        self.assert_recorded(self.find("CAM-X"))


if __name__ == "__main__":
    unittest.main()
