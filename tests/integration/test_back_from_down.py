#!/usr/bin/python3
"""A camera that comes back from down, or from maintenance, is judged on what it shows now, not on the picture it
showed before it went down.

    /usr/bin/python3 tests/integration/test_back_from_down.py --build build [-v]

GStreamer's RTSP server serves one camera whose picture is black: camwatchd (running, one
sample every interval) finds it degraded, "picture black". The server stops: the camera goes
down (connection refused). The server starts again on the same port with a clean picture (the
camera replaced, its lens cleaned): the camera answers again, and the transition out of down
must not carry "picture black" (no sample has been taken while it was down; the picture that
said black is an hour, a day old by then). Then its first sample decides about its picture. The same when staff put the degraded
camera in maintenance, the technician replaces it (the server restarted, clean) and staff end
the maintenance: its first verdict after it must not be the picture from before the work.
Waits are for conditions, guarded by deadlines; nothing asserts on time.
"""
import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()

CAMERA = "cam"
BLACK = {"path": "/cam", "width": 640, "height": 360, "fps": 15, "pattern": "black",
         "noise": 10, "contrast": 0.04, "quantizer": 1, "auth": None}
CLEAN = dict(BLACK, pattern="smpte100", contrast=None, quantizer=None)
# One verdict moves it either way; DESCRIBE limits out of the way (GStreamer builds a pipeline
# for each DESCRIBE, seconds on a loaded machine).
PROBE = {"interval": "6s", "timeout": "5s", "slow": "5s", "down_after": "1", "up_after": "1",
         "down_interval": "off", "down_timeout": "5s", "concurrency": "4"}
STREAM = {"workers": "1", "sample": "2s", "interval": "10s", "timeout": "20s", "budget": "0"}
CLASS = {"min_luma": "40", "black_spread": "4", "unlit": "no", "min_sharpness": "0",
         "frozen_after": "0", "moved_distance": "0"}
WAIT_S = 240  # each step's guard


class Site(cwtest.FixtureTestCase):
    """One camera on GStreamer's server and camwatchd running; tests in the subclasses."""

    @classmethod
    def gst(cls, mount, port="0"):
        name = "mounts-%s.json" % mount["pattern"]
        path = cwtest.write_json(os.path.join(cls.tmp, name), {"mounts": [mount]})
        return cls.procs.fixture("gst_rtsp_server.py", "--mounts", path, "--port", port)

    @classmethod
    def state(cls):
        """The camera's status object; {} before the daemon has made its store."""
        r = cwtest.camwatch(cls.conf, "status", "--json")
        if r.rc != 0:
            return {}
        return {o["id"]: o for o in json.loads(r.out)}.get(CAMERA, {})

    @classmethod
    def wait_state(cls, want):
        return cwtest.poll(cls.state, lambda c: c.get("state") == want, deadline_s=WAIT_S)

    @classmethod
    def start_black(cls):
        """The server with the black picture, camwatchd, and the camera degraded; the server."""
        server = cls.gst(BLACK)
        cls.port = server.port
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"),
            [cwtest.camera(CAMERA, cwtest.rtsp_url(cls.port, "/cam"))],
            probe=PROBE, sections={"probe.stream": STREAM, "class default": CLASS})
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf],
                                     name="camwatchd")
        cls.black = cls.wait_state("degraded")
        return server


class BackFromDown(Site):
    TMP_PREFIX = "cw-backdown."

    @classmethod
    def start(cls):
        server = cls.start_black()
        port = cls.port
        server.stop()
        cls.down = cls.wait_state("down")
        cls.back_ms = int(time.time() * 1000)
        cls.gst(CLEAN, str(port))
        # Back, and its picture sampled since: the state it settles in after that sample.
        cls.settled = cwtest.poll(
            cls.state,
            lambda c: c.get("state") == "up" and (c.get("last_sample_ms") or 0) > cls.back_ms,
            deadline_s=WAIT_S)
        cls.events = cwtest.events(cls.conf)

    def test_black_picture_makes_it_degraded_first(self):
        self.assertEqual(self.black.get("state"), "degraded", repr(self.black))
        self.assertIn("picture black", self.black.get("reason") or "", repr(self.black))
        self.assertEqual(self.down.get("state"), "down", repr(self.down))

    def test_back_from_down_it_is_not_judged_on_the_old_picture(self):
        self.assertEqual(self.settled.get("state"), "up", "not up after a clean sample: %r\n%s"
                         % (self.settled, self.daemon.stderr_text()[-3000:]))
        outs = [e for e in self.events if e.get("camera") == CAMERA and e.get("from") == "down"]
        self.assertTrue(outs, "no transition out of down: %r" % self.events)
        for e in outs:
            self.assertEqual(e.get("to"), "up", repr(e))
            self.assertNotIn("picture black", e.get("reason") or "", repr(e))



class BackFromMaintenance(Site):
    """The same camera, black then degraded; staff put it in maintenance, the technician
    replaces it (the server restarted with a clean picture), staff end maintenance: the
    verdict after it must not be the picture from before the work."""
    TMP_PREFIX = "cw-backmaint."

    @classmethod
    def start(cls):
        server = cls.start_black()
        port = cls.port
        cls.on = cwtest.camwatch(cls.conf, "maintenance", CAMERA, "on", "--note", "replace")
        cls.maintenance = cls.wait_state("maintenance")
        server.stop()
        cls.gst(CLEAN, str(port))
        cls.off = cwtest.camwatch(cls.conf, "maintenance", CAMERA, "off")
        # Its first verdict after the work, whatever it is (unknown until then).
        cls.after = cwtest.poll(cls.state, lambda c: c.get("state") not in ("maintenance",
                                                                            "unknown", None),
                                deadline_s=WAIT_S)
        cls.events = cwtest.events(cls.conf)

    def test_black_picture_makes_it_degraded_first(self):
        self.assertEqual(self.black.get("state"), "degraded", repr(self.black))
        self.assertIn("picture black", self.black.get("reason") or "", repr(self.black))
        self.assertEqual(self.on.rc, 0, repr(self.on))
        self.assertEqual(self.maintenance.get("state"), "maintenance", repr(self.maintenance))
        self.assertEqual(self.off.rc, 0, repr(self.off))

    def test_after_maintenance_it_is_not_judged_on_the_picture_from_before(self):
        self.assertNotIn("picture black", self.after.get("reason") or "",
                         "%r\n%s" % (self.after, self.daemon.stderr_text()[-3000:]))
        self.assertEqual(self.after.get("state"), "up", repr(self.after))
        outs = [e for e in self.events
                if e.get("camera") == CAMERA and e.get("from") == "unknown"]
        for e in outs:
            self.assertNotIn("picture black", e.get("reason") or "", repr(e))


if __name__ == "__main__":
    unittest.main()
