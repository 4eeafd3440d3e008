#!/usr/bin/python3
"""Cameras that move off a network recorder (ONVIF Recording Search, Hikvision ISAPI, Dahua):
every scan of such a recorder lists each item again, and one listed again as it was indexed
(or an ONVIF recording whose channel no camera is on now, still growing there) keeps the date
of the scan that indexed it. So the old recorder speaks for a moved camera only up to the scan
that indexed its footage there, never up to its own latest scan: the time before the camera's
first footage on its new recorder, after that scan, is "not indexed", not "not recorded".

    /usr/bin/python3 tests/integration/test_footage_moved_remote.py --build build [-v]

The site: onvA (tests/fixtures/onvif_device.py, two channels recording on: their recordings
end at the time of each answer), hikA and hikB (Hikvision ISAPI) and dhA (Dahua), played by
tests/fixtures/nvr_http.py. camwatchd --once indexes the first sheet. Then CAM-O (onvA), CAM-H
(hikA) and CAM-D (dhA) move to hikB, where their new files begin after a clock condition, dhA's
channel going to CAM-E (and CAM-F moves from dhA to hikB, its channel 2 taken out of dhA's map), and camwatchd --once (its inventory synced) and `camwatch footage
scan` list every recorder again. CAM-P stays on onvA: its recording grew, and the scan that saw
it indexes it. Last, CAM-H goes back to hikA (A->B->A). Nothing asserts on time (the clock is
only waited past the times the files need); the cameras' RTSP addresses are closed ports.
"""
import json
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from nvrsite import MIN, SEC, NvrSite, at, iso, now, nvr_file  # noqa: E402

BUILD = cwtest.build_dir()


class FootageMovedRemoteTest(NvrSite, cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-moved-remote-"
    F_FILE = "/mnt/dvr/sda0/dav/f2-0.dav"  # CAM-F's file on dhA's channel 2

    @classmethod
    def start(cls):
        t = now().replace(microsecond=0)
        cls.t0 = t - 40 * MIN  # hikA's and dhA's files: 40 to 20 minutes ago
        cls.e1 = t - 20 * MIN
        cls.old = old = [nvr_file(c, cls.t0, cls.t0 + 10 * MIN, "a%d-0" % c) for c in (1, 2)] + \
            [nvr_file(c, cls.t0 + 10 * MIN, cls.e1, "a%d-1" % c) for c in (1, 2)]
        dav = [nvr_file(1, cls.t0, cls.e1, "/mnt/dvr/sda0/dav/d1-0.dav"),
               nvr_file(2, cls.t0, cls.e1, cls.F_FILE)]
        cls.start_site(old, [nvr_file(3, cls.t0, cls.e1, "b3-0")], dav,
                       [{"from": -3600, "to": 0}, {"from": -3600, "to": 0}])
        cls.conf = cls.write_sheet(
            {"CAM-O": "onvA", "CAM-P": "onvA", "CAM-H": "hikA", "CAM-I": "hikA",
             "CAM-D": "dhA", "CAM-E": "", "CAM-W": "hikB", "CAM-F": "dhA"},
            {"onvA": "SourceId_1=CAM-O, SourceId_2=CAM-P", "hikA": "1=CAM-H, 2=CAM-I",
             "dhA": "1=CAM-D, 2=CAM-F", "hikB": "3=CAM-W"})
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        for name in cls.recorders:
            assert "footage: recorder=%s scanned" % name in r.err, r
        # The first scans: what they indexed of each camera.
        cls.first = cls.recorders_now()
        cls.first_p = cls.find("CAM-P", cls.t0 - 60 * MIN, now())
        # The sheet changes: CAM-O, CAM-H and CAM-D move to hikB, dhA's channel 1 goes to
        # CAM-E. Their first files there begin after the first scans and what they indexed,
        # and end before the scan below.
        cls.wait_past_first_scans(["CAM-O", "CAM-P"])
        cls.tb = now().replace(microsecond=0) + SEC
        new = [nvr_file(c, cls.tb, cls.tb + 2 * SEC, "b%d-1" % c) for c in (1, 2, 4)]
        cls.control_nvr("hikB", {"files": [nvr_file(3, cls.t0, cls.e1, "b3-0")] + new})
        cls.conf = cls.write_sheet(
            {"CAM-O": "hikB", "CAM-P": "onvA", "CAM-H": "hikB", "CAM-I": "hikA",
             "CAM-D": "hikB", "CAM-E": "dhA", "CAM-W": "hikB", "CAM-F": "hikB"},
            {"onvA": "SourceId_2=CAM-P", "hikA": "2=CAM-I", "dhA": "1=CAM-E",
             "hikB": "1=CAM-H, 2=CAM-O, 3=CAM-W, 4=CAM-D, 5=CAM-F"})
        cwtest.wait_for("the clock past the moved cameras' new files",
                        lambda: now() > cls.tb + 3 * SEC)
        r = cwtest.camwatchd(cls.conf, "--once")  # the inventory synced, every recorder scanned
        assert r.rc == 0, r
        cls.moved = cls.recorders_now()
        r = cwtest.camwatch(cls.conf, "footage", "scan", "--json")  # and scanned again
        assert r.rc == 0, r
        cls.second = {o["name"]: o for o in json.loads(r.out)}
        cls.later = cls.recorders_now()

    def assert_spoken_for_up_to_the_first_scan(self, cam, old, start):
        """cam's footage on old (its recorder before the move) is spoken for up to old's first
        scan, which indexed it, not old's later one; the time after it, before cam's first
        file on hikB, is not indexed."""
        doc = self.find(cam, start, self.tb + 2 * SEC)
        self.assertEqual(doc["index"]["recorder"], "hikB")
        others = {o["recorder"]: o for o in doc["index"]["others"]}
        self.assertEqual(list(others), [old], doc["index"])
        known = others[old]["known_until"]
        # old's later scan came after cam's first file on hikB, its first before it.
        self.assertLess(at(self.first[old]["scanned_at"]), self.tb)
        self.assertGreater(at(self.later[old]["scanned_at"]), self.tb + 2 * SEC)
        self.assertLessEqual(at(known), self.tb, doc["index"])
        self.assertEqual(doc["windows"][-1]["start"], iso(self.tb), doc["windows"])
        gaps = [(g["end"], g["cause"]) for g in doc["gaps"]]
        self.assertEqual(gaps[-1], (iso(self.tb), "not indexed"), doc["gaps"])
        return doc, known

    def test_an_isapi_recorder_speaks_for_a_camera_moved_off_up_to_its_indexing_scan(self):
        doc, known = self.assert_spoken_for_up_to_the_first_scan("CAM-H", "hikA", self.t0)
        self.assertEqual(known, self.first["hikA"]["scanned_at"])
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(self.t0), iso(self.e1)), (iso(self.tb), iso(self.tb + 2 * SEC))])
        self.assertEqual([(g["start"], g["end"], g["cause"]) for g in doc["gaps"]],
                         [(iso(self.e1), known, "not recorded"),
                          (known, iso(self.tb), "not indexed")])
        # hikA still lists them as indexed: kept, none gone.
        self.assertEqual((self.second["hikA"]["kept"], self.second["hikA"]["gone"]), (2, 0))

    def test_an_onvif_recording_growing_on_after_its_camera_moved_speaks_up_to_its_indexing(self):
        # Channel 1 records on after CAM-O left it (its recording ends at each answer): the
        # part indexed as CAM-O's stays CAM-O's, dated by the scan that indexed it.
        doc, known = self.assert_spoken_for_up_to_the_first_scan(
            "CAM-O", "onvA", self.t0 - 60 * MIN)
        first_o = doc["windows"][0]
        self.assertEqual(known, max(first_o["end"], self.first["onvA"]["scanned_at"], key=at))
        self.assertLess(at(known), at(self.later["onvA"]["scanned_at"]))
        self.assertEqual([(g["start"], g["end"], g["cause"]) for g in doc["gaps"][-1:]],
                         [(known, iso(self.tb), "not indexed")])
        self.assertEqual(self.second["onvA"]["kept"], 1, self.second)

    def test_a_recording_growing_on_its_cameras_recorder_is_indexed_by_the_scan_that_saw_it(self):
        # CAM-P stays on onvA: its recording grew, and the later scan indexed it.
        p = self.find("CAM-P", self.t0 - 60 * MIN, now())
        end, first_end = p["windows"][-1]["end"], self.first_p["windows"][-1]["end"]
        self.assertGreaterEqual(at(end), at(self.later["onvA"]["scanned_at"]), p)
        self.assertGreater(at(end), at(first_end))
        self.assertEqual(p["index"]["known_until"], end, p["index"])
        self.assertEqual(p["index"]["others"], [])

    def test_a_dahua_channel_given_to_another_camera_keeps_the_files_and_their_scan(self):
        # dhA's channel 1 went to CAM-E: the file it lists as indexed stays CAM-D's, dated
        # by the scan that indexed it.
        doc, known = self.assert_spoken_for_up_to_the_first_scan("CAM-D", "dhA", self.t0)
        self.assertEqual(known, self.first["dhA"]["scanned_at"])
        self.assertEqual([(g["start"], g["end"], g["cause"]) for g in doc["gaps"]],
                         [(iso(self.e1), known, "not recorded"),
                          (known, iso(self.tb), "not indexed")])
        self.assertEqual(self.find("CAM-E", self.t0, self.tb)["windows"], [])

    def test_a_dahua_channel_taken_out_of_the_map_keeps_its_files_while_listed(self):
        # CAM-F moved to hikB and dhA's channel 2 left its channel_map: dhA, which still lists
        # CAM-F's file on channel 2, is still asked about that channel (the store keeps the
        # channel a Dahua file was listed on), so the file stays CAM-F's and the old period is
        # recorded there, not "not recorded" on hikB alone.
        doc = self.find("CAM-F", self.t0, self.e1)
        self.assertEqual(doc["index"]["recorder"], "hikB")
        self.assertEqual([o["recorder"] for o in doc["index"]["others"]], ["dhA"], doc["index"])
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(self.t0), iso(self.e1))])
        self.assertEqual(doc["gaps"], [])
        # dhA's files: CAM-D's (channel 1 given to CAM-E) and CAM-F's, both kept, none gone.
        self.assertEqual((self.second["dhA"]["kept"], self.second["dhA"]["gone"]), (2, 0))
        # An export of the old period has dhA's file in its plan (to export on the NVR).
        r = cwtest.camwatch(self.conf, "request", "create", "--json", "--from", iso(self.t0),
                            "--to", iso(self.e1), "--camera", "CAM-F", "--case", "VV-2",
                            "--reason", "moved camera", "--by", "test")
        self.assertEqual(r.rc, 0, r)
        rid = json.loads(r.out)["id"]
        out = os.path.join(self.tmp, "export-f")
        r = cwtest.camwatch(self.conf, "request", "export", str(rid), "--out", out, "--by",
                            "it-staff", "--json")
        self.assertEqual(r.rc, 0, r)
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        f_cam = {c["id"]: c for c in m["cameras"]}["CAM-F"]
        self.assertEqual([(s["recorder"], s["file"]) for s in f_cam["sources"]],
                         [("dhA", self.F_FILE)], f_cam)
        self.assertEqual(f_cam["gaps"], [], f_cam)

    def test_z_a_camera_moved_back_is_spoken_for_between_up_to_the_indexing_scan(self):
        # A->B->A: CAM-H goes back to hikA, its first file there after hikB's later scans.
        # hikB, which held it between, speaks for it up to the scan that indexed its file there
        # (the daemon's after the first move), not up to hikB's latest.
        scanned = max(at(o["scanned_at"]) for o in self.later.values())
        cwtest.wait_for("the clock past the later scans", lambda: now() > scanned + 2 * SEC)
        tc = now().replace(microsecond=0) + SEC
        back = [nvr_file(1, tc, tc + 2 * SEC, "a1-2")]
        self.control_nvr("hikA", {"files": self.old + back})
        self.write_sheet(
            {"CAM-O": "hikB", "CAM-P": "onvA", "CAM-H": "hikA", "CAM-I": "hikA",
             "CAM-D": "hikB", "CAM-E": "dhA", "CAM-W": "hikB", "CAM-F": "hikB"},
            {"onvA": "SourceId_2=CAM-P", "hikA": "1=CAM-H, 2=CAM-I", "dhA": "1=CAM-E",
             "hikB": "2=CAM-O, 3=CAM-W, 4=CAM-D, 5=CAM-F"})
        cwtest.wait_for("the clock past CAM-H's file back on hikA", lambda: now() > tc + 3 * SEC)
        r = cwtest.camwatchd(self.conf, "--once")
        self.assertEqual(r.rc, 0, r)
        r = cwtest.camwatch(self.conf, "footage", "scan", "--json")
        self.assertEqual(r.rc, 0, r)
        latest = self.recorders_now()["hikB"]["scanned_at"]
        self.assertGreater(at(latest), tc + 2 * SEC)
        doc = self.find("CAM-H", self.tb, tc + 2 * SEC)
        self.assertEqual(doc["index"]["recorder"], "hikA")
        self.assertEqual([(o["recorder"], o["known_until"]) for o in doc["index"]["others"]],
                         [("hikB", self.moved["hikB"]["scanned_at"])], doc["index"])
        known = self.moved["hikB"]["scanned_at"]
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(self.tb), iso(self.tb + 2 * SEC)), (iso(tc), iso(tc + 2 * SEC))])
        self.assertEqual([(g["start"], g["end"], g["cause"]) for g in doc["gaps"]],
                         [(iso(self.tb + 2 * SEC), known, "not recorded"),
                          (known, iso(tc), "not indexed")])


if __name__ == "__main__":
    unittest.main()
