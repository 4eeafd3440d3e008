"""A stream sample that never gets media blocks a worker, never the loop: while it waits out
its deadline, another camera's liveness probes go on. Shown by order of events, not by time:
the other camera is probed again and again while the stuck sample has still written nothing,
and the stuck sample ends with its deadline as the reason."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

GUARD_S = 180         # a guard against a hang, not a timed assertion
STUCK_TIMEOUT = "40s"  # the stuck sample's deadline: long beside 1 s liveness probes
PROBES_WHILE_STUCK = 3


class LoopNotBlockedTest(unittest.TestCase):
    def test_liveness_goes_on_while_a_sample_waits_for_media(self):
        with cwtest.fixtures("cw-block-") as (tmp, procs):
            fault = procs.fixture("rtsp_fault.py")
            cams = [cwtest.camera("stuck", cwtest.rtsp_url(fault.port, "/nomedia")),
                    cwtest.camera("alive", cwtest.rtsp_url(fault.port, "/ok"))]
            conf = cwtest.write_config(
                os.path.join(tmp, "site"), cams,
                probe={"interval": "1s", "timeout": "900ms", "slow": "800ms"},
                sections={"probe.stream": {"workers": "1", "sample": "2s", "interval": "10m",
                                           "timeout": STUCK_TIMEOUT}})
            d = procs.start([cwtest.program("camwatchd"), "-v", "-c", conf], name="camwatchd")

            # With one worker, "alive" waits behind "stuck" or the other way round; either
            # way there is a moment when the stuck sample is on the pool.
            cwtest.wait_for("the stuck sample queued",
                            lambda: "sample: camera=stuck queued" in d.stderr_text(), GUARD_S, d)
            seen = set()

            def probed_while_stuck():
                st = cwtest.status(conf)
                stuck_rows = cwtest.samples(conf, "stuck", "--since", "-1d")
                self.assertEqual([r for r in stuck_rows if "deadline" in (r.get("error") or "")],
                                 [], "the stuck sample ended before the others were probed")
                seen.add(st["alive"]["last_probe_ms"])
                return len(seen) > PROBES_WHILE_STUCK

            cwtest.wait_for("liveness probes of the other camera while the sample is stuck",
                            probed_while_stuck, GUARD_S, d)
            self.assertIsNone(d.popen.poll(), "daemon still running")

            def stuck_sample_written():
                rows = cwtest.samples(conf, "stuck", "--since", "-1d")
                return [r for r in rows if not r["ok"]]

            rows = cwtest.wait_for("the stuck sample ends at its deadline", stuck_sample_written,
                                   GUARD_S, d)
            self.assertRegex(rows[-1]["error"] or "", r"deadline|no media")
            st = cwtest.status(conf)
            self.assertIn("no_media", st["stuck"]["flags"])
            # /ok answers DESCRIBE but streams nothing: its own sample fails too, yet its
            # liveness (DESCRIBE) kept it reachable, never down.
            self.assertNotEqual(st["alive"]["state"], "down", repr(st["alive"]))
            self.assertEqual(d.stop(grace=60), 0, d.stderr_text()[-2000:])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
