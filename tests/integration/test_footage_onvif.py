#!/usr/bin/python3
"""An NVR's recordings through ONVIF Recording Search: `camwatch footage scan` asks the device
fixture (tests/fixtures/onvif_device.py, an NVR in Hikvision's style whose clock is two
minutes ahead, WS-Security only, its search answered over two pages) for its summary, runs
FindRecordings and GetRecordingSearchResults until Completed, ends the search, reads each
recording's information, maps recordings to cameras by source token or name (channel_map, or
a camera id), and `footage find` shows each camera's window; a recording the NVR no longer
lists leaves the index, one whose channel no camera is on now keeps the camera it was indexed
for over what it still holds of it; a wrong password is a failed scan that says so;
camwatchd dates a slow NVR's scan by its start, not its end, and judges its cameras'
recording gaps as of that start: a scan held open past max_gap says nothing of a camera
recording all along.

    /usr/bin/python3 tests/integration/test_footage_onvif.py --build build [-v]
"""
import datetime
import json
import os
import sys
import threading
import time
import unittest
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()
T0 = datetime.datetime(2026, 11, 20, 13, 0, tzinfo=datetime.timezone.utc)  # 20:00 +07:00


def z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


RECORDINGS = [
    # channel 1 by its source token, channel 2 by its name, channel 3 by a camera id
    {"from": z(T0), "to": z(T0 + datetime.timedelta(hours=2))},
    {"from": z(T0 + datetime.timedelta(minutes=30)), "to": z(T0 + datetime.timedelta(hours=1)),
     "tracks": ["Video"]},
    {"token": "rec-cam-c", "source_id": "CAM-C", "name": "Cổng sau",
     "from": z(T0 - datetime.timedelta(days=3)), "to": z(T0 + datetime.timedelta(minutes=10)),
     "status": "Stopped"},
    # a recording of a channel no camera is on
    {"source_id": "SourceId_9", "name": "IpCamera_9", "from": z(T0), "to": z(T0)},
]
# Times from now, resolved at each answer: channel 1 recording still, channel 2 stopped ten
# minutes ago.
LIVE_RECORDINGS = [{"from": -3600, "to": 0}, {"from": -3600, "to": -600, "status": "Stopped"}]
MAX_GAP_S = 2


def control(port, name, obj):
    req = urllib.request.Request("http://127.0.0.1:%d/_control/%s" % (port, name),
                                 data=json.dumps(obj).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


class OnvifRecorderTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-footage-onvif-"

    @classmethod
    def start(cls):
        devices = cwtest.write_json(os.path.join(cls.tmp, "devices.json"), [
            {"name": "nvr", "style": "hik", "auth": "wsse", "clock_offset_s": 120,
             "search_pages": 2, "recordings": RECORDINGS},
            # every answer a second late: a scan that ends seconds after it began
            {"name": "slownvr", "auth": "none", "slow_s": 1, "recordings": RECORDINGS[:1]},
            # its answers held back when a test says (hold)
            {"name": "heldnvr", "auth": "none", "recordings": LIVE_RECORDINGS}])
        cls.dev = cls.procs.fixture("onvif_device.py", "--devices", devices)
        cls.rtsp = cls.procs.fixture("rtsp_fault.py", "--every", "ok")
        url = "http://127.0.0.1:%d/nvr/onvif/device_service" % cls.dev.port
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        cams = [cwtest.camera(i, dead, recorder="nvr") for i in ("CAM-A", "CAM-B", "CAM-C")]
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"), cams, credentials={"nvr": ("admin", "camwatch"),
                                                              "bad": ("admin", "wrong")},
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr": {"kind": "onvif", "url": url, "credential": "nvr",
                                       "timeout": "5s",
                                       "channel_map": "SourceId_1=CAM-A, IpCamera_2=CAM-B"}})
        # The store, made by the daemon (cameras synced); its scan is the first of the NVR.
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        assert "footage: recorder=nvr scanned" in r.err, r

    def find(self, *cams):
        args = []
        for c in cams:
            args += ["--camera", c]
        r = cwtest.camwatch(self.conf, "footage", "find", "--json", "--from",
                            "2026-11-20 19:00", "--to", "2026-11-20 23:00", *args)
        self.assertEqual(r.rc, 0, r)
        return {o["id"]: o for o in json.loads(r.out)}

    def scan(self):
        r = cwtest.camwatch(self.conf, "footage", "scan", "--json")
        return r, json.loads(r.out) if r.out.strip() else None

    def test_recordings_mapped_to_cameras_by_source(self):
        r, scan = self.scan()
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(scan[0]["ok"], scan)
        self.assertEqual(scan[0]["files"], 3)
        self.assertEqual(scan[0]["unmapped"], 1)
        doc = self.find("CAM-A", "CAM-B", "CAM-C")
        self.assertEqual([(w["start"], w["end"]) for w in doc["CAM-A"]["windows"]],
                         [("2026-11-20T20:00:00+07:00", "2026-11-20T22:00:00+07:00")])
        self.assertEqual([(w["start"], w["end"]) for w in doc["CAM-B"]["windows"]],
                         [("2026-11-20T20:30:00+07:00", "2026-11-20T21:00:00+07:00")])
        self.assertEqual(doc["CAM-C"]["windows"][0]["end"], "2026-11-20T20:10:00+07:00")
        self.assertEqual(doc["CAM-C"]["oldest"], "2026-11-17T20:00:00+07:00")
        # The search went over two pages and was ended; every call was signed on the NVR's
        # clock, two minutes ahead of ours.
        with urllib.request.urlopen("http://127.0.0.1:%d/_log?device=nvr" % self.dev.port,
                                    timeout=10) as f:
            log = json.loads(f.read().decode())
        actions = [e["action"] for e in log]
        self.assertIn("EndSearch", actions)
        self.assertGreaterEqual(actions.count("GetRecordingSearchResults"), 2)
        self.assertGreaterEqual(actions.count("GetRecordingInformation"), 4)
        self.assertTrue(all(e["auth_ok"] for e in log), [e for e in log if not e["auth_ok"]])

    def test_recording_gone_from_the_nvr_leaves_the_index(self):
        control(self.dev.port, "nvr", {"recordings": RECORDINGS[:1] + RECORDINGS[2:]})
        try:
            r, scan = self.scan()
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(scan[0]["gone"], 1)
            self.assertEqual(self.find("CAM-B")["CAM-B"]["windows"], [])
        finally:
            control(self.dev.port, "nvr", {"recordings": RECORDINGS})
            self.scan()

    def test_a_recording_no_camera_is_on_now_keeps_what_it_held(self):
        # CAM-A leaves the map while its channel goes on recording and the NVR overwrites its
        # first half hour: what was indexed as CAM-A's and is still there stays CAM-A's, from
        # 20:30 (the rest overwritten) to 22:00 (what came after is no camera's).
        conf = cwtest.conf_variant(self.conf, "SourceId_1=CAM-A, ", "", ".moved")
        grown = dict(RECORDINGS[0], **{"from": z(T0 + datetime.timedelta(minutes=30)),
                                       "to": z(T0 + datetime.timedelta(hours=3))})
        control(self.dev.port, "nvr", {"recordings": [grown] + RECORDINGS[1:]})
        try:
            r = cwtest.camwatch(conf, "footage", "scan", "--json")
            self.assertEqual(r.rc, 0, r)
            a = self.find("CAM-A")["CAM-A"]
            self.assertEqual([(w["start"], w["end"]) for w in a["windows"]],
                             [("2026-11-20T20:30:00+07:00", "2026-11-20T22:00:00+07:00")])
            scan = json.loads(r.out)[0]
            self.assertEqual((scan["gone"], scan["kept"]), (0, 1), scan)
        finally:
            control(self.dev.port, "nvr", {"recordings": RECORDINGS})
            self.scan()

    def test_wrong_password_is_a_failed_scan_that_says_why(self):
        conf = cwtest.conf_variant(self.conf, "credential = nvr", "credential = bad", ".bad")
        r = cwtest.camwatch(conf, "footage", "scan", "--json")
        self.assertEqual(r.rc, 1, r)
        scan = json.loads(r.out)
        self.assertFalse(scan[0]["ok"])
        self.assertIn("authentication failed", scan[0]["error"])
        recs = {o["name"]: o for o in json.loads(cwtest.camwatch(
            conf, "footage", "recorders", "--json").out)}
        self.assertFalse(recs["nvr"]["ok"])
        # What the index held is kept: a failed scan forgets nothing.
        self.assertEqual(len(self.find("CAM-A")["CAM-A"]["windows"]), 1)


    def test_daemon_scan_is_dated_by_its_start_not_its_end(self):
        # camwatchd's scan of an NVR answering each call a second late: the index speaks for
        # the recorder up to when the scan asked (what was recorded after that is unknown to
        # it), so the scan's time is before its first call reached the NVR, not its end
        # seconds after; known_until follows it.
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        url = "http://127.0.0.1:%d/slownvr/onvif/device_service" % self.dev.port
        conf = cwtest.write_config(
            os.path.join(self.tmp, "site-slow"), [cwtest.camera("CAM-S", dead, recorder="slow")],
            sections={"probe.stream": {"workers": "0"},
                      "recorder slow": {"kind": "onvif", "url": url, "timeout": "5s",
                                        "channel_map": "SourceId_1=CAM-S"}})
        r = cwtest.camwatchd(conf, "--once")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("footage: recorder=slow scanned", r.err)
        with urllib.request.urlopen("http://127.0.0.1:%d/_log?device=slownvr" % self.dev.port,
                                    timeout=10) as f:
            calls = sorted(e["time"] for e in json.loads(f.read().decode()))
        self.assertGreaterEqual(len(calls), 3, calls)
        rec = {o["name"]: o for o in json.loads(cwtest.camwatch(
            conf, "footage", "recorders", "--json").out)}["slow"]
        self.assertTrue(rec["ok"], rec)
        scanned = datetime.datetime.fromisoformat(rec["scanned_at"]).timestamp()
        # begun before its first call reached the NVR, not at its end after the last answer
        self.assertLessEqual(scanned, calls[0], (rec, calls))
        self.assertEqual(rec["ok_at"], rec["scanned_at"])
        now, ten = datetime.datetime.now(datetime.timezone.utc), datetime.timedelta(minutes=10)
        r = cwtest.camwatch(conf, "footage", "find", "--json", "--camera", "CAM-S",
                            "--from", (now - ten).isoformat("T", "seconds"),
                            "--to", (now + ten).isoformat("T", "seconds"))
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)[0]
        self.assertEqual(doc["index"]["known_until"], rec["scanned_at"], doc["index"])
        self.assertEqual((doc["gaps"][-1]["start"], doc["gaps"][-1]["cause"]),
                         (rec["scanned_at"], "not indexed"), doc["gaps"])

    def test_daemon_judges_gaps_as_of_its_scan_start_not_its_end(self):
        # heldnvr's CAM-L records on; CAM-Q stopped ten minutes ago. The answer giving CAM-L's
        # times is held back until the clock is past them by more than max_gap: a scan longer
        # than max_gap. The index knows the NVR up to the scan's start, when CAM-L was
        # recording; its gaps judged against the clock after the scan would say "no recording
        # since" of a camera recording all along.
        ok = cwtest.rtsp_url(self.rtsp.port, "/ok")
        url = "http://127.0.0.1:%d/heldnvr/onvif/device_service" % self.dev.port
        conf = cwtest.write_config(
            os.path.join(self.tmp, "site-held"),
            [cwtest.camera("CAM-L", ok, recorder="held"),
             cwtest.camera("CAM-Q", ok, recorder="held")],
            sections={"probe.stream": {"workers": "0"},
                      "footage": {"max_gap": "%ds" % MAX_GAP_S},
                      "recorder held": {"kind": "onvif", "url": url, "timeout": "60s",
                                        "channel_map": "SourceId_1=CAM-L, SourceId_2=CAM-Q"}})

        def held():
            with urllib.request.urlopen("http://127.0.0.1:%d/_log?device=heldnvr"
                                        % self.dev.port, timeout=10) as f:
                return [e for e in json.loads(f.read().decode()) if "held_at" in e]

        # GetRecordingInformation is asked recording by recording, CAM-L's first: the hold
        # keeps CAM-L's answer; CAM-Q's is asked after it is lifted.
        control(self.dev.port, "heldnvr", {"hold": "GetRecordingInformation"})
        out = {}
        daemon = threading.Thread(target=lambda: out.setdefault(
            "r", cwtest.camwatchd(conf, "--once")))
        daemon.start()
        try:
            at = cwtest.wait_for("CAM-L's recording information held", held)[0]["held_at"]
            # A condition waited for, not a duration asserted: the clock past the held
            # answer's times (made before at) by more than max_gap.
            cwtest.wait_for("the clock %d s past the held answer" % MAX_GAP_S,
                            lambda: time.time() > at + MAX_GAP_S + 0.5)
        finally:
            control(self.dev.port, "heldnvr", {"hold": None})
            daemon.join()
        r = out["r"]
        self.assertEqual(r.rc, 0, r)
        self.assertIn("footage: recorder=held scanned", r.err)
        self.assertEqual(held()[0]["status"], 200)
        st = cwtest.status(conf)
        self.assertEqual((st["CAM-L"]["state"], st["CAM-L"]["reason"]), ("up", ""), st["CAM-L"])
        self.assertEqual(st["CAM-Q"]["state"], "degraded", st["CAM-Q"])
        self.assertRegex(st["CAM-Q"]["reason"], r"^no recording since \d\d:\d\d$")


if __name__ == "__main__":
    unittest.main()
