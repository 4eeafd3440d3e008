#!/usr/bin/python3
"""A step of the wall clock costs the daemon nothing: camwatchd runs under libfaketime
(Debian's faketime) with six cameras whose probes take most of their interval, so most are in
flight at any moment; the wall clock is set back an hour (NTP after a boot with a wrong
hardware clock), then forward again. Each time every camera goes on being probed, and a step
forward makes no camera down.

    /usr/bin/python3 tests/integration/test_clock_step.py --build build [-v]

Before the fix the scheduler counted each probe's next due on the wall clock: a camera with a
probe in flight at the step back was due again after its interval and an hour, so it was
never probed again here (the wait's guard ends the test); a step forward made all due at once.

Only the daemon runs under libfaketime, with its monotonic clock left alone
(FAKETIME_DONT_FAKE_MONOTONIC), and the offset read from a file on every call
(FAKETIME_NO_CACHE), so the test steps the clock by writing that file. Fixture:
tests/fixtures/rtsp_fault.py (/slow answers after --slow-ms). Assertions are on counts of
probes and on states, never on time; deadlines only guard against hangs.
"""
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"  # Debian's faketime
CAMERAS = 6
SLOW_MS = 1500  # a probe takes this long: in flight three quarters of its interval
PROBE = {"interval": "2s", "timeout": "1900ms", "slow": "1s", "down_after": "3",
         "up_after": "1", "concurrency": str(CAMERAS)}
PROBES_SEEN = 3  # each camera must be seen probed this many more times after a step


@unittest.skipUnless(os.path.exists(FAKETIME_LIB), "needs Debian's faketime (scripts/install-deps)")
class ClockStep(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-clock."

    @classmethod
    def start(cls):
        fault = cls.procs.fixture("rtsp_fault.py", "--slow-ms", str(SLOW_MS))
        cams = [cwtest.camera("c%d" % i, cwtest.rtsp_url(fault.port, "/slow/c%d" % i))
                for i in range(CAMERAS)]
        cls.conf = cwtest.write_config(os.path.join(cls.tmp, "site"), cams, probe=PROBE,
                                       sections={"probe.stream": {"workers": "0"}})
        cls.ft = os.path.join(cls.tmp, "faketime")
        cls.set_offset("+0")
        # Under AddressSanitizer (the test command's second pass) libasan must come first of
        # the preloaded libraries, or it refuses to start; preloaded after it, libfaketime
        # still takes the clock calls, so the check is turned off for this daemon alone.
        asan = ":".join(o for o in (os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0")
                        if o)
        env = dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME_TIMESTAMP_FILE=cls.ft,
                   FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1", ASAN_OPTIONS=asan)
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf], env=env)

    @classmethod
    def set_offset(cls, offset):
        """The daemon's wall clock from now on: the real one moved by offset ("-3600")."""
        tmp = cls.ft + ".new"
        with open(tmp, "w") as f:
            f.write(offset + "\n")
        os.replace(tmp, cls.ft)

    def states(self):
        if not os.path.exists(os.path.join(self.tmp, "site", "var", "camwatch.db")):
            return {}  # the daemon has not made its store yet
        r = cwtest.camwatch(self.conf, "status", "--json")
        self.assertEqual(r.rc, 0, r)
        return {o["id"]: o for o in cwtest._json(r)}

    def probed_again(self, what):
        """Wait until every camera is seen probed PROBES_SEEN more times (each distinct
        last_probe_ms is a probe), never down; the states seen last."""
        seen = {"c%d" % i: set() for i in range(CAMERAS)}
        last = {}

        def enough():
            nonlocal last
            last = self.states()
            for cid, o in last.items():
                self.assertNotEqual(o["state"], "down", "%s %s: %r" % (what, cid, o))
                if o["last_probe_ms"] is not None:
                    seen[cid].add(o["last_probe_ms"])
            # the first value seen may be the probe before the step
            return all(len(s) > PROBES_SEEN for s in seen.values())
        cwtest.wait_for("every camera probed %d more times %s" % (PROBES_SEEN, what), enough,
                        proc=self.daemon, interval=0.2)
        return last

    def test_probes_keep_their_pace_when_the_wall_clock_steps_back_then_forward(self):
        def all_slow():
            st = self.states()
            return len(st) == CAMERAS and all(o["state"] == "degraded" for o in st.values())
        cwtest.wait_for("six slow cameras degraded", all_slow, proc=self.daemon)
        self.probed_again("before any step")

        self.set_offset("-3600")
        self.probed_again("after the clock was set back an hour")

        self.set_offset("+0")
        st = self.probed_again("after the clock was set forward an hour")
        self.assertEqual(sorted(o["state"] for o in st.values()), ["degraded"] * CAMERAS)

        # The daemon's own figures: no probe an hour old, and none counted negative.
        v = cwtest.camwatch(self.conf, "status", "--daemon", "--json")
        self.assertEqual(v.rc, 0, v)
        oldest = cwtest._json(v)["probes"]["oldest_ms"]
        self.assertGreaterEqual(oldest, 0)
        self.assertLess(oldest, 3600 * 1000)


if __name__ == "__main__":
    unittest.main()
