#!/usr/bin/python3
"""Stream samples and picture health against GStreamer's RTSP server: one mount per defect,
each found by camwatchd with its own flag and reason and nothing else, over --once runs and a
daemon run that build on each other through the store; the normal stream and two quiet live
scenes with none.

    /usr/bin/python3 tests/integration/test_stream_quality.py --build build [-v]

Mounts (tests/fixtures/gst_rtsp_server.py; the live bars scenes carry a band of random blocks
renewed a few times a second, so that no two samples show the same picture, as with a real
camera's sensor noise and traffic):

  normal      1280x720 25 fps H.264, ABR 2000 kbit/s, SMPTE bars (about 1.5 Mbit/s)
  lowfps      the same at 4 fps
  lowbitrate  the same at 640x360, constant quantizer 38: about 110 kbit/s. (x264 told 64 kbit/s at
              720p starves its keyframes to flat grey, which would be blurred and frozen too;
              a clean picture at a starved rate is the defect this camera stands for.) Its
              band changes twice a second: once a second would come with each keyframe and
              leave the frames between them empty, which no live camera sends
  black       videotestsrc black with the band at 4% contrast: mean luma 16, spread under 2
              (the sensor noise of a camera in the dark; constant quantizer 1 so its bitrate
              stays above the class minimum: bitrate is not what it tests)
  dark        spokes at 40% contrast: mean luma about 28, spread about 24, still sharp
  blurred     640x360, gaussianblur sigma 2.5 over the scene
  frozen      a still detailed picture (pinwheel), one frame repeated by imagefreeze,
              constant quantizer 28: every inter frame empty (17 bytes)
  quiet       the same still picture, live: a 64-pixel ball moving in a corner, constant
              quantizer 28 (46-780 bytes a frame over the smallest measured; 0.4% of the
              picture). Its picture hash is the frozen one's, sample after sample
  grainy      the same still picture with sensor-like grain (6% snow), quantizer 28
  switching   normal, until the test sends the server SIGUSR1: then the "colors" pattern
  hevc        normal in H.265 at 640x360 (x265 at 720p could not keep its rate on a
              machine busy with other work; skipped when x265enc is missing)
  lossy       normal with 1 of every 7 encoded frames dropped (never a keyframe), the first
              one its second frame: about 14% lost, 21 fps received of the 25 sent (not a
              quarter off the SDP's rate), and a loss in every sample however short
  badsdp      normal, its DESCRIBE answer's sprop-parameter-sets broken (not base64); the
              stream plays with its parameter sets in-band
  nomedia     tests/fixtures/rtsp_fault.py /nomedia: plays, never sends a packet

The class thresholds below suit the normal stream; MIN_SHARPNESS (60) sits between the
normal and the blurred mounts' measured sharpness with a wide gap: camwatchd measured 280-350
and 4-5 (variance of a 3x3 Laplacian over full-resolution luma). frozen_after and up_after
are both 2, so the frozen run and the run of verdicts each carry over between runs of the
daemon through the store.

Runs, each ending in `camwatch status --json`:
  once1, once2, once3   camwatchd --once three times: first verdicts (a camera's first
          decides at once), clean pictures become references; the frozen camera's still
          samples count up (2 make it frozen) and its degraded verdicts too (2 move it)
          then SIGUSR1: the switching mount turns to another scene
  daemon  camwatchd in the foreground ([probe.stream] interval 25s, [probe.rtsp] interval
          12s) until every camera has DAEMON_SAMPLES samples and a verdict after its last
          one, then SIGTERM
          then `camwatch reference switching`: its next clean picture is the reference
  once4, once5   camwatchd --once twice: the switching camera recovers, 1 then 2 of the 2
          good answers it needs
Timeouts and the daemon's guard only stop hangs; nothing asserts on time.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()

HD = {"width": 1280, "height": 720, "fps": 25, "pattern": "smpte100", "noise": 5,
      "bitrate": 2000}
STILL = dict(HD, pattern="pinwheel", noise=0, bitrate=None)  # one detailed picture
MOUNTS = {
    "normal": dict(HD),
    "lowfps": dict(HD, fps=4, noise=4, bitrate=None, quantizer=16),
    "lowbitrate": dict(HD, width=640, height=360, noise=2, bitrate=None, quantizer=38),
    "black": dict(HD, pattern="black", noise=10, contrast=0.04, bitrate=None, quantizer=1),
    "dark": dict(HD, pattern="spokes", contrast=0.4),
    "blurred": dict(HD, width=640, height=360, blur=2.5),
    "frozen": dict(STILL, freeze=True, quantizer=28),
    "quiet": dict(STILL, object=64, quantizer=28),
    "grainy": dict(STILL, grain=0.06, quantizer=28),
    "switching": dict(HD, switch_to="colors"),
    "hevc": dict(HD, codec="h265", width=640, height=360),
    "lossy": dict(HD, drop=[1, 7]),
    "badsdp": dict(HD, bad_sprop=True),
}

MIN_SHARPNESS = 60
THUMB_WIDTH = 320
CLASS_DEFAULT = {"min_width": "640", "min_height": "360", "min_fps": "12",
                 "min_bitrate_kbps": "250", "max_gop": "4s", "min_sharpness": str(MIN_SHARPNESS),
                 "min_luma": "40", "max_luma": "220", "black_spread": "4", "unlit": "no",
                 "frozen_after": "2", "moved_distance": "24"}
# A sample's deadline (opening included) well beyond its 3 s: opening takes seconds on a
# machine busy with other work. No budget: every camera sampled every interval, as the daemon
# run counts on (the budget's pacing is test_fleet_pace's; at the default 0.3% the 14 cameras'
# two samples each would take the daemon run about 5 minutes instead of 1).
STREAM = {"workers": "4", "sample": "4s", "interval": "25s", "timeout": "20s",
          "thumb_width": str(THUMB_WIDTH), "budget": "0"}
DAEMON_SAMPLES = 2    # per camera in the daemon run
DAEMON_GUARD_S = 420  # the daemon run ends by then whatever happened (inside ctest's 1200 s)
DAEMON_STOP_GRACE_S = 30  # SIGTERM to SIGKILL: in-flight samples may run to their deadline
# up_after 2: a change of state takes two verdicts in a row, across runs of the daemon.
# DESCRIBE limits out of the way (slow = timeout: never slow): GStreamer builds a whole
# pipeline (encoder included) for each DESCRIBE, which on a loaded 2-core machine (sanitizer
# build, CI, other work beside) took over 6 s for 15 at once; slowness is not tested here.
PROBE = {"interval": "12s", "timeout": "11s", "slow": "11s", "down_after": "3",
         "up_after": "2", "concurrency": "64"}
ONCE_RUNS = ("once1", "once2", "once3", "once4", "once5")
RUNS = ("once1", "once2", "once3", "daemon", "once4", "once5")

# camera -> (flag, reason pattern): the only flag it may carry, and what its reason says.
DEFECTS = {
    "lowfps": ("low_fps", r"fps [0-9.]+ below 12"),
    "lowbitrate": ("low_bitrate", r"bitrate"),
    "black": ("black", r"picture black"),
    "dark": ("dark", r"picture dark"),
    "blurred": ("blurred", r"picture blurred"),
    "lossy": ("ts_faults", r"timestamp faults: [0-9]"),
    "nomedia": ("no_media", r"no media"),
}
STATUS_FIELDS = ("fps", "bitrate_kbps", "gop_s", "sharpness", "luma", "frozen", "flags",
                 "reason", "recovering")
SWITCH_WAIT_S = 30  # for the server's SWITCHED line; a guard, not an assertion
SAME_PICTURE_BITS = 2  # daemon/quality.c: keyframes this close are the same picture


def flags_of(c):
    f = c.get("flags")
    if isinstance(f, str):  # tolerate "a,b" in case the CLI prints a joined string
        f = [x for x in f.split(",") if x]
    return sorted(f or [])


def _num(x):
    return "-" if x is None else "%.1f" % x


def mean_luma_of_jpeg(path):
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt",
                          "gray", "-"], capture_output=True, timeout=60).stdout
    return sum(out) / len(out) if out else None


class StreamQuality(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-quality."

    @classmethod
    def start(cls):
        cls.runs, cls.st = {}, {}
        cls.x265 = cwtest.have_gst_element("x265enc")
        cls.mounts = {k: v for k, v in MOUNTS.items() if v.get("codec") != "h265" or cls.x265}
        mounts = []
        for name, m in cls.mounts.items():
            m = {k: v for k, v in m.items() if v is not None}
            mounts.append(dict(m, path="/" + name, auth=None))
        mounts_file = cwtest.write_json(os.path.join(cls.tmp, "mounts.json"),
                                        {"mounts": mounts}, indent=1)
        cls.gst = cls.procs.fixture("gst_rtsp_server.py", "--mounts", mounts_file)
        fault = cls.procs.fixture("rtsp_fault.py")

        cams = [cwtest.camera(name, cwtest.rtsp_url(cls.gst.port, "/" + name))
                for name in cls.mounts]
        cams.append(cwtest.camera("nomedia", cwtest.rtsp_url(fault.port, "/nomedia")))
        cls.camera_ids = [c["id"] for c in cams]
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"), cams, probe=PROBE,
            store={"cache": "var/cache", "samples_days": "31"},
            sections={"probe.stream": STREAM, "class default": CLASS_DEFAULT})

        for label in ("once1", "once2", "once3"):
            cls.once(label)
        os.kill(cls.gst.pid, signal.SIGUSR1)
        cls.switched = cls.gst.wait_line(b"SWITCHED", SWITCH_WAIT_S)
        cls.daemon_run()
        cls.reference = cwtest.camwatch(cls.conf, "reference", "switching")
        for label in ("once4", "once5"):
            cls.once(label)

    @classmethod
    def once(cls, label):
        r = cwtest.camwatchd(cls.conf, "--once")
        cls.runs[label] = r
        cls.st[label] = cwtest.status(cls.conf) if r.rc == 0 else {}

    @classmethod
    def daemon_run(cls):
        """camwatchd in the foreground until every camera has DAEMON_SAMPLES new samples and
        a DESCRIBE verdict (which weighs the last sample) after the last of them."""
        start_ms = int(time.time() * 1000)
        d = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf], name="camwatchd")
        deadline = time.monotonic() + DAEMON_GUARD_S
        cls.daemon_complete = False
        # A camera is done once it has had its samples and a verdict after them; it stays
        # done. Samples are paced for the fleet, not tied to probes, so all cameras are
        # seldom at that point at the same instant.
        done_ids = set()
        while time.monotonic() < deadline and d.popen.poll() is None:
            time.sleep(2)
            try:
                st = cwtest.status(cls.conf)
                for cid in getattr(cls, "camera_ids", []):
                    if cid in done_ids:
                        continue
                    rows = [r for r in cwtest.samples(cls.conf, cid)
                            if (r.get("at_ms") or 0) >= start_ms]
                    last = max((r["at_ms"] for r in rows), default=None)
                    if (len(rows) >= DAEMON_SAMPLES and last is not None
                            and (st.get(cid, {}).get("last_probe_ms") or 0) > last):
                        done_ids.add(cid)
            except AssertionError:  # the store may not exist for the first instants
                pass
            if done_ids and len(done_ids) == len(getattr(cls, "camera_ids", [])):
                cls.daemon_complete = True
                break
        t0 = time.monotonic()
        rc = d.stop(grace=DAEMON_STOP_GRACE_S)
        cls.daemon_stop_s = time.monotonic() - t0
        cls.runs["daemon"] = cwtest.Result(["camwatchd", "-c", cls.conf], rc, "",
                                           d.stderr_text(), 0)
        cls.st["daemon"] = cwtest.status(cls.conf) if rc == 0 else {}

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        if os.environ.get("CW_QUALITY_TABLE"):
            print("daemon stopped %.1f s after SIGTERM" % getattr(cls, "daemon_stop_s", -1),
                  file=sys.stderr)
            for cid in getattr(cls, "camera_ids", []):
                for i, st in cls.st.items():
                    c = st.get(cid, {})
                    print("%-10s %-6s %-8s fps %-6s kbps %-7s sharp %-7s luma %-6s %s | %s"
                          % (cid, i, c.get("state"), _num(c.get("fps")),
                             _num(c.get("bitrate_kbps")), _num(c.get("sharpness")),
                             _num(c.get("luma")), ",".join(flags_of(c)) or "-",
                             c.get("reason")), file=sys.stderr)
        super().tearDownClass()

    def cam(self, cid, run="daemon"):
        """Camera cid after run "once1".."once5" or "daemon"."""
        r = self.runs[run]
        self.assertEqual(r.rc, 0, "camwatchd (%s) failed: %r" % (run, r))
        if run == "daemon":
            self.assertTrue(self.daemon_complete, "the daemon run did not get %d samples of "
                            "every camera within %d s" % (DAEMON_SAMPLES, DAEMON_GUARD_S))
        st = self.st[run]
        self.assertIn(cid, st, "camera %s missing from status --json" % cid)
        return st[cid]

    def assert_clean(self, cid, run="daemon"):
        c = self.cam(cid, run)
        self.assertEqual(flags_of(c), [], "%s %s: %r" % (cid, run, c))
        self.assertEqual(c["state"], "up", "%s %s: %r" % (cid, run, c))
        self.assertFalse(c["frozen"], "%s %s: %r" % (cid, run, c))
        return c

    def assert_only(self, cid, flag, reason, run="daemon"):
        c = self.cam(cid, run)
        self.assertEqual(flags_of(c), [flag], "%s %s: %r" % (cid, run, c))
        self.assertEqual(c["state"], "degraded", "%s %s: %r" % (cid, run, c))
        self.assertRegex(c["reason"] or "", re.compile(reason, re.I),
                         "%s %s: %r" % (cid, run, c))
        return c

    def test_every_run_exits_zero(self):
        for label, r in self.runs.items():
            with self.subTest(run=label):
                self.assertEqual(r.rc, 0, repr(r))

    def test_status_has_the_stream_fields(self):
        self.assertEqual(sorted(self.st["once1"]), sorted(self.camera_ids))
        for cid in self.camera_ids:
            c = self.cam(cid)
            for k in STATUS_FIELDS:
                self.assertIn(k, c, "%s lacks %s: %r" % (cid, k, c))
            self.assertIsInstance(c["flags"], list, repr(c))

    def test_normal_stream_is_up_with_no_flag_in_every_run(self):
        for run in RUNS:
            with self.subTest(run=run):
                self.assert_clean("normal", run)

    def test_normal_stream_measures_near_what_is_sent(self):
        c = self.assert_clean("normal")
        self.assertTrue(20 <= c["fps"] <= 30, repr(c))          # sent at 25
        self.assertGreater(c["bitrate_kbps"], 250, repr(c))    # about 1500
        self.assertGreater(c["sharpness"], MIN_SHARPNESS, repr(c))
        self.assertTrue(40 <= c["luma"] <= 220, repr(c))
        # One keyframe a second: measured by the samples that read two (a sample on a busy
        # machine may read less than two seconds of stream in its window).
        gops = [r["gop_s"] for r in cwtest.samples(self.conf, "normal") if r["gop_s"]]
        self.assertTrue(gops, "no sample of normal read two keyframes")
        for g in gops:
            self.assertTrue(0.5 <= g <= 2, repr(gops))

    def test_hevc_stream_is_up_with_no_flag(self):
        if not self.x265:
            self.skipTest("x265enc missing (gstreamer1.0-plugins-bad): camera 'hevc' not "
                          "served, so not checked")
        c = self.assert_clean("hevc")
        self.assertEqual(c["codec"], "h265", repr(c))
        self.assertTrue(20 <= c["fps"] <= 30, repr(c))

    def test_each_defect_has_its_own_flag_and_reason_only(self):
        for cid, (flag, reason) in DEFECTS.items():
            for run in RUNS:
                with self.subTest(camera=cid, run=run):
                    self.assert_only(cid, flag, reason, run)

    def test_low_fps_measures_the_rate_sent(self):
        c = self.assert_only("lowfps", "low_fps", DEFECTS["lowfps"][1])
        self.assertTrue(2 <= c["fps"] < 12, repr(c))  # sent at 4

    def test_black_is_black_not_dark(self):
        c = self.assert_only("black", "black", DEFECTS["black"][1])
        self.assertLess(c["luma"], 40, repr(c))

    def samples_of(self, cid):
        self.cam(cid)
        rows = [r for r in cwtest.samples(self.conf, cid) if r["ok"] and r["has_picture"]]
        self.assertGreaterEqual(len(rows), len(ONCE_RUNS) + DAEMON_SAMPLES, repr(rows))
        return rows

    def test_frozen_stream_is_frozen_after_three_once_runs(self):
        # once1: the first still sample; once2: the second (frozen), one degraded verdict of
        # the two up_after asks; once3: the second degraded verdict. Each run a new process.
        self.assert_clean("frozen", "once1")
        c = self.cam("frozen", "once2")
        self.assertEqual(flags_of(c), ["frozen"], repr(c))
        self.assertEqual(c["state"], "up", repr(c))
        for run in ("once3", "daemon", "once4", "once5"):
            with self.subTest(run=run):
                c = self.assert_only("frozen", "frozen", r"picture frozen since \d{1,2}:\d{2}",
                                     run)
                self.assertTrue(c["frozen"], repr(c))
        # What made it frozen: every sample's inter frames empty, the same picture.
        rows = self.samples_of("frozen")
        for r in rows:
            self.assertLessEqual(r["inter_bytes"] - r["inter_min_bytes"], 1.0, repr(r))
            self.assertLess(r["inter_min_bytes"], r["key_bytes"] * 0.005, repr(r))
        self.assertEqual({r["phash"] for r in rows}, {rows[0]["phash"]}, repr(rows))

    def assert_quiet_scene_is_never_frozen_nor_moved(self, cid):
        for run in RUNS:
            with self.subTest(camera=cid, run=run):
                c = self.assert_clean(cid, run)
                self.assertIsNone(c["recovering"], repr(c))
        # The test means something: the picture hash alone would have called it frozen (and
        # did, before frame sizes were weighed), every sample the same picture as the first.
        rows = self.samples_of(cid)
        first = int(rows[0]["phash"], 16)
        for r in rows:
            self.assertLessEqual(bin(int(r["phash"], 16) ^ first).count("1"), SAME_PICTURE_BITS,
                                 repr(r))
            self.assertTrue(r["ref_distance"] is None or r["ref_distance"] < 24, repr(r))
            # live: more between keyframes than an encoder's empty frames (daemon/quality.c:
            # 5 bytes), when the sample read enough of them to say (a busy machine's may not)
            if r["inter_frames"] >= 4:
                self.assertGreater(r["inter_bytes"] - r["inter_min_bytes"], 5, repr(r))

    def test_quiet_scene_with_a_small_moving_object_is_never_frozen_nor_moved(self):
        self.assert_quiet_scene_is_never_frozen_nor_moved("quiet")

    def test_quiet_scene_with_sensor_grain_is_never_frozen_nor_moved(self):
        self.assert_quiet_scene_is_never_frozen_nor_moved("grainy")

    def test_broken_sprop_is_degraded_bad_sdp_with_the_size_from_the_stream(self):
        for run in RUNS:
            with self.subTest(run=run):
                c = self.cam("badsdp", run)
                self.assertEqual(c["state"], "degraded", repr(c))
                self.assertEqual(c["reason"], "bad SDP (sprop-parameter-sets: bad base64)",
                                 repr(c))
                self.assertEqual(flags_of(c), [], repr(c))  # its picture decodes and is fine
                self.assertEqual(c["codec"], "h264", repr(c))
                self.assertEqual((c["width"], c["height"]), (1280, 720), repr(c))

    def test_switched_scene_is_moved_until_the_reference_is_retaken(self):
        self.assertTrue(self.switched, "the server never said SWITCHED")
        for run in ("once1", "once2", "once3"):
            with self.subTest(run=run):
                self.assert_clean("switching", run)
        self.assert_only("switching", "moved", r"scene differs from reference")
        self.assertEqual(self.reference.rc, 0, repr(self.reference))
        # The next clean picture is the reference: one good verdict of the two it needs.
        c = self.cam("switching", "once4")
        self.assertEqual(flags_of(c), [], repr(c))
        self.assertEqual(c["state"], "degraded", repr(c))
        self.assertEqual(c["recovering"], {"good": 1, "needed": 2}, repr(c))
        self.assertRegex(c["reason"], r"scene differs from reference")
        self.assert_clean("switching", "once5")

    def test_no_media_leaves_liveness_and_the_others_alone(self):
        c = self.assert_only("nomedia", "no_media", DEFECTS["nomedia"][1])
        self.assertEqual(c["codec"], "h264", repr(c))  # DESCRIBE still answered
        for cid in self.camera_ids:
            if cid != "nomedia":
                with self.subTest(camera=cid):
                    self.assertNotIn("no_media", flags_of(self.cam(cid)))

    def test_samples_are_stored_per_run(self):
        for cid in ("normal", "lowfps", "nomedia"):
            with self.subTest(camera=cid):
                self.cam(cid)
                rows = cwtest.samples(self.conf, cid)
                self.assertIsInstance(rows, list, repr(rows))
                # one per --once run, the daemon's
                self.assertGreaterEqual(len(rows), len(ONCE_RUNS) + DAEMON_SAMPLES, repr(rows))
        self.assertIn("low_fps", json.dumps(cwtest.samples(self.conf, "lowfps")))

    def test_thumbnail_is_a_jpeg_of_the_cameras_picture(self):
        lumas = {}
        for cid in ("normal", "black"):
            with self.subTest(camera=cid):
                self.cam(cid)
                path = os.path.join(self.tmp, "%s.jpg" % cid)
                r = cwtest.camwatch(self.conf, "thumb", cid, "-o", path)
                self.assertEqual(r.rc, 0, repr(r))
                head, tail, info = cwtest.jpeg_info(path)
                self.assertEqual((head, tail), (b"\xff\xd8", b"\xff\xd9"))
                self.assertEqual(info.get("codec_name"), "mjpeg", repr(info))
                self.assertEqual(info.get("width"), THUMB_WIDTH, repr(info))
                # 1280x720 and 640x360 both keep 16:9
                self.assertEqual(info.get("height"), THUMB_WIDTH * 9 // 16, repr(info))
                lumas[cid] = mean_luma_of_jpeg(path)
        self.assertGreater(lumas.get("normal") or 0, 100, repr(lumas))
        self.assertLess(lumas.get("black") or 255, 40, repr(lumas))


if __name__ == "__main__":
    unittest.main()
