#!/usr/bin/python3
"""NVRs searched through their own HTTP APIs: a Hikvision NVR through ISAPI's ContentMgmt search
and a Dahua NVR through mediaFileFind.cgi, both played by tests/fixtures/nvr_http.py as their
published documents describe (HTTP Digest, ISAPI's pages of 40 with MORE/OK, Dahua's finder
created, searched page by page, closed and destroyed). `camwatch footage scan` lists every
file of each mapped channel, `footage find` shows the windows and gaps in the site's time
(the Dahua recorder keeps Tokyo time), files the NVR overwrote leave the index, and a wrong
password is a failed scan that says so.

    /usr/bin/python3 tests/integration/test_footage_nvr.py --build build [-v]
"""
import datetime
import json
import os
import sys
import unittest
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()
WALL = "%Y-%m-%d %H:%M:%S"
DAY = datetime.datetime(2026, 11, 20)


def files(channel, start, n, minutes, skip=(), prefix="f"):
    out = []
    for i in range(n):
        if i in skip:
            continue
        s = start + datetime.timedelta(minutes=i * minutes)
        out.append({"channel": channel, "start": s.strftime(WALL),
                    "end": (s + datetime.timedelta(minutes=minutes)).strftime(WALL),
                    "bytes": 1000000 + i, "name": "%s%d-%03d" % (prefix, channel, i)})
    return out


# Hikvision, Hanoi time: channel 1 has 45 ten-minute files from 14:00 with 19:30-19:40
# missing (two pages of 40); track 201 (channel 2) two files from 20:00.
HIK_FILES = files(1, DAY.replace(hour=14), 45, 10, skip={33}) + \
    files(2, DAY.replace(hour=20), 2, 15)
# Dahua, Tokyo time (two hours ahead of Hanoi): 22:00-23:30 there, one file a page.
DH_FILES = files(1, DAY.replace(hour=22), 3, 30, prefix="/mnt/dvr/sda0/2026/11/20/dav/")
NVRS = [{"name": "hik", "api": "isapi", "files": HIK_FILES},
        {"name": "dh", "api": "dahua", "page_max": 1, "utc_offset": "+09:00",
         "files": DH_FILES}]


def http_json(port, path, obj=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=None if obj is None else json.dumps(obj).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


def spans(items):
    return [(w["start"][11:16], w["end"][11:16]) for w in items]


class NvrApiRecorderTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-nvr-"

    @classmethod
    def start(cls):
        nvrs = cwtest.write_json(os.path.join(cls.tmp, "nvrs.json"), NVRS)
        cls.nvr = cls.procs.fixture("nvr_http.py", "--nvrs", nvrs)
        base = "http://127.0.0.1:%d/" % cls.nvr.port
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        cams = [cwtest.camera(i, dead) for i in ("CAM-A", "CAM-B", "CAM-C")]
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"), cams,
            credentials={"nvr": ("admin", "camwatch"), "bad": ("admin", "wrong")},
            sections={"probe.stream": {"workers": "0"},
                      "recorder hik": {"kind": "hikvision", "url": base + "hik",
                                       "credential": "nvr", "timeout": "5s",
                                       "channel_map": "1=CAM-A, 201=CAM-B"},
                      "recorder dh": {"kind": "dahua", "url": base + "dh/",
                                      "credential": "nvr", "timeout": "5s",
                                      "time_zone": "Asia/Tokyo", "channel_map": "1=CAM-C"}})
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        assert "footage: recorder=hik scanned" in r.err, r
        assert "footage: recorder=dh scanned" in r.err, r

    def find(self, cam, start="2026-11-20 19:00", end="2026-11-20 23:00"):
        r = cwtest.camwatch(self.conf, "footage", "find", "--json", "--from", start, "--to",
                            end, "--camera", cam)
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)[0]

    def scan(self, conf=None):
        r = cwtest.camwatch(conf or self.conf, "footage", "scan", "--json")
        return r, {o["name"]: o for o in json.loads(r.out)} if r.out.strip() else None

    def test_hikvision_files_over_pages_give_windows_and_gaps(self):
        req = urllib.request.Request("http://127.0.0.1:%d/_log" % self.nvr.port,
                                     method="DELETE")
        urllib.request.urlopen(req, timeout=10).close()
        r, scan = self.scan()
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(scan["hik"]["ok"], scan)
        self.assertEqual(scan["hik"]["files"], 46)
        a = self.find("CAM-A")
        self.assertEqual(spans(a["windows"]), [("19:00", "19:30"), ("19:40", "21:30")])
        self.assertEqual(spans(a["gaps"]), [("19:30", "19:40"), ("21:30", "23:00")])
        self.assertEqual(a["oldest"], "2026-11-20T14:00:00+07:00")
        self.assertEqual(spans(self.find("CAM-B")["windows"]), [("20:00", "20:30")])
        # Channel 1 took two pages (positions 0 and 40), track 201 one; every request but
        # the first, which learnt the Digest challenge, was authenticated.
        log = http_json(self.nvr.port, "/_log?nvr=hik")
        asked = [e["action"] for e in log if e["auth_ok"]]
        self.assertEqual(asked, ["search track=101 position=0", "search track=101 position=40",
                                 "search track=201 position=0"])
        self.assertEqual(sum(1 for e in log if not e["auth_ok"]), 1, log)

    def test_dahua_in_another_zone_searched_page_by_page_and_freed(self):
        r, scan = self.scan()
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(scan["dh"]["ok"], scan)
        self.assertEqual(scan["dh"]["files"], 3)
        # 22:00-23:30 in Tokyo is 20:00-21:30 in Hanoi
        self.assertEqual(spans(self.find("CAM-C")["windows"]), [("20:00", "21:30")])
        # One file a page until found=0, then the search closed and the finder destroyed.
        log = [e["action"] for e in http_json(self.nvr.port, "/_log?nvr=dh") if e["auth_ok"]]
        self.assertEqual(log[-8:], ["factory.create", "findFile channel=1"] +
                         ["findNextFile"] * 4 + ["close", "destroy"])
        self.assertEqual(http_json(self.nvr.port, "/_control/dh")["finders"], [])

    def test_files_the_nvr_overwrote_leave_the_index(self):
        http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES[5:]})
        try:
            r, scan = self.scan()
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(scan["hik"]["gone"], 5)
            self.assertEqual(self.find("CAM-A")["oldest"], "2026-11-20T14:50:00+07:00")
        finally:
            http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES})
            self.scan()

    def test_a_channel_left_out_of_the_map_keeps_its_files_while_listed(self):
        # CAM-B moves off the Hikvision NVR (201=CAM-B leaves channel_map): the files it
        # recorded there stay CAM-B's while the NVR still lists them, so track 201 is still
        # asked about; when the NVR deletes them they leave the index.
        conf = cwtest.conf_variant(self.conf, "1=CAM-A, 201=CAM-B", "1=CAM-A", ".moved")
        try:
            r, scan = self.scan(conf)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual((scan["hik"]["gone"], scan["hik"]["kept"]), (0, 2), scan)
            self.assertEqual(spans(self.find("CAM-B")["windows"]), [("20:00", "20:30")])
            log = http_json(self.nvr.port, "/_log?nvr=hik")
            self.assertEqual([e["action"] for e in log if e["auth_ok"]][-1],
                             "search track=201 position=0")
            http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES[:-2]})
            r, scan = self.scan(conf)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual((scan["hik"]["gone"], scan["hik"]["kept"]), (2, 0), scan)
            self.assertEqual(self.find("CAM-B")["windows"], [])
        finally:
            http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES})
            self.scan()

    def test_channels_given_to_other_cameras_keep_the_files_recorded_before(self):
        # The map swaps its cameras: the files the NVR still lists as they were indexed stay
        # the cameras they were; a file recorded after, on track 201, is CAM-A's.
        conf = cwtest.conf_variant(self.conf, "1=CAM-A, 201=CAM-B", "1=CAM-B, 201=CAM-A",
                                   ".swapped")
        later = files(2, DAY.replace(hour=22), 1, 15, prefix="g")
        try:
            http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES + later})
            r, scan = self.scan(conf)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(spans(self.find("CAM-A")["windows"]),
                             [("19:00", "19:30"), ("19:40", "21:30"), ("22:00", "22:15")])
            self.assertEqual(spans(self.find("CAM-B")["windows"]), [("20:00", "20:30")])
            self.assertEqual((scan["hik"]["gone"], scan["hik"]["kept"]), (0, 46), scan)
        finally:
            http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES})
            self.scan()

    def test_a_scan_again_counts_only_the_files_it_added_or_changed(self):
        # The NVRs list every file at every scan: one listed again as the index has it is not
        # new or changed, in `footage scan` or the daemon's log; one that grew is.
        r, scan = self.scan()
        self.assertEqual(r.rc, 0, r)
        r, scan = self.scan()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual((scan["hik"]["files"], scan["hik"]["changed"]), (46, 0), scan)
        self.assertEqual((scan["dh"]["files"], scan["dh"]["changed"]), (3, 0), scan)
        r = cwtest.camwatchd(self.conf, "--once")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.err, r"footage: recorder=hik scanned in [0-9.]+ s: 46 files "
                                r"\(0 new or changed, 0 unreadable\), 0 gone")
        self.assertRegex(r.err, r"footage: recorder=dh scanned in [0-9.]+ s: 3 files "
                                r"\(0 new or changed, 0 unreadable\), 0 gone")
        grown = [dict(f) for f in HIK_FILES]
        grown[-1]["end"] = "2026-11-20 20:40:00"  # track 201's last file, 20:15-20:30 until now
        grown[-1]["bytes"] += 500000
        try:
            http_json(self.nvr.port, "/_control/hik", {"files": grown})
            r, scan = self.scan()
            self.assertEqual(r.rc, 0, r)
            self.assertEqual((scan["hik"]["files"], scan["hik"]["changed"]), (46, 1), scan)
            self.assertEqual(scan["dh"]["changed"], 0, scan)
            self.assertEqual(spans(self.find("CAM-B")["windows"]), [("20:00", "20:40")])
        finally:
            http_json(self.nvr.port, "/_control/hik", {"files": HIK_FILES})
            self.scan()

    def test_wrong_password_is_a_failed_scan_that_says_why(self):
        conf = cwtest.conf_variant(self.conf, "credential = nvr", "credential = bad", ".bad")
        r, scan = self.scan(conf)
        self.assertEqual(r.rc, 1, r)
        for name in ("hik", "dh"):
            self.assertFalse(scan[name]["ok"], scan)
            self.assertIn("authentication failed (HTTP 401)", scan[name]["error"])
        # A failed scan forgets nothing.
        self.assertEqual(len(self.find("CAM-A")["windows"]), 2)


if __name__ == "__main__":
    unittest.main()
