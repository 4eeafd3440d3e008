"""The CLI's writes get through a busy daemon (issue 10): beside 400 cameras changing state
every second, 40 `camwatch maintenance` commands all succeed. Before, the daemon's write
batches held the store's lock back to back and 11 to 26 of 40 failed with "database is
locked" after the whole busy wait; now the daemon collects its writes in memory and holds the
lock only while it writes them.

Cameras answer DESCRIBE and 404 in turn (tests/fixtures/rtsp_fault.py /flap), probed every
second with down_after and up_after 1. The commands start once the daemon has written
changes for every camera, and run one after another, as a person or a script would. The
daemon's own figures (`camwatch status --daemon`) must show it writing all along. Waits are
polls with a generous deadline, never timed assertions."""
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

FLAPPING = 400
STEADY = 20  # cameras put in and out of maintenance: 40 commands
GUARD_S = 300


class CliUnderLoadTest(unittest.TestCase):
    def test_maintenance_gets_through_beside_400_flapping_cameras(self):
        cwtest.raise_fd_limit()
        with cwtest.fixtures("cw-load-") as (tmp, procs):
            fault = procs.fixture("rtsp_fault.py")
            cams = [cwtest.camera("F-%03d" % i, cwtest.rtsp_url(fault.port, "/flap/%d" % i))
                    for i in range(FLAPPING)]
            cams += [cwtest.camera("M-%02d" % i, cwtest.rtsp_url(fault.port, "/ok/%d" % i))
                     for i in range(STEADY)]
            conf = cwtest.write_config(
                os.path.join(tmp, "site"), cams,
                probe={"interval": "1s", "timeout": "900ms", "slow": "800ms", "down_after": "1",
                       "up_after": "1", "concurrency": "128"},
                sections={"probe.stream": {"workers": "0"}})
            d = procs.start([cwtest.program("camwatchd"), "-c", conf], name="camwatchd")

            def busy():
                self.assertIsNone(d.popen.poll(), d.stderr_text()[-2000:])
                r = cwtest.camwatch(conf, "events", "--json", "--since", "-1h")
                return r.rc == 0 and r.out.count('"camera"') >= 2 * FLAPPING
            cwtest.wait_for("the daemon writing changes for every camera", busy, GUARD_S, d)

            failed = []
            for i in range(STEADY):
                for on in ("on", "off"):
                    r = cwtest.camwatch(conf, "maintenance", "M-%02d" % i, on, "--note", "load")
                    if r.rc != 0:
                        failed.append(r)
            self.assertEqual(failed, [], "%d of %d maintenance commands failed"
                             % (len(failed), 2 * STEADY))
            self.assertIsNone(d.popen.poll(), "the daemon runs on:\n" + d.stderr_text()[-4000:])
            r = cwtest.camwatch(conf, "status", "--daemon", "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertIn('"writable": true', r.out)
            ev = cwtest.events(conf, "--camera", "M-00", "--since", "-1h")
            tos = [e["to"] for e in ev if e.get("kind", "state") == "state"]
            self.assertIn("maintenance", tos)
            self.assertEqual(tos[tos.index("maintenance") + 1], "unknown", tos)
            self.assertEqual(d.stop(grace=60), 0, d.stderr_text()[-2000:])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
