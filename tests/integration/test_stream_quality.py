#!/usr/bin/python3
"""Stream samples and picture health against GStreamer's RTSP server: one mount per defect,
each found by camwatchd --once with its own flag and reason and nothing else; the normal
stream with none.

    /usr/bin/python3 tests/integration/test_stream_quality.py --build build [-v]

Mounts (tests/fixtures/gst_rtsp_server.py; every live scene but "frozen" carries a band of
random blocks renewed a few times a second, so that no two samples show the same picture, as
with a real camera's sensor noise and traffic):

  normal      1280x720 25 fps H.264, ABR 2000 kbit/s, SMPTE bars (about 1.5 Mbit/s)
  lowfps      the same at 4 fps
  lowbitrate  the same at constant quantizer 38: about 100 kbit/s. (x264 told 64 kbit/s at
              720p starves its keyframes to flat grey, which would be blurred and frozen too;
              a clean picture at a starved rate is the defect this camera stands for.)
  black       videotestsrc black with the band at 4% contrast: mean luma 16, spread under 2
              (the sensor noise of a camera in the dark; constant quantizer 1 so its bitrate
              stays above the class minimum: bitrate is not what it tests)
  dark        spokes at 40% contrast: mean luma about 28, spread about 24, still sharp
  blurred     640x360, gaussianblur sigma 2.5 over the scene
  frozen      a circular pattern, one frame repeated by imagefreeze, constant quantizer
  switching   normal, until the test sends the server SIGUSR1: then the "colors" pattern
  hevc        normal in H.265 (skipped when x265enc is missing)
  lossy       normal with 10% of encoded frames dropped (identity drop-probability)
  nomedia     tests/fixtures/rtsp_fault.py /nomedia: plays, never sends a packet

The class thresholds below suit the normal stream; MIN_SHARPNESS (60) sits between the
normal and the blurred mounts' measured sharpness with a wide gap: camwatchd measured 280-350
and 4-5 (variance of a 3x3 Laplacian over full-resolution luma).

Runs, each ending in `camwatch status --json`:
  once1   camwatchd --once: first verdicts; clean pictures become references
          then SIGUSR1: the switching mount turns to another scene
  daemon  camwatchd in the foreground ([probe.stream] interval 20s, [probe.rtsp] interval
          8s) until every camera has DAEMON_SAMPLES samples and a verdict after its last
          one, then SIGTERM. Frozen needs frozen_after (2) identical samples in one daemon:
          the run of unchanged pictures lives in its memory, not in the store
          then `camwatch reference switching`: its next clean picture is the reference
  once2   camwatchd --once
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
MOUNTS = {
    "normal": dict(HD),
    "lowfps": dict(HD, fps=4, noise=4, bitrate=None, quantizer=16),
    "lowbitrate": dict(HD, noise=1, bitrate=None, quantizer=38),
    "black": dict(HD, pattern="black", noise=10, contrast=0.04, bitrate=None, quantizer=1),
    "dark": dict(HD, pattern="spokes", contrast=0.4),
    "blurred": dict(HD, width=640, height=360, blur=2.5),
    "frozen": dict(HD, pattern="circular", noise=0, freeze=True, bitrate=None, quantizer=20),
    "switching": dict(HD, switch_to="colors"),
    "hevc": dict(HD, codec="h265"),
    "lossy": dict(HD, drop=0.1),
}

MIN_SHARPNESS = 60
THUMB_WIDTH = 320
CLASS_DEFAULT = {"min_width": "640", "min_height": "360", "min_fps": "12",
                 "min_bitrate_kbps": "250", "max_gop": "4s", "min_sharpness": str(MIN_SHARPNESS),
                 "min_luma": "40", "max_luma": "220", "black_spread": "4", "unlit": "no",
                 "frozen_after": "2", "moved_distance": "24"}
STREAM = {"workers": "4", "sample": "3s", "interval": "20s", "timeout": "8s",
          "thumb_width": str(THUMB_WIDTH)}
DAEMON_SAMPLES = 3    # per camera in the daemon run: frozen_after (2) and one to spare
DAEMON_GUARD_S = 300  # the daemon run ends by then whatever happened; not an assertion
DAEMON_STOP_GRACE_S = 30  # SIGTERM to SIGKILL: in-flight samples may run to their deadline
# up_after 1: one degraded verdict moves an up camera (hysteresis counts live in the daemon's
# memory, so across separate --once runs an up camera would otherwise never degrade).
# Generous DESCRIBE limits: GStreamer builds a whole pipeline (encoder included) for each
# DESCRIBE, which on a loaded 2-core machine (sanitizer build, CI) takes seconds.
PROBE = {"interval": "8s", "timeout": "7s", "slow": "6s", "down_after": "3", "up_after": "1",
         "concurrency": "64"}

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
# Flags a camera may carry beside its own, and why. The lossy mount drops encoded frames; its
# keyframe pictures in two samples were once within the 2-bit "same picture" distance, so it
# was also called frozen (seen once in five runs). The lowbitrate mount's quantizer 38 smooths
# its noise band so far that two keyframes once hashed alike too (the daemon run under
# ASan+UBSan in CI). A real limit of judging frozen by a 64-bit picture hash on a scene that
# changes little, noted on the issue (a second signal, the size of the frames between
# keyframes, would tell a frozen encoder from a quiet scene); not what these cameras test.
INCIDENTAL = {"lossy": ("frozen",), "lowbitrate": ("frozen",)}
STATUS_FIELDS = ("fps", "bitrate_kbps", "gop_s", "sharpness", "luma", "frozen", "flags",
                 "reason")
SWITCH_WAIT_S = 30  # for the server's SWITCHED line; a guard, not an assertion


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

        cls.once("once1")
        os.kill(cls.gst.pid, signal.SIGUSR1)
        cls.switched = cls.gst.wait_line(b"SWITCHED", SWITCH_WAIT_S)
        cls.daemon_run()
        cls.reference = cwtest.camwatch(cls.conf, "reference", "switching")
        cls.once("once2")

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
        while time.monotonic() < deadline and d.popen.poll() is None:
            time.sleep(2)
            try:
                st = cwtest.status(cls.conf)
                done = True
                for cid in getattr(cls, "camera_ids", []):
                    rows = [r for r in cwtest.samples(cls.conf, cid)
                            if (r.get("at_ms") or 0) >= start_ms]
                    last = max((r["at_ms"] for r in rows), default=None)
                    if (len(rows) < DAEMON_SAMPLES or last is None
                            or (st.get(cid, {}).get("last_probe_ms") or 0) <= last):
                        done = False
                        break
            except AssertionError:  # the store may not exist for the first instants
                done = False
            if done:
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
        """Camera cid after run "once1", "daemon" or "once2"."""
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
        flags = flags_of(c)
        if cid in INCIDENTAL:
            flags = [f for f in flags if f not in INCIDENTAL[cid]]
        self.assertEqual(flags, [flag], "%s %s: %r" % (cid, run, c))
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
        for run in ("once1", "daemon", "once2"):
            with self.subTest(run=run):
                self.assert_clean("normal", run)

    def test_normal_stream_measures_near_what_is_sent(self):
        c = self.assert_clean("normal")
        self.assertTrue(20 <= c["fps"] <= 30, repr(c))          # sent at 25
        self.assertGreater(c["bitrate_kbps"], 250, repr(c))    # about 1500
        self.assertTrue(0.5 <= c["gop_s"] <= 2, repr(c))       # one keyframe a second
        self.assertGreater(c["sharpness"], MIN_SHARPNESS, repr(c))
        self.assertTrue(40 <= c["luma"] <= 220, repr(c))

    def test_hevc_stream_is_up_with_no_flag(self):
        if not self.x265:
            self.skipTest("x265enc missing (gstreamer1.0-plugins-bad): camera 'hevc' not "
                          "served, so not checked")
        c = self.assert_clean("hevc")
        self.assertEqual(c["codec"], "h265", repr(c))
        self.assertTrue(20 <= c["fps"] <= 30, repr(c))

    def test_each_defect_has_its_own_flag_and_reason_only(self):
        for cid, (flag, reason) in DEFECTS.items():
            for run in ("once1", "daemon", "once2"):
                with self.subTest(camera=cid, run=run):
                    self.assert_only(cid, flag, reason, run)

    def test_low_fps_measures_the_rate_sent(self):
        c = self.assert_only("lowfps", "low_fps", DEFECTS["lowfps"][1])
        self.assertTrue(2 <= c["fps"] < 12, repr(c))  # sent at 4

    def test_black_is_black_not_dark(self):
        c = self.assert_only("black", "black", DEFECTS["black"][1])
        self.assertLess(c["luma"], 40, repr(c))

    def test_frozen_picture_is_found_only_after_two_samples(self):
        self.assert_clean("frozen", "once1")
        c = self.assert_only("frozen", "frozen", r"picture frozen since \d{1,2}:\d{2}")
        self.assertTrue(c["frozen"], repr(c))

    def test_switched_scene_is_moved_until_the_reference_is_retaken(self):
        self.assertTrue(self.switched, "the server never said SWITCHED")
        self.assert_clean("switching", "once1")
        self.assert_only("switching", "moved", r"scene differs from reference")
        self.assertEqual(self.reference.rc, 0, repr(self.reference))
        self.assert_clean("switching", "once2")

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
                # once1, the daemon's, once2
                self.assertGreaterEqual(len(rows), 2 + DAEMON_SAMPLES, repr(rows))
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
