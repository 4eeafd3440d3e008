#!/usr/bin/python3
"""What a gap's cause claims, with real footage: "overwritten" only where the store saw footage
that is gone, "not recorded" where the recorder holds other cameras' footage of that time,
"before recorder's oldest footage" before anything it holds; a gap cut where its cause changes
(a file deleted, then one cut short); a recorder named in cameras.csv with no [recorder]
section is "not configured"; a range in the future is refused; --place folds white space.

    /usr/bin/python3 tests/integration/test_footage_gaps.py --build build [-v]

The site: recorder nvr (dir kind, MP4 segments made by ffmpeg's segment muxer) holds CAM-O
from t0 - 20 min and CAM-A (Cổng chợ Lai Vung) from t0: t0, +4, +8, (+12 deleted), +16 cut
short, +20; recorder nvr2 holds CAM-P from t0 - 10 min; CAM-Z's row names recorder NVR-CAH-01,
which has no section. t0 is an hour ago. The cameras' RTSP addresses are closed ports.
"""
import datetime
import json
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from dirsite import PATTERN, SEC, SEG_S, iso, make_segments, name, place  # noqa: E402

BUILD = cwtest.build_dir()
MIN = 60 * SEC


class FootageGapsTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-gaps-"

    @classmethod
    def start(cls):
        tmp = cls.tmp
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        cls.t0 = t0 = now - 60 * MIN
        seg = make_segments(os.path.join(tmp, "segs"), 6)
        cls.nvr = os.path.join(tmp, "nvr")
        cls.nvr2 = os.path.join(tmp, "nvr2")
        for k in range(2):
            place(seg[k], cls.nvr, name("CAM-O", t0 - 20 * MIN + k * SEG_S * SEC))
        for k in (0, 1, 2, 5):
            place(seg[k], cls.nvr, name("CAM-A", t0 + k * SEG_S * SEC))
        cut = place(seg[4], cls.nvr, name("CAM-A", t0 + 4 * SEG_S * SEC))
        os.truncate(cut, os.path.getsize(cut) // 2)
        cls.p_files = [place(seg[k], cls.nvr2, name("CAM-P", t0 - 10 * MIN + k * SEG_S * SEC))
                       for k in range(3)]
        cameras = [cwtest.camera("CAM-A", dead, name="Cổng chợ Lai Vung", recorder="nvr"),
                   cwtest.camera("CAM-O", dead, name="Nhà lồng", recorder="nvr"),
                   cwtest.camera("CAM-P", dead, name="Bến xe", recorder="nvr2"),
                   cwtest.camera("CAM-Z", dead, name="Trạm y tế", recorder="NVR-CAH-01")]
        cls.conf = cwtest.write_config(
            os.path.join(tmp, "site"), cameras,
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr": {"kind": "dir", "path": cls.nvr, "pattern": PATTERN},
                      "recorder nvr2": {"kind": "dir", "path": cls.nvr2, "pattern": PATTERN}})
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r

    def cli(self, *args):
        return cwtest.camwatch(self.conf, *args)

    def find(self, cam, start, end):
        r = self.cli("footage", "find", "--json", "--from", iso(start), "--to", iso(end),
                     "--camera", cam)
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)[0]

    def gaps(self, o):
        return [(g["start"], g["end"], g["cause"]) for g in o["gaps"]]

    def test_a_first_scan_claims_nothing_was_overwritten(self):
        # Failed before: one gap, "overwritten", though nothing of CAM-A was ever seen there.
        t0 = self.t0
        o = self.find("CAM-A", t0 - 30 * MIN, t0)
        self.assertEqual(self.gaps(o), [
            (iso(t0 - 30 * MIN), iso(t0 - 20 * MIN), "before recorder's oldest footage"),
            (iso(t0 - 20 * MIN), iso(t0), "not recorded")])
        r = self.cli("footage", "find", "--from", iso(t0 - 30 * MIN), "--to", iso(t0),
                     "--camera", "CAM-A")
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("overwritten", r.out)
        self.assertIn("gap: before recorder's oldest footage", r.out)

    def test_footage_seen_and_gone_is_overwritten(self):
        # CAM-P's first file, indexed by the first scan, is deleted and nvr2 scanned again:
        # that time is "overwritten"; before it, nothing was ever seen.
        t0 = self.t0
        os.unlink(self.p_files[0])
        r = self.cli("footage", "scan", "--recorder", "nvr2")
        self.assertEqual(r.rc, 0, r)
        o = self.find("CAM-P", t0 - 15 * MIN, t0 - 10 * MIN + 2 * SEG_S * SEC)
        start = t0 - 10 * MIN
        self.assertEqual(self.gaps(o), [
            (iso(t0 - 15 * MIN), iso(start), "before recorder's oldest footage"),
            (iso(start), iso(start + SEG_S * SEC), "overwritten")])

    def test_a_gap_is_cut_where_its_cause_changes(self):
        # +12 deleted before the scan, +16 cut short. Failed before: one gap, "unreadable".
        t0 = self.t0
        o = self.find("CAM-A", t0, t0 + 24 * SEC)
        self.assertEqual(self.gaps(o), [
            (iso(t0 + 12 * SEC), iso(t0 + 16 * SEC), "not recorded"),
            (iso(t0 + 16 * SEC), iso(t0 + 20 * SEC), "unreadable")])

    def test_a_recorder_without_a_section_is_not_configured(self):
        # Failed before: "never scanned", as if a scan would come.
        t0 = self.t0
        o = self.find("CAM-Z", t0, t0 + 24 * SEC)
        self.assertEqual(o["index"]["state"], "not configured")
        self.assertEqual(o["index"]["recorder"], "NVR-CAH-01")
        self.assertEqual([g["cause"] for g in o["gaps"]], ["not indexed"])
        r = self.cli("footage", "find", "--from", iso(t0), "--to", iso(t0 + 24 * SEC),
                     "--camera", "CAM-Z")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("not indexed: recorder NVR-CAH-01 is not configured "
                      "(no [recorder NVR-CAH-01] section)", r.out)
        self.assertNotIn("never scanned", r.out)
        # the export's manifest and summary say the same (failed before: "never scanned")
        r = self.cli("request", "create", "--json", "--from", iso(t0), "--to", iso(t0 + 24 * SEC),
                     "--camera", "CAM-Z", "--case", "VV-Z", "--reason", "test", "--by", "cb")
        self.assertEqual(r.rc, 0, r)
        out = os.path.join(self.tmp, "export-z")
        r = self.cli("request", "export", str(json.loads(r.out)["id"]), "--out", out, "--by", "cb")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("CAM-Z nothing (not indexed: not configured)", r.out)
        with open(os.path.join(out, "manifest.txt"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("not indexed: recorder NVR-CAH-01 is not configured "
                      "(no [recorder NVR-CAH-01] section)", text)
        self.assertNotIn("never scanned", text)

    def test_a_range_in_the_future_is_refused(self):
        # Failed before: answered, with a state then.
        r = self.cli("footage", "find", "--from", "2030-01-01", "--to", "2030-01-02",
                     "--camera", "CAM-A")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("--from", r.err)
        self.assertIn("is in the future", r.err)
        r = self.cli("request", "create", "--from", "2030-01-01", "--to", "2030-01-02",
                     "--camera", "CAM-A", "--case", "VV-1", "--reason", "test", "--by", "cb")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("is in the future", r.err)
        r = self.cli("request", "list", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual([q for q in json.loads(r.out) if q["case"] == "VV-1"], [])

    def test_place_folds_white_space(self):
        # Failed before: "no camera there".
        t0 = self.t0
        for text in ("cong  cho lai vung", " cong cho lai vung", "cong\u00a0cho lai vung"):
            r = self.cli("footage", "find", "--json", "--from", iso(t0), "--to",
                         iso(t0 + 24 * SEC), "--place", text)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual([o["id"] for o in json.loads(r.out)], ["CAM-A"], text)


if __name__ == "__main__":
    unittest.main()
