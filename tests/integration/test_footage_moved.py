#!/usr/bin/python3
"""Cameras that move between recorders, and rows that leave the sheet: the footage a recorder
indexed for a camera stays that camera's while the files are still there unchanged, whatever
cameras.csv says now, and leaves the index only when the recorder deletes it.

    /usr/bin/python3 tests/integration/test_footage_moved.py --build build [-v]

The site: recorders nvrA and nvrB (dir, MP4 segments made by ffmpeg's segment muxer). CAM-X
records to nvrA, then its row moves to nvrB and its new footage lands there; CAM-Z's row keeps
its place but its recorder is blanked; CAM-V's row is removed. Each scan is camwatchd --once
(the daemon's scan, after its inventory sync) and `camwatch footage scan`. Nothing asserts on
time; the cameras' RTSP addresses are closed ports.
"""
import datetime
import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from dirsite import PATTERN, SEC, SEG_S, iso, make_segments, name, place  # noqa: E402

BUILD = cwtest.build_dir()


class FootageMovedTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-moved-"

    @classmethod
    def start(cls):
        tmp = cls.tmp
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        # Footage of half an hour ago on nvrA (three cameras, 12 s each), and of ten minutes
        # ago on nvrB (CAM-X after its move).
        cls.t0 = now - datetime.timedelta(minutes=30)
        cls.t1 = now - datetime.timedelta(minutes=10)
        cls.nvr_a = os.path.join(tmp, "nvrA")
        cls.nvr_b = os.path.join(tmp, "nvrB")
        seg = make_segments(os.path.join(tmp, "segs"), 3)
        cls.seg = seg
        for cam in ("CAM-X", "CAM-Z", "CAM-V"):
            for k in range(3):
                place(seg[k], cls.nvr_a, name(cam, cls.t0 + k * SEG_S * SEC))
        os.makedirs(cls.nvr_b)
        cls.site = os.path.join(tmp, "site")
        cls.sections = {
            "probe.stream": {"workers": "0"},
            "recorder nvrA": {"kind": "dir", "path": cls.nvr_a, "pattern": PATTERN},
            "recorder nvrB": {"kind": "dir", "path": cls.nvr_b, "pattern": PATTERN},
        }

        def cam(cid, recorder):
            return cwtest.camera(cid, dead, name="Camera " + cid, recorder=recorder)
        cls.cam = cam
        cls.conf = cls.write_sheet([cam("CAM-X", "nvrA"), cam("CAM-Z", "nvrA"),
                                    cam("CAM-V", "nvrA"), cam("CAM-W", "nvrB")])
        cls.daemon_scan()
        # The sheet changes: CAM-X moves to nvrB (where its new footage is), CAM-Z's recorder
        # is blanked, CAM-V's row is removed.
        for k in range(3):
            place(seg[k], cls.nvr_b, name("CAM-X", cls.t1 + k * SEG_S * SEC))
        cls.changed = datetime.datetime.now(datetime.timezone.utc)  # after nvrA's first scan
        cls.write_sheet([cam("CAM-X", "nvrB"), cam("CAM-Z", ""), cam("CAM-W", "nvrB")])
        cls.daemon_scan()

    @classmethod
    def write_sheet(cls, cameras):
        return cwtest.write_config(cls.site, cameras, sections=cls.sections)

    @classmethod
    def daemon_scan(cls):
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        assert "footage: recorder=nvrA scanned" in r.err, r
        return r

    def json_of(self, *args):
        r = cwtest.camwatch(self.conf, *args)
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)

    def find(self, cam, start, end):
        return self.json_of("footage", "find", "--json", "--camera", cam,
                            "--from", iso(start), "--to", iso(end))[0]

    def scan(self, *more):
        return {o["name"]: o for o in self.json_of("footage", "scan", "--json", *more)}

    def assert_recorded(self, cam, t):
        """cam's 12 s from t are one window, no gap, nothing said overwritten."""
        doc = self.find(cam, t, t + 3 * SEG_S * SEC)
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(t), iso(t + 3 * SEG_S * SEC))], (cam, doc["gaps"]))
        self.assertEqual(doc["gaps"], [], cam)
        self.assertEqual(doc["oldest"], iso(self.t0), cam)
        return doc

    def test_a_moved_camera_keeps_its_footage_on_the_old_recorder(self):
        x = self.assert_recorded("CAM-X", self.t0)  # after the daemon's scans
        self.assertEqual(x["index"]["recorder"], "nvrB")
        scan = self.scan()
        self.assertTrue(scan["nvrA"]["ok"], scan)
        self.assertEqual(scan["nvrA"]["gone"], 0, scan)
        self.assertEqual(scan["nvrA"]["changed"], 0, scan)
        full = self.scan("--full")
        self.assertEqual((full["nvrA"]["gone"], full["nvrA"]["kept"]), (0, 9), full)
        self.assert_recorded("CAM-X", self.t0)
        self.assert_recorded("CAM-X", self.t1)
        # Across both recorders: the time between is not recorded (both scanned after it),
        # nothing is overwritten.
        both = self.find("CAM-X", self.t0, self.t1 + 3 * SEG_S * SEC)
        self.assertEqual(len(both["windows"]), 2)
        self.assertEqual([g["cause"] for g in both["gaps"]], ["not recorded"])
        recs = {o["name"]: o for o in self.json_of("footage", "recorders", "--json")}
        self.assertEqual(recs["nvrA"]["segments"], 9)

    def test_a_blanked_recorder_or_a_removed_row_keeps_the_footage(self):
        for cam in ("CAM-Z", "CAM-V"):
            self.assert_recorded(cam, self.t0)

    def test_b_a_file_written_to_after_the_scan_stays_its_cameras(self):
        # nvrA finishes the files it was writing when CAM-X moved and CAM-V's row went: written
        # to after they were indexed, named by no camera of nvrA now, they hold the footage of
        # the camera they were indexed for.
        later = datetime.datetime.now().timestamp() + 60
        for cam in ("CAM-X", "CAM-V"):
            os.utime(os.path.join(self.nvr_a, name(cam, self.t0 + 2 * SEG_S * SEC)),
                     (later, later))
        scan = self.scan()
        self.assertEqual((scan["nvrA"]["gone"], scan["nvrA"]["changed"]), (0, 2), scan)
        for cam in ("CAM-X", "CAM-V"):
            self.assert_recorded(cam, self.t0)

    def test_c_a_recorder_speaks_for_a_camera_only_while_its_scans_index_it(self):
        # CAM-Z (its recorder blanked) goes on recording to nvrA: its new file names no camera
        # of nvrA now and is not indexed, so nvrA's later scan cannot call that time "not
        # recorded"; nvrA speaks for CAM-Z up to the last scan that indexed its footage.
        t = datetime.datetime.fromtimestamp(self.changed.timestamp() + 2, datetime.timezone.utc)
        t = t.replace(microsecond=0)
        place(self.seg[0], self.nvr_a, name("CAM-Z", t))
        while datetime.datetime.now(datetime.timezone.utc) < t + 2 * SEG_S * SEC:
            time.sleep(0.2)  # the scan below comes after the file's footage
        scan = self.scan()
        self.assertTrue(scan["nvrA"]["ok"], scan)
        z = self.find("CAM-Z", self.t0, t + SEG_S * SEC)
        self.assertEqual(len(z["windows"]), 1, z)
        nvr_a = z["index"]["others"][0]
        self.assertEqual(nvr_a["recorder"], "nvrA")
        self.assertLess(nvr_a["known_until"], iso(self.changed))
        self.assertEqual([(g["end"], g["cause"]) for g in z["gaps"]],
                         [(nvr_a["known_until"], "not recorded"),
                          (iso(t + SEG_S * SEC), "not indexed")])

    def test_the_recorder_holding_the_footage_speaks_for_it(self):
        # CAM-Z has no recorder now: nvrA's scans speak for what it recorded there, so the
        # minute after its footage is "not recorded" (nvrA was scanned since), not "not indexed".
        z = self.find("CAM-Z", self.t0, self.t0 + 72 * SEC)
        self.assertEqual([(g["start"], g["end"], g["cause"]) for g in z["gaps"]],
                         [(iso(self.t0 + 12 * SEC), iso(self.t0 + 72 * SEC), "not recorded")])
        self.assertEqual(z["index"]["state"], "no recorder")
        self.assertEqual([(o["recorder"], o["state"]) for o in z["index"]["others"]],
                         [("nvrA", "scanned")])
        x = self.find("CAM-X", self.t0, self.t1 + 3 * SEG_S * SEC)
        self.assertEqual((x["index"]["recorder"], [o["recorder"] for o in x["index"]["others"]]),
                         ("nvrB", ["nvrA"]))
        # The CLI says where the footage is, and does not call the gap unknown.
        r = cwtest.camwatch(self.conf, "footage", "find", "--camera", "CAM-Z", "--from",
                            iso(self.t0), "--to", iso(self.t0 + 72 * SEC))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("gap: not recorded", r.out)
        self.assertIn("footage also on recorder nvrA (scanned, known up to", r.out)
        self.assertNotIn("not indexed", r.out)

    def test_an_export_of_the_old_period_delivers_the_old_recorders_files(self):
        r = cwtest.camwatch(self.conf, "request", "create", "--json", "--from", iso(self.t0),
                            "--to", iso(self.t0 + 3 * SEG_S * SEC), "--camera", "CAM-X,CAM-Z",
                            "--case", "VV-1", "--reason", "moved camera", "--by", "test")
        self.assertEqual(r.rc, 0, r)
        rid = json.loads(r.out)["id"]
        out = os.path.join(self.tmp, "export")
        r = cwtest.camwatch(self.conf, "request", "export", str(rid), "--out", out, "--by",
                            "it-staff", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("CAM-X.mp4", os.listdir(out))
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        cams = {c["id"]: c for c in m["cameras"]}
        for cam in ("CAM-X", "CAM-Z"):
            x = cams[cam]
            self.assertEqual([(s["recorder"], s["file"]) for s in x["sources"]],
                             [("nvrA", name(cam, self.t0 + k * SEG_S * SEC)) for k in range(3)])
            self.assertEqual(x["gaps"], [], cam)
            # nvrA's scans speak for all of it: nothing said "not indexed"
            self.assertIsNone(x["not_indexed"], cam)
        self.assertIn("CAM-Z.mp4", os.listdir(out))

    def test_zz_files_the_old_recorder_deletes_leave_the_index(self):
        # Runs last (its name): nvrA overwrites CAM-X's oldest file.
        os.unlink(os.path.join(self.nvr_a, name("CAM-X", self.t0)))
        scan = self.scan()
        self.assertEqual(scan["nvrA"]["gone"], 1, scan)
        doc = self.find("CAM-X", self.t0, self.t0 + 3 * SEG_S * SEC)
        self.assertEqual(doc["windows"][0]["start"], iso(self.t0 + SEG_S * SEC))
        self.assertEqual([(g["end"], g["cause"]) for g in doc["gaps"]],
                         [(iso(self.t0 + SEG_S * SEC), "overwritten")])
        # --reattribute: every file is whose the sheet says now; nvrA's name no camera of it.
        scan = self.scan("--reattribute", "--recorder", "nvrA")
        self.assertEqual((scan["nvrA"]["gone"], scan["nvrA"]["kept"]), (8, 0), scan)
        self.assertEqual(self.find("CAM-Z", self.t0, self.t0 + 12 * SEC)["windows"], [])


if __name__ == "__main__":
    unittest.main()
