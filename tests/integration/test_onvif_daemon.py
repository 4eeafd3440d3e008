#!/usr/bin/python3
"""ONVIF in the running daemon: a device that never answers holds only its own probe, never
the loop. While it waits out its timeout, a good device is probed again on its interval and
every camera's liveness goes on; a reload that drops a camera whose ONVIF probe is in flight
abandons that probe cleanly, and one that gives a kept camera an onvif_url starts probing it;
the silent one ends with "timeout" as a degraded reason.
Shown by order of events, not by time.

    /usr/bin/python3 tests/integration/test_onvif_daemon.py --build build [-v]
"""
import json
import os
import signal
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

GUARD_S = 240  # a guard against a hang, not a timed assertion
ONVIF_TIMEOUT = "60s"  # the silent devices' probes wait this long: long beside a 10 s interval
DEVICES = [
    {"name": "good", "style": "axis", "auth": "wsse", "clock_offset_s": 0,
     "profiles": [{"token": "p1", "name": "main", "encoding": "H264", "width": 1280,
                   "height": 720, "fps": 25, "bitrate_kbps": 2048, "gov": 50,
                   "stream_uri": "rtsp://127.0.0.1:{rtsp_port}/good/main"}]},
    {"name": "mute1", "fault": "silent"},
    {"name": "mute2", "fault": "silent"},
]


class OnvifDaemonTest(unittest.TestCase):
    def test_silent_device_holds_only_its_own_probe(self):
        with cwtest.fixtures("cw-onvifd-") as (tmp, procs):
            self.run_daemon(procs, tmp)

    def site(self, tmp, rtsp_port, onvif_port, cams):
        """cams: {camera id: fixture device name, or None for no onvif_url}."""
        cams = [cwtest.camera(
            i, cwtest.rtsp_url(rtsp_port, "/%s/main" % i), credential="ok",
            onvif_url="http://127.0.0.1:%d/%s/onvif/device_service" % (onvif_port, dev)
            if dev else "")
            for i, dev in cams.items()]
        return cwtest.write_config(
            os.path.join(tmp, "site"), cams, credentials={"ok": ("admin", "camwatch")},
            probe={"interval": "1s", "timeout": "900ms", "slow": "800ms", "up_after": "1"},
            sections={"probe.stream": {"workers": "0"},
                      "probe.onvif": {"interval": "10s", "timeout": ONVIF_TIMEOUT,
                                      "concurrency": "4"}})

    def run_daemon(self, procs, tmp):
        rtsp = procs.fixture("rtsp_fault.py", "--every", "ok")
        devices = cwtest.write_json(os.path.join(tmp, "devices.json"), DEVICES)
        onvif = procs.fixture("onvif_device.py", "--devices", devices, "--rtsp-port",
                              str(rtsp.port))
        conf = self.site(tmp, rtsp.port, onvif.port,
                         {"good": "good", "mute1": "mute1", "mute2": "mute2", "late": None})
        d = procs.start([cwtest.program("camwatchd"), "-v", "-c", conf], name="camwatchd")
        cwtest.wait_for("the store", lambda: cwtest.camwatch(conf, "status").rc == 0,
                        GUARD_S, d)

        def clocks(cid):
            r = cwtest.camwatch(conf, "device", cid, "--json")
            return json.loads(r.out)["clock_history"] if r.rc == 0 else []

        def mute_not_done():
            for cid in ("mute1", "mute2"):
                r = cwtest.camwatch(conf, "device", cid, "--json")
                self.assertEqual(r.rc, 1, "%s's ONVIF probe ended early: %s" % (cid, r.out))
                self.assertIn("not probed over ONVIF yet", r.err)

        seen = set()

        def good_probed_twice_while_mute_waits():
            mute_not_done()
            seen.add(cwtest.status(conf)["mute2"]["last_probe_ms"])
            return len(clocks("good")) >= 2 and len(seen) > 3

        cwtest.wait_for("a second ONVIF probe of the good device, and liveness of the silent ones",
                        good_probed_twice_while_mute_waits, GUARD_S, d)
        self.assertEqual(cwtest.status(conf)["mute2"]["state"], "up")

        self.assertEqual(cwtest.camwatch(conf, "device", "late").rc, 1)
        # Drop mute1 while its probe is in flight: the reload abandons it. "late" gains an
        # onvif_url: its probes start.
        self.site(tmp, rtsp.port, onvif.port, {"good": "good", "mute2": "mute2", "late": "good"})
        os.kill(d.pid, signal.SIGHUP)
        cwtest.wait_for("the reload", lambda: "reloaded, 3 cameras" in d.stderr_text(),
                        GUARD_S, d)
        mute_not_done()
        cwtest.wait_for("the ONVIF facts of the camera that gained an onvif_url",
                        lambda: clocks("late"), GUARD_S, d)
        self.assertIsNone(d.popen.poll(), "daemon still running")

        def mute2_timed_out():
            r = cwtest.camwatch(conf, "device", "mute2", "--json")
            return json.loads(r.out) if r.rc == 0 else None

        dev = cwtest.wait_for("the silent device's probe ends at its timeout", mute2_timed_out,
                              GUARD_S, d)
        self.assertFalse(dev["ok"])
        self.assertIn("timeout", dev["error"])

        def mute2_degraded():
            st = cwtest.status(conf)["mute2"]
            return st if st["state"] == "degraded" else None

        st = cwtest.wait_for("the silent device's camera degraded", mute2_degraded, GUARD_S, d)
        self.assertIn("ONVIF: timeout", st["reason"])
        self.assertEqual(cwtest.status(conf)["good"]["state"], "up")
        self.assertEqual(d.stop(grace=60), 0, d.stderr_text()[-2000:])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
