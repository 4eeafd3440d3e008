#!/usr/bin/python3
"""Hanging cameras cost the others nothing: a running camwatchd with 8 good cameras and 24
that accept the connection and never answer, four probes in flight at most (fixed). The
hanging ones go down, back off (probed far less often than the good ones) and never hold
more than a quarter of the slots; the good ones go on being probed, each several times, while
the hanging ones are probed about once; `camwatch status --daemon` says so.

    /usr/bin/python3 tests/integration/test_hanging_cameras.py --build build [-v]

Fixture: tests/fixtures/rtsp_fault.py (/ok answers, /silent never does). Without the
scheduler's lanes and backoff, 24 cameras each holding a slot for the whole timeout on every
round leave the good ones a slot now and then: they are probed at the same rate as the
hanging ones. Assertions are on counts (probes seen per camera, slots, lanes), never on time;
deadlines only guard against hangs.
"""
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()

GOOD, HANGING, SLOTS = 8, 24, 4
PROBE = {"interval": "2s", "timeout": "1500ms", "slow": "1s", "down_after": "1",
         "up_after": "1", "concurrency": str(SLOTS), "concurrency_max": str(SLOTS),
         "down_interval": "16s", "down_timeout": "1s"}
PROBES_SEEN = 5  # each good camera must be seen probed this many more times


class HangingCameras(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-hang."

    @classmethod
    def start(cls):
        fault = cls.procs.fixture("rtsp_fault.py")
        cams = [cwtest.camera("good%d" % i, cwtest.rtsp_url(fault.port, "/ok/g%d" % i))
                for i in range(GOOD)]
        cams += [cwtest.camera("hang%02d" % i, cwtest.rtsp_url(fault.port, "/silent/h%d" % i))
                 for i in range(HANGING)]
        cls.conf = cwtest.write_config(os.path.join(cls.tmp, "site"), cams, probe=PROBE,
                                       sections={"probe.stream": {"workers": "0"}})
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf])

    def states(self):
        r = cwtest.camwatch(self.conf, "status", "--json")
        self.assertEqual(r.rc, 0, r)
        return {o["id"]: o for o in cwtest._json(r)}

    def vitals(self):
        r = cwtest.camwatch(self.conf, "status", "--daemon", "--json")
        self.assertEqual(r.rc, 0, r)
        return cwtest._json(r)

    def test_good_cameras_keep_being_probed_while_hanging_ones_back_off(self):
        def settled():
            if not os.path.exists(os.path.join(self.tmp, "site", "var", "camwatch.db")):
                return False  # the daemon has not made its store yet
            st = self.states()
            return len(st) == GOOD + HANGING and all(
                o["state"] == ("up" if cid.startswith("good") else "down")
                for cid, o in st.items())
        cwtest.wait_for("8 cameras up and 24 down", settled, proc=self.daemon)

        # Every distinct last_probe_ms a camera shows is one probe of it.
        seen = {cid: {o["last_probe_ms"]} for cid, o in self.states().items()}
        bad_most, backing = 0, set()

        def enough():
            nonlocal bad_most
            for cid, o in self.states().items():
                seen[cid].add(o["last_probe_ms"])
            p = self.vitals()["probes"]
            bad_most = max(bad_most, p["in_flight_bad"])
            backing.add(p["backing_off"])
            self.assertLessEqual(p["slots"]["now"], SLOTS)
            return all(len(seen["good%d" % i]) > PROBES_SEEN for i in range(GOOD))
        cwtest.wait_for("every good camera probed %d more times" % PROBES_SEEN, enough,
                        proc=self.daemon, interval=0.2)

        good = min(len(seen["good%d" % i]) - 1 for i in range(GOOD))
        hang = [len(seen["hang%02d" % i]) - 1 for i in range(HANGING)]
        # Down cameras on their backoff: each probed at most twice while every good one was
        # probed PROBES_SEEN times or more (at the same rate they would be probed as often).
        self.assertGreaterEqual(good, PROBES_SEEN)
        self.assertLessEqual(max(hang), 2, "hanging cameras probed %s times, good ones %d at "
                             "least" % (hang, good))
        # The failing ones never held more than their quarter of the slots.
        self.assertLessEqual(bad_most, SLOTS // 4)
        self.assertIn(HANGING, backing)

        # The vitals file is rewritten every 10 s (VITALS_WRITE_S), so the one read last may
        # predate the probes counted above: wait for a write that has them.
        def counted():
            q = self.vitals()["probes"]
            return q if q["started"] > GOOD * PROBES_SEEN else None
        p = cwtest.wait_for("vitals counting the probes seen", counted, proc=self.daemon)
        self.assertEqual(p["interval_ms"], 2000)
        self.assertEqual(p["slots"], {"now": SLOTS, "floor": SLOTS, "ceiling": SLOTS})
        self.assertGreater(p["started"], GOOD * PROBES_SEEN)
        table = cwtest.camwatch(self.conf, "status", "--daemon")
        self.assertEqual(table.rc, 0, table)
        self.assertIn("probes:   every 2 s", table.out)
        self.assertIn("%d down cameras on their backoff" % HANGING, table.out)


if __name__ == "__main__":
    unittest.main()
