#!/usr/bin/python3
"""Footage end to end: segment trees made by ffmpeg's segment muxer, scanned by camwatchd
--once and by `camwatch footage scan`, asked about with `footage find` and requests, and
exported as evidence checked with ffprobe and recomputed hashes; the backlog of that site.

    /usr/bin/python3 tests/integration/test_footage.py --build build [-v]

The site: recorder nvr1 (dir, MP4 and TS segments) holds CAM-A (Cổng chợ Lai Vung: MP4, a gap,
a file cut short) and CAM-B (Nhà lồng chợ: TS), 40 m apart at the market; recorder berlin
(another time zone) holds CAM-C (Ngã ba Tân Dương, 2 km away); recorder live holds CAM-G,
whose footage of the last hour has a 20-minute hole. CAM-A, CAM-C and CAM-G answer RTSP
(tests/fixtures/rtsp_fault.py --every ok), CAM-B does not (a closed port): their states
then. Timeouts only guard against hangs; nothing asserts on time.
"""
import datetime
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
import zoneinfo

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SEG_S = 4  # seconds per segment; a keyframe every second (10 fps, GOP 10)


def make_segments(directory, n, container, audio=True):
    """n segments of SEG_S seconds by ffmpeg's segment muxer: seg000.<ext>..."""
    ext = {"mp4": "mp4", "mpegts": "ts"}[container]
    os.makedirs(directory, exist_ok=True)
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
            "testsrc=size=160x120:rate=10"]
    if audio:
        argv += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000"]
    argv += ["-t", str(n * SEG_S), "-c:v", "libx264", "-preset", "ultrafast", "-g", "10",
             "-sc_threshold", "0", "-pix_fmt", "yuv420p"]
    if audio:
        argv += ["-c:a", "aac"]
    argv += ["-f", "segment", "-segment_time", str(SEG_S), "-segment_format", container,
             "-reset_timestamps", "1", os.path.join(directory, "seg%03d." + ext)]
    r = cwtest.run(argv, timeout=120)
    assert r.rc == 0, r
    return [os.path.join(directory, "seg%03d.%s" % (i, ext)) for i in range(n)]


def place(src, root, rel):
    dst = os.path.join(root, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def local(dt, zone=HCM):
    return dt.astimezone(zone)


def iso(dt):
    return local(dt).isoformat()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ffprobe(path):
    r = cwtest.run(["ffprobe", "-v", "error", "-show_entries",
                    "stream=codec_name,codec_type:format=duration", "-of", "json", path],
                   timeout=60)
    assert r.rc == 0, r
    return json.loads(r.out)


class FootageTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-"

    @classmethod
    def start(cls):
        cls.rtsp = cls.procs.fixture("rtsp_fault.py", "--every", "ok")
        ok = cwtest.rtsp_url(cls.rtsp.port, "/ok")
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        tmp = cls.tmp
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        # The market's footage begins 3 minutes ahead: after camwatchd --once has judged the
        # cameras, so the range asked about begins with them in their state.
        cls.now = now
        cls.t0 = now + datetime.timedelta(minutes=3)
        cls.nvr = os.path.join(tmp, "nvr1")
        cls.ber = os.path.join(tmp, "berlin")
        cls.live = os.path.join(tmp, "live")
        mp4 = make_segments(os.path.join(tmp, "s-mp4"), 6, "mp4")
        ts = make_segments(os.path.join(tmp, "s-ts"), 3, "mpegts", audio=False)

        def name(cam, t, ext, zone=HCM):
            t = local(t, zone)
            return "%s/%s/%s.%s" % (cam, t.strftime("%Y-%m-%d"), t.strftime("%H-%M-%S"), ext)

        sec = datetime.timedelta(seconds=1)
        # CAM-A: t0, +4, +8, (nothing at +12, +16), +20, +24 cut short.
        for k, off in enumerate([0, 4, 8, 20]):
            place(mp4[k], cls.nvr, name("CAM-A", cls.t0 + off * sec, "mp4"))
        cut = place(mp4[4], cls.nvr, name("CAM-A", cls.t0 + 24 * sec, "mp4"))
        os.truncate(cut, os.path.getsize(cut) // 2)
        for k in range(3):
            place(ts[k], cls.nvr, name("CAM-B", cls.t0 + 4 * k * sec, "ts"))
        # Berlin: its own zone's names, "%Y%m%d/{camera}_%H%M%S.ts".
        b = local(cls.t0, BERLIN)
        place(ts[0], cls.ber, "%s/CAM-C_%s.ts" % (b.strftime("%Y%m%d"), b.strftime("%H%M%S")))
        # CAM-G: a segment a minute over the last hour, but nothing from -40 to -20 minutes.
        for m in list(range(60, 40, -1)) + list(range(20, 0, -1)):
            place(ts[0], cls.live, name("CAM-G", now - m * 60 * sec, "ts"))
        cls.cameras = [
            cwtest.camera("CAM-A", ok, name="Cổng chợ Lai Vung", commune="Thị trấn Lai Vung",
                          address="Khóm 1", road="QL54", lat="10.28776", lon="105.66044",
                          recorder="nvr1"),
            cwtest.camera("CAM-B", dead, name="Nhà lồng chợ", commune="Thị trấn Lai Vung",
                          address="Khóm 1", road="QL54", lat="10.28800", lon="105.66070",
                          recorder="nvr1"),
            cwtest.camera("CAM-C", ok, name="Ngã ba Tân Dương", commune="Tân Dương",
                          address="ấp Tân Lộc", road="QL80", lat="10.30500", lon="105.66044",
                          recorder="berlin"),
            cwtest.camera("CAM-G", ok, name="Bến phà", commune="Long Hậu", address="ấp 2",
                          road="ĐT851", lat="10.2", lon="105.7", recorder="live"),
            # Footage camwatch cannot speak for: no recorder; a recorder it cannot read.
            cwtest.camera("CAM-N", ok, name="Trạm y tế", commune="Vĩnh Thới", address="ấp 5",
                          road="ĐH12", lat="10.1", lon="105.5"),
            cwtest.camera("CAM-U", ok, name="Bưu điện", commune="Phong Hòa", address="ấp 7",
                          road="ĐH13", lat="10.0", lon="105.4", recorder="gone"),
        ]
        cls.conf = cwtest.write_config(
            os.path.join(tmp, "site"), cls.cameras,
            probe={"down_after": "1", "up_after": "1"},
            sections={
                "probe.stream": {"workers": "0"},
                "footage": {"max_gap": "5m", "warn_before": "3d"},
                "recorder nvr1": {"kind": "dir", "path": cls.nvr,
                                  "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.*"},
                "recorder berlin": {"kind": "dir", "path": cls.ber,
                                    "pattern": "%Y%m%d/{camera}_%H%M%S.ts",
                                    "time_zone": "Europe/Berlin"},
                "recorder live": {"kind": "dir", "path": cls.live,
                                  "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.ts"},
                "recorder gone": {"kind": "dir", "path": os.path.join(tmp, "unmounted"),
                                  "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.ts"},
            })
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        cls.once_log = r.err

    def cli(self, *args):
        return cwtest.camwatch(self.conf, *args)

    def json_of(self, *args):
        r = self.cli(*args)
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)

    def find(self, *place, start=0, end=28):
        t0 = local(self.t0)
        return self.json_of("footage", "find", "--json",
                            "--from", (t0 + datetime.timedelta(seconds=start)).isoformat(),
                            "--to", (t0 + datetime.timedelta(seconds=end)).isoformat(), *place)

    def by_id(self, doc):
        return {o["id"]: o for o in doc}

    def live_site(self, name, change=None):
        """A site of CAM-G alone on its own copy of the live recorder (live-NAME), changed by
        change(root) first, and scanned well by camwatchd --once: (root, conf)."""
        root = os.path.join(self.tmp, "live-" + name)
        shutil.copytree(self.live, root)
        if change is not None:
            change(root)
        conf = cwtest.write_config(
            os.path.join(self.tmp, "site-" + name), self.cameras[3:4],
            sections={"probe.stream": {"workers": "0"},
                      "recorder live": {"kind": "dir", "path": root,
                                        "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.ts"}})
        self.assertEqual(cwtest.camwatchd(conf, "--once").rc, 0)
        return root, conf

    def test_once_scanned_every_recorder(self):
        self.assertIn("footage: recorder=nvr1 scanned", self.once_log)
        self.assertIn("footage: recorder=berlin scanned", self.once_log)
        recs = {o["name"]: o for o in self.json_of("footage", "recorders", "--json")}
        self.assertEqual(recs["nvr1"]["segments"], 8)
        self.assertEqual(recs["nvr1"]["unreadable"], 1)
        self.assertTrue(recs["berlin"]["ok"])

    def test_point_query_windows_gaps_states_nearest_first(self):
        doc = self.find("--near", "10.28790,105.66060", "--radius", "100")
        self.assertEqual([o["id"] for o in doc], ["CAM-B", "CAM-A"])
        a = self.by_id(doc)["CAM-A"]
        self.assertGreater(a["distance_m"], 20)
        self.assertLess(a["distance_m"], 26)
        self.assertEqual([(w["start"], w["end"]) for w in a["windows"]],
                         [(iso(self.t0), iso(self.t0 + datetime.timedelta(seconds=12))),
                          (iso(self.t0 + datetime.timedelta(seconds=20)),
                           iso(self.t0 + datetime.timedelta(seconds=24)))])
        self.assertEqual([(g["start"], g["cause"]) for g in a["gaps"]],
                         [(iso(self.t0 + datetime.timedelta(seconds=12)), "not recorded"),
                          (iso(self.t0 + datetime.timedelta(seconds=24)), "unreadable")])
        self.assertEqual(len(a["unreadable"]), 1)
        self.assertIn("truncated MP4", a["unreadable"][0]["reason"])
        # The files are stamped minutes after the scan (the recorder's clock is ahead of ours):
        # the index knows each camera up to its own newest footage the scan saw, CAM-A 24 s in,
        # CAM-B 12 s in. CAM-A's newer files say nothing of what CAM-B wrote after its folder
        # was listed: CAM-B's closing gap, from 12 s on, is "not indexed", not "not recorded".
        self.assertEqual(a["index"]["known_until"], iso(self.t0 + datetime.timedelta(seconds=24)))
        b = self.by_id(doc)["CAM-B"]
        self.assertEqual([(g["start"], g["end"], g["cause"]) for g in b["gaps"]],
                         [(iso(self.t0 + datetime.timedelta(seconds=12)),
                           iso(self.t0 + datetime.timedelta(seconds=28)), "not indexed")])
        self.assertEqual(b["index"]["known_until"], iso(self.t0 + datetime.timedelta(seconds=12)))
        self.assertEqual(a["state_then"], "up")
        self.assertEqual(self.by_id(doc)["CAM-B"]["state_then"], "down")
        self.assertIsNone(a["retrievable_until"])  # nothing overwritten yet
        for key in ("id", "distance_m", "windows", "gaps", "state_then", "retrievable_until"):
            self.assertIn(key, self.by_id(doc)["CAM-B"])

    def test_text_query_with_and_without_diacritics(self):
        for text in ("cho lai vung", "CHỢ LAI VUNG", "Chợ Lai Vung"):
            self.assertEqual([o["id"] for o in self.find("--place", text)], ["CAM-A"], text)
        self.assertEqual([o["id"] for o in self.find("--place", "tan duong")], ["CAM-C"])
        self.assertEqual([o["id"] for o in self.find("--place", "Tân Dương")], ["CAM-C"])
        self.assertEqual(self.find("--place", "Tân Đường"), [])  # marks typed: must match
        self.assertEqual([o["id"] for o in self.find("--place", "dt851")], ["CAM-G"])
        self.assertEqual(self.find("--place", "tan duong")[0]["distance_m"], None)

    def test_id_query_and_recorder_in_another_zone(self):
        doc = self.by_id(self.find("--camera", "CAM-C", "--camera", "CAM-B"))
        self.assertEqual(sorted(doc), ["CAM-B", "CAM-C"])
        # 4 s of TS named in Berlin time land at the same instant in Ho Chi Minh City time.
        w = doc["CAM-C"]["windows"]
        self.assertEqual(len(w), 1)
        self.assertEqual(w[0]["start"], iso(self.t0))
        self.assertGreaterEqual(w[0]["end_ms"] - w[0]["start_ms"], 3900)
        self.assertEqual(doc["CAM-B"]["windows"][0]["end"],
                         iso(self.t0 + datetime.timedelta(seconds=12)))
        r = self.cli("footage", "find", "--from", "2026-11-20 21:00", "--to",
                     "2026-11-20 21:30", "--camera", "NOPE")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("unknown camera 'NOPE'", r.err)
        r = self.cli("footage", "find", "--from", "2026-11-20 21:30", "--to", "2026-11-20 21:00",
                     "--camera", "CAM-A")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("the range ends before it begins", r.err)

    def test_unindexed_footage_is_not_said_unrecorded(self):
        # No recorder, or a recorder never scanned without error: camwatch cannot tell
        # whether there is footage, and every view says so rather than "not recorded".
        doc = self.by_id(self.find("--camera", "CAM-N,CAM-U"))
        for cam, state in (("CAM-N", "no recorder"), ("CAM-U", "never scanned")):
            self.assertEqual([g["cause"] for g in doc[cam]["gaps"]], ["not indexed"], cam)
            self.assertEqual(doc[cam]["index"]["state"], state, cam)
        self.assertIsNone(doc["CAM-N"]["index"]["recorder"])
        self.assertEqual(doc["CAM-U"]["index"]["recorder"], "gone")
        self.assertTrue(doc["CAM-U"]["index"]["error"], doc["CAM-U"]["index"])
        # a scanned recorder's hole stays "not recorded"
        self.assertIn("not recorded", [g["cause"] for g in
                                       self.by_id(self.find("--camera", "CAM-A"))["CAM-A"]["gaps"]])
        t0 = local(self.t0)
        r = self.cli("footage", "find", "--from", t0.isoformat(),
                     "--to", (t0 + datetime.timedelta(seconds=28)).isoformat(),
                     "--camera", "CAM-N,CAM-U")
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("not recorded", r.out)
        self.assertEqual(r.out.count("gap: not indexed"), 2, r.out)
        self.assertIn("not indexed: no recorder configured for this camera", r.out)
        self.assertIn("not indexed: recorder gone never scanned without error", r.out)
        # the summary says so too, not "0m00s of 0m28s" as if nothing was recorded
        rows = {}  # the table's row of each (the details below start with the id too)
        for line in r.out.splitlines():
            if line.startswith(("CAM-N ", "CAM-U ")):
                rows.setdefault(line.split()[0], line)
        self.assertEqual(sorted(rows), ["CAM-N", "CAM-U"], r.out)
        for cam, row in rows.items():
            self.assertIn(" not indexed ", row + " ", cam)
        self.assertNotIn("0m00s of", r.out)

    def test_closing_gap_after_the_last_scan_is_not_indexed(self):
        # An incident asked about up to half an hour after the scan of setUpClass: CAM-G's
        # footage ends a minute before it; "not recorded" stands up to the scan, after it the
        # index does not know.
        frm = local(self.now - datetime.timedelta(minutes=3)).isoformat()
        to = local(self.now + datetime.timedelta(minutes=30)).isoformat()
        g = self.json_of("footage", "find", "--json", "--camera", "CAM-G", "--from", frm,
                         "--to", to)[0]
        ix = g["index"]
        self.assertEqual(len(g["windows"]), 3, g["windows"])
        last, before = g["gaps"][-1], g["gaps"][-2]
        self.assertEqual((last["start"], last["end"], last["cause"]),
                         (ix["scanned_at"], to, "not indexed"))
        self.assertEqual((before["end"], before["cause"]), (ix["scanned_at"], "not recorded"))
        self.assertEqual((ix["state"], ix["known_until"]), ("scanned", ix["scanned_at"]), ix)
        self.assertEqual({x["cause"] for x in g["gaps"][:-1]}, {"not recorded"})
        r = self.cli("footage", "find", "--camera", "CAM-G", "--from", frm, "--to", to)
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"CAM-G .* of 33m00s \(\d+m\d\ds not indexed\)")
        self.assertRegex(r.out, r"not indexed after .*: recorder live not scanned since")

    def test_failed_scan_is_said_only_when_the_range_runs_past_the_last_good_one(self):
        # Its own copy of the live recorder: scanned well by camwatchd --once, then gone.
        root, conf = self.live_site("failing")
        os.rename(root, root + ".away")
        r = cwtest.camwatch(conf, "footage", "scan")
        self.assertEqual(r.rc, 1, r)

        def find(frm, to, *more):
            return cwtest.camwatch(conf, "footage", "find", "--camera", "CAM-G", "--from",
                                   local(frm).isoformat(), "--to", local(to).isoformat(), *more)
        minute = datetime.timedelta(minutes=1)
        # 30 to 25 minutes ago: the last good scan saw it; nothing of the failure to say
        doc = json.loads(find(self.now - 30 * minute, self.now - 25 * minute, "--json").out)[0]
        self.assertEqual(doc["index"]["state"], "scan failed")
        self.assertEqual({x["cause"] for x in doc["gaps"]}, {"not recorded"})
        r = find(self.now - 30 * minute, self.now - 25 * minute)
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("not indexed", r.out)
        # up to half an hour on: past the last good scan, said once
        r = find(self.now - 3 * minute, self.now + 30 * minute)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.count("not indexed after"), 1, r.out)
        self.assertIn("recorder live's last scan failed", r.out)

    def test_index_end_after_the_scan_is_not_said_to_be_the_scan(self):
        # Its own copy of the live recorder with one more file of CAM-G stamped two minutes
        # ahead (a recorder's clock ahead of ours, or the file being written): the scan's
        # start is not where the index ends, the end of that file is, and the line under the
        # camera says so rather than "not scanned since" (which would be false).
        ahead = datetime.datetime.now(datetime.timezone.utc).replace(
            microsecond=0) + datetime.timedelta(minutes=2)
        src = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(self.live, "CAM-G"))
                   for f in fs)
        _, conf = self.live_site("ahead", lambda root: place(
            src, root, "CAM-G/%s/%s.ts" % (local(ahead).strftime("%Y-%m-%d"),
                                           local(ahead).strftime("%H-%M-%S"))))
        frm = local(ahead - datetime.timedelta(minutes=10)).isoformat()
        to = local(ahead + datetime.timedelta(minutes=30)).isoformat()
        r = cwtest.camwatch(conf, "footage", "find", "--json", "--camera", "CAM-G", "--from", frm,
                            "--to", to)
        self.assertEqual(r.rc, 0, r)
        ix = json.loads(r.out)[0]["index"]
        self.assertEqual(ix["state"], "scanned", ix)
        self.assertGreater(ix["known_until"], iso(ahead), ix)  # the file's end
        self.assertLess(ix["scanned_at"], iso(ahead), ix)

        def shown(t):  # the CLI's local time: the document's without the T and the offset
            return t[:-6].replace("T", " ")
        r = cwtest.camwatch(conf, "footage", "find", "--camera", "CAM-G", "--from", frm,
                            "--to", to)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("  not indexed after %s: recorder live's last scan (%s) found its footage "
                      "up to then\n" % (shown(ix["known_until"]), shown(ix["scanned_at"])), r.out)
        self.assertNotIn("since", r.out)

    def test_request_for_a_place_refuses_an_inventory_that_would_miss_cameras(self):
        # A request for a place picks its cameras from the store, which the daemon writes only
        # from an inventory without problems: with a row left out (CAM-B's latitude that is
        # none; CAM-D, new in the sheet, the same), the place could miss their cameras, so the
        # request is refused, each row named, and nothing is stored. --camera names its cameras
        # exactly: only warned.
        site = os.path.join(self.tmp, "site-request")
        conf = cwtest.write_config(
            site, self.cameras[:2],
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr1": {"kind": "dir", "path": self.nvr,
                                        "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.*"}})
        self.assertEqual(cwtest.camwatchd(conf, "--once").rc, 0)
        sheet = os.path.join(site, "cameras.csv")
        with open(sheet, encoding="utf-8") as f:
            good = f.read()
        new = good.splitlines()[-1].replace("CAM-B", "CAM-D").replace("10.28800", "south")
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(good.replace("10.28800", "north") + new + "\n")
        t0 = local(self.t0)
        rng = ["--from", t0.isoformat(), "--to", (t0 + datetime.timedelta(seconds=28)).isoformat(),
               "--case", "VV-2026-120", "--reason", "trộm xe máy", "--by", "Lê Văn A"]

        def requests():
            r = cwtest.camwatch(conf, "request", "list", "--json")
            self.assertEqual(r.rc, 0, r)
            return json.loads(r.out)

        for place in (["--place", "lai vung"], ["--near", "10.28776,105.66044"]):
            r = cwtest.camwatch(conf, "request", "create", "--json", *place, *rng)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("camwatch: request create: %s:3: lat: " % sheet, r.err)
            self.assertIn("camwatch: request create: %s:4: lat: " % sheet, r.err)
            self.assertIn("camwatch: request create: refused, nothing stored: 2 problems in %s"
                          % sheet, r.err)
            self.assertIn("camwatchd -c %s --check-config" % conf, r.err)
            self.assertEqual(requests(), [])
        v = json.loads(cwtest.camwatch(conf, "audit", "verify", "--json").out)
        self.assertEqual(v["rows"], 0, v)  # no audit row either
        r = cwtest.camwatch(conf, "request", "create", "--json", "--camera", "CAM-A", *rng)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("camwatch: warning: %s:3: lat: " % sheet, r.err)
        self.assertEqual([q["place"]["cameras"] for q in requests()], [["CAM-A"]])
        # the sheet fixed: the request for the place is made
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(good)
        r = cwtest.camwatch(conf, "request", "create", "--json", "--place", "lai vung", *rng)
        self.assertEqual((r.rc, r.err), (0, ""), r)
        self.assertEqual(len(requests()), 2)

    def test_recording_gap_of_the_last_day_makes_the_camera_degraded(self):
        st = cwtest.status(self.conf)
        self.assertEqual(st["CAM-G"]["state"], "degraded", st["CAM-G"])
        self.assertRegex(st["CAM-G"]["reason"], r"no recording \d\d:\d\d\u2013\d\d:\d\d")
        self.assertEqual(st["CAM-A"]["state"], "up", st["CAM-A"])

    def test_deleted_oldest_is_noticed_and_expiry_estimated(self):
        # Its own copy of the tree, so the other tests keep theirs.
        root = os.path.join(self.tmp, "expiry")
        shutil.copytree(self.nvr, root)
        conf = cwtest.write_config(
            os.path.join(self.tmp, "site-expiry"), self.cameras[:2],
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr1": {"kind": "dir", "path": root,
                                        "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.*"}})
        self.assertEqual(cwtest.camwatchd(conf, "--once").rc, 0)
        oldest = sorted(os.listdir(os.path.join(root, "CAM-A", local(self.t0).strftime(
            "%Y-%m-%d"))))[0]
        os.unlink(os.path.join(root, "CAM-A", local(self.t0).strftime("%Y-%m-%d"), oldest))
        time.sleep(1.1)  # a later scan, so the pace has time to be measured over
        scan = json.loads(cwtest.camwatch(conf, "footage", "scan", "--json").out)
        self.assertEqual(scan[0]["gone"], 1)
        t0 = local(self.t0)
        doc = json.loads(cwtest.camwatch(
            conf, "footage", "find", "--json", "--camera", "CAM-A", "--from", t0.isoformat(),
            "--to", (t0 + datetime.timedelta(seconds=28)).isoformat()).out)[0]
        self.assertEqual(doc["oldest"], iso(self.t0 + datetime.timedelta(seconds=4)))
        self.assertEqual(doc["gaps"][0]["cause"], "overwritten")
        self.assertTrue(doc["overwriting"])
        # Four seconds of footage lost in about a second: the range's first footage is the
        # recorder's oldest, next to go; what is left goes within minutes.
        until = datetime.datetime.fromisoformat(doc["retrievable_until"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(until, now + datetime.timedelta(hours=1))
        self.assertIn("overwritten", doc["warning"])

    def test_scan_refuses_an_inventory_that_would_forget_footage(self):
        # A scan leaves out the new files of every camera the sheet does not name (and
        # --reattribute forgets the known ones), and remembers the folders it read: a
        # header-only sheet, or a row left out for a problem, must stop `footage scan` before
        # it writes anything, so the footage stays indexed.
        root = os.path.join(self.tmp, "sheet")
        shutil.copytree(self.nvr, root)
        site = os.path.join(self.tmp, "site-sheet")
        conf = cwtest.write_config(
            site, self.cameras[:2],
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr1": {"kind": "dir", "path": root,
                                        "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.*"}})
        self.assertEqual(cwtest.camwatchd(conf, "--once").rc, 0)
        sheet = os.path.join(site, "cameras.csv")
        with open(sheet, encoding="utf-8") as f:
            good = f.read()
        t0 = local(self.t0)

        def windows():
            r = cwtest.camwatch(conf, "footage", "find", "--json", "--camera", "CAM-A,CAM-B",
                                "--from", t0.isoformat(),
                                "--to", (t0 + datetime.timedelta(seconds=28)).isoformat())
            self.assertEqual(r.rc, 0, r)
            return {o["id"]: [(w["start"], w["end"]) for w in o["windows"]]
                    for o in json.loads(r.out)}

        def recorders():
            r = cwtest.camwatch(conf, "footage", "recorders", "--json")
            self.assertEqual(r.rc, 0, r)
            return json.loads(r.out)

        indexed, before = windows(), recorders()
        self.assertEqual(len(indexed["CAM-A"]), 2, indexed)
        self.assertEqual(len(indexed["CAM-B"]), 1, indexed)
        self.assertEqual(before[0]["segments"], 8, before)
        check = "fix the sheet (camwatchd -c %s --check-config) and scan again" % conf
        # (a) the header alone: a reader loads no cameras, without a warning
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(good.splitlines()[0] + "\n")
        for args in ([], ["--full"], ["--recorder", "nvr1", "--json"]):
            r = cwtest.camwatch(conf, "footage", "scan", *args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("camwatch: footage scan: %s has no cameras: a scan would leave "
                          "every camera's new footage out of the index, and --reattribute would "
                          "forget all it holds" % sheet, r.err)
            self.assertIn(check, r.err)
            self.assertEqual(recorders(), before)  # not even the scan's time written
        # (b) CAM-B's row (line 3) with a latitude that is none: CAM-B is left out
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(good.replace("10.28800", "north"))
        r = cwtest.camwatch(conf, "footage", "scan")
        self.assertEqual((r.rc, r.out), (2, ""), r)
        self.assertIn("camwatch: warning: %s:3: lat: " % sheet, r.err)
        self.assertIn("camwatch: footage scan: 1 problem in %s or %s (above): the cameras of "
                      "the rows with one are left out: a scan would leave their new footage out "
                      "of the index, and --reattribute would forget what it holds of them"
                      % (sheet, os.path.join(site, "credentials.ini")), r.err)
        self.assertEqual(recorders(), before)
        # The right sheet back: an ordinary scan (unchanged folders skipped) and the footage
        # of both cameras is where it was.
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(good)
        r = cwtest.camwatch(conf, "footage", "scan", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(json.loads(r.out)[0]["gone"], 0, r)
        self.assertEqual(windows(), indexed)
        self.assertEqual(recorders()[0]["segments"], 8)

    def test_request_export_hashes_manifest_identical_twice_audited(self):
        t0 = local(self.t0)
        r = self.cli("request", "create", "--json", "--from",
                     (t0 + datetime.timedelta(seconds=2)).isoformat(), "--to",
                     (t0 + datetime.timedelta(seconds=23)).isoformat(), "--place", "lai vung",
                     "--case", "VV-2026-118", "--reason", "trộm xe máy tại chợ", "--by",
                     "Đại úy Lê Văn A")
        self.assertEqual(r.rc, 0, r)
        rid = json.loads(r.out)["id"]
        show = self.json_of("request", "show", str(rid), "--json")
        shown = self.by_id(show["cameras"])
        self.assertEqual(sorted(shown), ["CAM-A", "CAM-B"])
        # One document: the request the table's header shows, as `request list` has it.
        self.assertEqual(show["request"], self.json_of("request", "list", "--json")[0])
        self.assertEqual((show["request"]["id"], show["request"]["case"],
                          show["request"]["place"]["text"]), (rid, "VV-2026-118", "lai vung"))
        outs, progress = [], None
        for sub in ("one", "two"):
            out = os.path.join(self.tmp, "export-" + sub)
            r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff",
                         "--json", *(["--progress"] if sub == "one" else []))
            self.assertEqual(r.rc, 0, r)
            outs.append(out)
            progress = progress if progress is not None else r.err
        # --progress: each camera's bytes, in kB for a small export (it read "0 of 0 MB")
        self.assertRegex(progress, r"camera 2 of 2 \(CAM-B\): [0-9]+ of [1-9][0-9]* kB")
        files = sorted(os.listdir(outs[0]))
        self.assertEqual(files, ["CAM-A.mp4", "CAM-B.mp4", "SHA256SUMS", "manifest.json",
                                 "manifest.txt"])
        for f in files:  # byte-identical
            with open(os.path.join(outs[0], f), "rb") as x, open(os.path.join(outs[1], f),
                                                                 "rb") as y:
                self.assertEqual(x.read(), y.read(), f)
        with open(os.path.join(outs[0], "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        self.assertEqual(m["request"]["case"], "VV-2026-118")
        cams = {c["id"]: c for c in m["cameras"]}
        a = cams["CAM-A"]
        self.assertEqual(a["sha256"], sha256(os.path.join(outs[0], "CAM-A.mp4")))
        for s in a["sources"]:
            self.assertEqual(s["sha256"], sha256(os.path.join(self.nvr, s["file"])))
        # Starts at the keyframe at or before 2 s in (one a second); the gap is said.
        self.assertEqual(a["delivered"]["from"], iso(self.t0 + datetime.timedelta(seconds=2)))
        self.assertEqual(len(a["gaps"]), 1)
        self.assertEqual(a["gaps"][0]["to"], iso(self.t0 + datetime.timedelta(seconds=20)))
        info = ffprobe(os.path.join(outs[0], "CAM-A.mp4"))
        self.assertEqual(sorted(s["codec_type"] for s in info["streams"]), ["audio", "video"])
        self.assertEqual([s["codec_name"] for s in info["streams"]
                          if s["codec_type"] == "video"], ["h264"])
        # 2 s to 23 s asked; the file ends with the footage at 24 s: within a GOP (1 s).
        self.assertAlmostEqual(float(info["format"]["duration"]), 21.0, delta=1.0)
        b = ffprobe(os.path.join(outs[0], "CAM-B.mp4"))
        self.assertEqual([s["codec_name"] for s in b["streams"]], ["h264"])
        self.assertAlmostEqual(float(b["format"]["duration"]), 10.0, delta=1.0)
        sums = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=outs[0])
        self.assertEqual(sums.returncode, 0)
        with open(os.path.join(outs[0], "manifest.txt"), encoding="utf-8") as f:
            txt = f.read()
        self.assertIn("Vụ việc / Case: VV-2026-118", txt)
        self.assertIn("Khoảng trống, không có dữ liệu / Gap, no footage", txt)
        # An existing export is never overwritten.
        r = self.cli("request", "export", str(rid), "--out", outs[0])
        self.assertEqual(r.rc, 1, r)
        self.assertIn("exists: an export never overwrites", r.err)
        # The request and both exports are in the chain, and it holds.
        v = self.json_of("audit", "verify", "--json")
        self.assertTrue(v["intact"])
        db = os.path.join(os.path.dirname(self.conf), "var", "camwatch.db")
        rows = subprocess.run(["sqlite3", db, "SELECT action, actor FROM audit WHERE subject = "
                               "'request %d' ORDER BY id" % rid], capture_output=True,
                              text=True).stdout.split()
        # Each export's row that it begins, then its row; the refused one's start, then the
        # row saying it failed and why.
        self.assertEqual(rows[:9], ["request.create|Đại", "úy", "Lê", "Văn", "A",
                                    "export.start|it-staff", "export|it-staff",
                                    "export.start|it-staff", "export|it-staff"])
        self.assertTrue(rows[9].startswith("export.start|"), rows)  # the login name's
        self.assertNotIn("export|", " ".join(rows[10:]))
        refused = self.audit_rows(rid)[-1]
        self.assertEqual(refused[0], "export.failed", refused)
        self.assertEqual(refused[1], self.audit_rows(rid)[-2][1])  # by who began it
        self.assertTrue(refused[2].startswith(os.path.realpath(outs[0]) + ": "), refused)
        self.assertIn("exists: an export never overwrites", refused[2])

    def test_ctrl_c_cancels_an_export_and_leaves_nothing(self):
        """SIGINT to `request export` while it works on a camera: it stops, removes its
        temporaries and says so, exit status 130. Deterministic without a clock: its stderr is
        a pipe filled beforehand, so the CLI blocks writing its first progress line (the MP4's
        temporary made, the remux begun) until the test has sent the signal, seen it taken
        (the thread that waits for it ends), and only then reads the pipe."""
        t0 = local(self.t0)
        r = self.cli("request", "create", "--json", "--from", t0.isoformat(), "--to",
                     (t0 + datetime.timedelta(seconds=23)).isoformat(), "--camera", "CAM-A",
                     "--case", "VV-2026-120", "--reason", "hủy giữa chừng", "--by", "it-staff")
        self.assertEqual(r.rc, 0, r)
        rid = json.loads(r.out)["id"]
        out = os.path.join(self.tmp, "export-cancelled")
        os.mkdir(out, 0o750)
        rd, wr = cwtest.full_pipe()
        p = subprocess.Popen([cwtest.program("camwatch"), "-c", self.conf, "request", "export",
                              str(rid), "--out", out, "--progress"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=wr, start_new_session=True)
        os.close(wr)
        err = b""
        try:
            cwtest.wait_for("the CLI blocked writing its progress",
                            lambda: cwtest.blocked_writing_stderr(p.pid))
            temps = [n for n in os.listdir(out) if n.startswith(".camwatch-export-")]
            self.assertEqual(len(temps), 1, os.listdir(out))  # the MP4 being written
            threads = len(os.listdir("/proc/%d/task" % p.pid))
            os.kill(p.pid, signal.SIGINT)
            if threads > 1:  # one waits for signals: it ends once it has set the flag
                cwtest.wait_for("the signal taken", lambda: len(os.listdir(
                    "/proc/%d/task" % p.pid)) == threads - 1)
        finally:
            with os.fdopen(rd, "rb") as f:  # the CLI goes on once it can write
                err = f.read()
            p.stdout.read()
            p.stdout.close()
            p.wait()
        err = err.lstrip(b".").decode("utf-8", "replace")
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("export cancelled (Interrupt): nothing left in " + out, err)
        self.assertEqual(os.listdir(out), [])
        # the trail says the export it began was cancelled, and where, naming its start row
        db = os.path.join(os.path.dirname(self.conf), "var", "camwatch.db")
        with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
            (start,), = con.execute("SELECT id FROM audit WHERE subject = ? AND action = "
                                    "'export.start'", ("request %d" % rid,))
        self.assertEqual([(a, d) for a, _, d in self.audit_rows(rid)][1:],
                         [("export.start", os.path.realpath(out) + "; folder locked"),
                          ("export.failed",
                           os.path.realpath(out) + ": export cancelled (Interrupt); "
                           "export.start row %d" % start)])

    def request(self, conf, camera, start, a, b, case, reason):
        """A request for camera from start + a to start + b seconds (datetimes): its id."""
        sec = datetime.timedelta(seconds=1)
        r = cwtest.camwatch(conf, "request", "create", "--json", "--from",
                            (start + a * sec).isoformat(), "--to", (start + b * sec).isoformat(),
                            "--camera", camera, "--case", case, "--reason", reason, "--by",
                            "it-staff")
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)["id"]

    def export_one(self, conf, rid, sub):
        """Request rid exported by the CLI into tmp/sub: (out, its one camera in
        manifest.json)."""
        out = os.path.join(self.tmp, sub)
        r = cwtest.camwatch(conf, "request", "export", str(rid), "--out", out)
        self.assertEqual(r.rc, 0, r)
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            return out, json.load(f)["cameras"][0]

    def test_export_delivers_a_file_the_recorder_still_writes(self):
        """The newest segment grows after the scan (the recorder appends MPEG-TS packets to it):
        the export delivers the footage appended inside the range, and both manifests say it
        grew, with its size when indexed and the SHA-256 of the bytes read. Replaced by a smaller
        file, it is skipped and said changed."""
        scratch = os.path.join(self.tmp, "grow-src")
        os.makedirs(scratch)
        full = os.path.join(scratch, "full.ts")
        r = cwtest.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f",
                        "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "12", "-c:v",
                        "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p",
                        "-f", "mpegts", full], timeout=120)
        self.assertEqual(r.rc, 0, r)
        with open(full, "rb") as f:
            data = f.read()
        half = len(data) // 188 // 3 * 188  # the first third of its packets: about 4 s
        start = local(self.now - datetime.timedelta(minutes=10))
        rel = "CAM-G/%s/%s.ts" % (start.strftime("%Y-%m-%d"), start.strftime("%H-%M-%S"))
        seg = {}

        def writing(root):
            shutil.rmtree(os.path.join(root, "CAM-G"))
            seg["path"] = os.path.join(root, rel)
            os.makedirs(os.path.dirname(seg["path"]))
            with open(seg["path"], "wb") as f:
                f.write(data[:half])

        root, conf = self.live_site("grow", writing)
        with open(seg["path"], "ab") as f:  # the recorder goes on writing after the scan
            f.write(data[half:])
        # mtime as the recorder's append leaves it: later than when indexed
        st = os.stat(seg["path"])
        os.utime(seg["path"], ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))
        rid = self.request(conf, "CAM-G", start, 1, 10, "VV-2026-121", "đang ghi")
        out, g = self.export_one(conf, rid, "export-grew")
        src = g["sources"][0]
        self.assertEqual((src["used"], src["grew_since_indexed"], src["changed_since_indexed"]),
                         (True, True, False), src)
        self.assertEqual((src["indexed_bytes"], src["bytes"]), (half, len(data)))
        self.assertEqual(src["sha256"], hashlib.sha256(data).hexdigest())
        # 1 s to 10 s asked: the footage appended after the scan (4 s to 10 s) is in the file
        self.assertEqual(g["delivered"]["from"], iso(start + datetime.timedelta(seconds=1)))
        self.assertEqual(g["delivered"]["to"], iso(start + datetime.timedelta(seconds=10)))
        info = ffprobe(os.path.join(out, "CAM-G.mp4"))
        self.assertAlmostEqual(float(info["format"]["duration"]), 9.0, delta=1.0)
        with open(os.path.join(out, "manifest.txt"), encoding="utf-8") as f:
            self.assertIn("%d bytes (lớn thêm từ khi lập chỉ mục / grew since indexed: %d bytes "
                          "then)" % (len(data), half), f.read())
        # A range wholly after what the scan saw of it (4 s): the file still holds it.
        _, g = self.export_one(
            conf, self.request(conf, "CAM-G", start, 6, 10, "VV-2026-121", "sau lần quét"),
            "export-grew-after")
        self.assertEqual([(x["used"], x["grew_since_indexed"]) for x in g["sources"]],
                         [(True, True)])
        self.assertEqual(g["delivered"]["from"], iso(start + datetime.timedelta(seconds=6)))
        self.assertEqual(g["delivered"]["to"], iso(start + datetime.timedelta(seconds=10)))
        # Replaced by a smaller file: not the file indexed.
        with open(seg["path"], "wb") as f:
            f.write(data[:half // 2])
        out, g = self.export_one(conf, rid, "export-shrank")
        src = g["sources"][0]
        self.assertEqual((src["used"], src["grew_since_indexed"], src["changed_since_indexed"]),
                         (False, False, True), src)
        self.assertIn("changed since indexed", src["not_used"])
        self.assertFalse(os.path.exists(os.path.join(out, "CAM-G.mp4")))

    def audit_rows(self, rid):
        db = os.path.join(os.path.dirname(self.conf), "var", "camwatch.db")
        con = sqlite3.connect(db)
        try:
            return con.execute("SELECT action, actor, detail FROM audit WHERE subject = ? "
                               "ORDER BY id", ("request %d" % rid,)).fetchall()
        finally:
            con.close()

    def test_export_with_the_store_write_locked_exports_nothing(self):
        """Another process holds the store's write lock past the busy timeout: the export's
        first audit row cannot be written, so nothing is exported (exit 1, said); the lock
        gone, the export is made with its two rows."""
        rid = self.request(self.conf, "CAM-A", local(self.t0), 0, 6, "VV-2026-122", "khóa")
        out = os.path.join(self.tmp, "export-locked")
        db = os.path.join(os.path.dirname(self.conf), "var", "camwatch.db")
        con = sqlite3.connect(db, isolation_level=None)
        try:
            con.execute("BEGIN EXCLUSIVE")
            r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        finally:
            con.execute("ROLLBACK")
            con.close()
        self.assertEqual(r.rc, 1, r)
        self.assertIn("camwatch: nothing exported to %s: its audit row cannot be written" % out,
                      r.err)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([a for a, _, _ in self.audit_rows(rid)], ["request.create"])
        # --out as typed, relative to where it runs: the rows name it by its absolute path
        r = subprocess.run([cwtest.program("camwatch"), "-c", self.conf, "request", "export",
                            str(rid), "--out", "export-locked", "--by", "it-staff"],
                           cwd=self.tmp, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r)
        real = os.path.realpath(out)
        rows = self.audit_rows(rid)
        self.assertEqual([(a, w) for a, w, _ in rows],
                         [("request.create", "it-staff"), ("export.start", "it-staff"),
                          ("export", "it-staff")])
        self.assertEqual(rows[1][2], real + "; folder locked")  # its lock held
        self.assertIn(" to %s; " % real, rows[2][2])
        self.assertIn("in %s\n" % real, r.stdout)

    def test_the_backlog_does_not_say_the_footage_it_indexed_is_not_indexed(self):
        # The backlog does not count recording gaps yet and says so; its reason was "the
        # recorders' footage is not indexed yet", false of a site whose recorders are scanned,
        # in a document that goes to the province.
        for lang, note in (("en", "Recording gaps: not measured (this report does not count "
                                  "them yet)."),
                           ("vi", "Khoảng trống ghi hình: chưa đo (báo cáo này chưa tính đến)."
                            )):
            r = self.cli("report", "backlog", "--format", "html", "--lang", lang)
            self.assertEqual(r.rc, 0, r)
            self.assertIn(note, r.out)
            self.assertNotIn("not indexed yet", r.out)
            self.assertNotIn("chưa lập chỉ mục", r.out)

    def test_export_refuses_a_folder_others_may_write(self):
        """`mkdir -m 0777 out11`, then an export into it (E9): refused before anything is
        written or recorded, naming the folder and what to do; after `chmod 0750` it is used."""
        rid = self.request(self.conf, "CAM-A", local(self.t0), 0, 6, "VV-2026-123",
                           "thư mục chung")
        out = os.path.join(self.tmp, "out11")
        self.assertEqual(cwtest.run(["mkdir", "-m", "0777", out]).rc, 0)
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual(r.rc, 1, r)
        real = os.path.realpath(out)
        self.assertIn("camwatch: %s: writable by others (mode 0777): " % real, r.err)
        self.assertIn("(chmod 0750 %s)" % real, r.err)
        self.assertEqual(os.listdir(out), [])
        self.assertEqual([a for a, _, _ in self.audit_rows(rid)], ["request.create"])
        os.chmod(out, 0o750)
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("CAM-A.mp4", os.listdir(out))


if __name__ == "__main__":
    unittest.main()
