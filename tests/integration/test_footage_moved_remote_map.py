#!/usr/bin/python3
"""Cameras the sheet (cameras.csv's recorder column) moves off a network recorder whose
channel_map still names them: the old recorder indexes none of their new items, so it speaks
for them only up to the scan that indexed their footage there (README "When cameras move").

    /usr/bin/python3 tests/integration/test_footage_moved_remote_map.py --build build [-v]

The site: onvA (tests/fixtures/onvif_device.py, channel 1 recording on: its recording ends at
the time of each answer), hikA, hikB (Hikvision ISAPI) and dhA (Dahua), played by
tests/fixtures/nvr_http.py. camwatchd --once indexes the first sheet: CAM-Q on onvA, CAM-J on
hikA, CAM-K on dhA. Then the sheet moves the three to hikB, the old recorders' channel_map
left as it was (the installer forgot it), hikA and dhA record a new file on the channel after
the first scans, and camwatchd --once and `camwatch footage scan` list every recorder again.
Nothing asserts on time; the cameras' RTSP addresses are closed ports.
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
MAPS = {"onvA": "SourceId_1=CAM-Q", "hikA": "1=CAM-J", "dhA": "1=CAM-K", "hikB": "3=CAM-W"}


class FootageMovedRemoteMapTest(NvrSite, cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-moved-remote-map-"

    @classmethod
    def start(cls):
        t = now().replace(microsecond=0)
        cls.t0 = t - 40 * MIN  # hikA's and dhA's first files: 40 to 20 minutes ago
        cls.e1 = t - 20 * MIN
        cls.hik_old = [nvr_file(1, cls.t0, cls.e1, "j1-0")]
        cls.dav_old = [nvr_file(1, cls.t0, cls.e1, "/mnt/dvr/sda0/dav/k1-0.dav")]
        cls.start_site(cls.hik_old, [], cls.dav_old, [{"from": -3600, "to": 0}])
        cls.conf = cls.write_sheet(
            {"CAM-Q": "onvA", "CAM-J": "hikA", "CAM-K": "dhA", "CAM-W": "hikB"}, MAPS)
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        for name in cls.recorders:
            assert "footage: recorder=%s scanned" % name in r.err, r
        cls.first = cls.recorders_now()
        # The sheet moves CAM-Q, CAM-J and CAM-K to hikB; the old recorders' maps still name
        # them. hikA and dhA record a new file on that channel after the first scans.
        cls.wait_past_first_scans(["CAM-Q"])
        cls.tb = now().replace(microsecond=0) + SEC
        cls.control_nvr("hikA", {"files": cls.hik_old + [
            nvr_file(1, cls.tb, cls.tb + 2 * SEC, "j1-1")]})
        cls.control_nvr("dhA", {"files": cls.dav_old + [
            nvr_file(1, cls.tb, cls.tb + 2 * SEC, "/mnt/dvr/sda0/dav/k1-1.dav")]})
        cls.conf = cls.write_sheet(
            {"CAM-Q": "hikB", "CAM-J": "hikB", "CAM-K": "hikB", "CAM-W": "hikB"},
            dict(MAPS, hikB="3=CAM-W, 4=CAM-Q, 5=CAM-J, 6=CAM-K"))
        cwtest.wait_for("the clock past the new files", lambda: now() > cls.tb + 3 * SEC)
        r = cwtest.camwatchd(cls.conf, "--once")  # the inventory synced, every recorder scanned
        assert r.rc == 0, r
        cls.moved_log = r.err
        r = cwtest.camwatch(cls.conf, "footage", "scan", "--json")  # and scanned again
        assert r.rc == 0, r
        cls.second = {o["name"]: o for o in json.loads(r.out)}
        cls.later = cls.recorders_now()

    def assert_old_recorder_indexed_nothing_new(self, cam, old):
        """cam's new footage on old after the move is not cam's: old speaks for cam up to its
        first scan, and the time after it is not indexed (cam has no file on hikB)."""
        doc = self.find(cam, self.t0 - 60 * MIN, self.tb + 2 * SEC)
        self.assertEqual(doc["index"]["recorder"], "hikB")
        others = {o["recorder"]: o for o in doc["index"]["others"]}
        self.assertEqual(list(others), [old], doc["index"])
        self.assertLess(at(self.first[old]["scanned_at"]), self.tb)
        self.assertGreater(at(self.later[old]["scanned_at"]), self.tb + 2 * SEC)
        self.assertLessEqual(at(others[old]["known_until"]), self.tb, doc["index"])
        self.assertLessEqual(at(doc["windows"][-1]["end"]), self.tb, doc["windows"])
        self.assertEqual(doc["gaps"][-1]["cause"], "not indexed", doc["gaps"])
        return doc

    def test_an_isapi_channel_still_mapped_to_a_moved_camera_indexes_none_of_its_new_files(self):
        doc = self.assert_old_recorder_indexed_nothing_new("CAM-J", "hikA")
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(self.t0), iso(self.e1))])
        self.assertEqual((self.second["hikA"]["kept"], self.second["hikA"]["gone"]), (1, 0))

    def test_a_dahua_channel_still_mapped_to_a_moved_camera_indexes_none_of_its_new_files(self):
        doc = self.assert_old_recorder_indexed_nothing_new("CAM-K", "dhA")
        self.assertEqual([(w["start"], w["end"]) for w in doc["windows"]],
                         [(iso(self.t0), iso(self.e1))])
        self.assertEqual((self.second["dhA"]["kept"], self.second["dhA"]["gone"]), (1, 0))

    def test_an_onvif_recording_still_mapped_to_a_moved_camera_keeps_the_part_it_had(self):
        # The recording records on after CAM-Q left onvA: CAM-Q keeps the part indexed before.
        self.assert_old_recorder_indexed_nothing_new("CAM-Q", "onvA")
        self.assertEqual(self.second["onvA"]["kept"], 1, self.second)

    def map_line(self, recorder):
        """The line of [recorder NAME]'s channel_map in the conf."""
        with open(self.conf, encoding="utf-8") as f:
            lines = f.read().splitlines()
        at = lines.index("[recorder %s]" % recorder)
        return next(i + 1 for i in range(at, len(lines)) if lines[i].startswith("channel_map ="))

    def test_check_config_warns_of_each_map_entry_left_naming_a_moved_camera(self):
        # Each old map's entry gives its camera nothing now: dead config, said as a warning
        # (the conf stays loadable) naming where it is and where the camera's row puts it.
        r = cwtest.camwatchd(self.conf, "--check-config")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("valid", r.out)
        sheet = os.path.join(os.path.dirname(self.conf), "cameras.csv")
        for old, token, cam, row in (("onvA", "SourceId_1", "CAM-Q", 2), ("hikA", "1", "CAM-J", 3),
                                     ("dhA", "1", "CAM-K", 4)):
            with self.subTest(recorder=old):
                self.assertIn("camwatchd: warning: %s:%d: channel_map: [recorder %s]: %s=%s gives %s "
                              "no new footage: its row (%s:%d) names recorder hikB; take %s=%s out "
                              "of the map, or put %s back in the row"
                              % (self.conf, self.map_line(old), old, token, cam, cam, sheet, row,
                                 token, cam, old), r.err)
        # hikB's entries name cameras its rows put on it: no warning of them.
        warned = [line for line in r.err.splitlines() if line.startswith("camwatchd: warning:")]
        self.assertEqual(len(warned), 3, r.err)

    def test_the_daemon_logs_each_map_entry_left_naming_a_moved_camera_when_it_starts(self):
        # An installer who never runs --check-config reads the same warnings in the journal.
        warned = [line for line in self.moved_log.splitlines()
                  if "config: " in line and "channel_map" in line]
        self.assertEqual(len(warned), 3, self.moved_log)
        for old, token, cam in (("onvA", "SourceId_1", "CAM-Q"), ("hikA", "1", "CAM-J"),
                                ("dhA", "1", "CAM-K")):
            with self.subTest(recorder=old):
                said = "config: %s:%d: channel_map: [recorder %s]: %s=%s gives %s no new footage" % (
                    self.conf, self.map_line(old), old, token, cam, cam)
                self.assertTrue(any(said in line for line in warned), self.moved_log)


if __name__ == "__main__":
    unittest.main()
