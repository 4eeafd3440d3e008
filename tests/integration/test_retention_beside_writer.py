#!/usr/bin/python3
"""The daemon's retention pass meets another connection's write lock and goes on once it goes.

The pass runs on the daemon's loop, one camera per step (three short transactions each), with
the loop's 5 ms wait for the store's write lock. A step that met another connection's lock (the
CLI's footage scan or export, an admin's sqlite3 shell) stopped the whole pass with a warning
("retention stopped at camera=...: database is locked"): the cameras after it kept their old
samples for another hour. Now the same camera is tried again a moment later and the pass ends.

The real daemon's inventory is N_CAMERAS cameras (closed ports); the last one has two raw
samples 40 days old, which the pass folds into one hourly row ([store] samples_days 31). A
first `camwatchd --once` makes the store. The test takes the write lock with python's sqlite3
as soon as the daemon runs, checks under it that the pass has not reached the last camera (its
samples are raw), waits until the daemon has met the lock (its log says so, or says the pass
stopped), lets go, and waits for the pass's end.

    /usr/bin/python3 tests/integration/test_retention_beside_writer.py --build build [-v]

Waits are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took."""
import os
import sqlite3
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

N_CAMERAS = 200  # a pass of about 4 s (a step each 20 ms): time for the test to take the lock
LAST = "C%05d" % N_CAMERAS
MET = "store: retention waits for another connection's write lock"
STOPPED = "store: retention stopped"
ENDED = "store: retention: "


class RetentionBesideWriterTest(unittest.TestCase):
    def test_a_retention_pass_meeting_a_held_write_lock_goes_on_once_it_goes(self):
        tmp, procs = self.enterContext(cwtest.fixtures("cw-retlock-"))
        dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        site = os.path.join(tmp, "site")
        conf = cwtest.write_config(
            site, [cwtest.camera("C%05d" % (i + 1), dead) for i in range(N_CAMERAS)],
            sections={"probe.stream": {"workers": "0"}})
        r = cwtest.camwatchd(conf, "--once")  # the store made; no retention pass in --once
        self.assertIn(r.rc, (0, 1), r)  # exit 1: cameras down
        path = os.path.join(site, "var", "camwatch.db")
        old_ms = int(time.time() * 1000) - 40 * 86400 * 1000
        old_ms -= old_ms % 3600000  # both in one hour
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.executemany("INSERT INTO sample (camera_id, at_ms, ok) VALUES (?, ?, 1)",
                            [(LAST, old_ms + 60000), (LAST, old_ms + 120000)])
        finally:
            con.close()

        d = cwtest.start_daemon(procs, conf, interval=0.001)
        db = cwtest.write_lock(path)
        try:
            # Under the lock: the pass has not reached the last camera, so it meets the lock.
            raw = db.execute("SELECT count(*) FROM sample WHERE camera_id = ? AND hourly = 0",
                             (LAST,)).fetchone()[0]
            self.assertEqual(raw, 2, "the pass reached %s before the lock was held" % LAST)
            cwtest.wait_for("the pass meeting the lock",
                            lambda: MET in d.stderr_text() or STOPPED in d.stderr_text(), proc=d)
        finally:
            if db.in_transaction:
                db.rollback()
            db.close()
        cwtest.wait_for("the pass over",
                        lambda: ENDED in d.stderr_text() or STOPPED in d.stderr_text(), proc=d)
        log = d.stderr_text()
        self.assertNotIn(STOPPED, log)
        self.assertRegex(log, r"store: retention: [1-9]\d* samples folded into hourly rows")
        con = sqlite3.connect(path)
        try:
            rows = con.execute("SELECT hourly, count, at_ms FROM sample WHERE camera_id = ?",
                               (LAST,)).fetchall()
        finally:
            con.close()
        self.assertEqual(rows, [(1, 2, old_ms)])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
