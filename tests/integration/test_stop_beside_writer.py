"""The last writes at a stop wait for another connection's write lock. The daemon's loop waits
5 ms at most for the lock (the batch keeps its writes and tries again a second later), but at a
stop there is no later: a SIGTERM while `camwatch footage scan` or an admin's sqlite3 shell held
the lock lost the changes the daemon had decided and not yet written ("writes ... lost", exit
1). Now the last commit waits as the CLI would (5 s), and they land.

The real daemon watches one camera, a listening socket that never answers; the test takes the
store's write lock, then resets the probe's connection: the camera is judged down while the store is held,
so its event is kept in memory. SIGTERM; once the daemon sleeps in SQLite's busy handler the
lock is held a moment longer (a stop that waited only the batch's few ms has given up by then)
and let go. The daemon exits 0 and the event is in the store.

    /usr/bin/python3 tests/integration/test_stop_beside_writer.py --build build [-v]

Waits are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took."""
import os
import signal
import socket
import sqlite3
import struct
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

HOLD_S = 0.3  # how long the test keeps the lock once the stop waits for it
EXIT_WAIT_S = 60  # a guard against a daemon that never exits


class StopBesideWriterTest(unittest.TestCase):
    @unittest.skipUnless(cwtest.can_see_syscalls(), "needs x86_64 and /proc/PID/task/TID/syscall")
    def test_the_last_writes_at_a_stop_wait_for_another_writers_lock(self):
        tmp, procs = self.enterContext(cwtest.fixtures("cw-stopbusy-"))
        camera = socket.socket()
        self.addCleanup(camera.close)
        camera.bind(("127.0.0.1", 0))
        camera.listen(16)  # connections wait in the backlog, never answered
        site = os.path.join(tmp, "site")
        conf = cwtest.write_config(
            site, [cwtest.camera("C00001", cwtest.rtsp_url(camera.getsockname()[1], "/a"))],
            probe={"interval": "10s", "timeout": "9s", "slow": "8s", "down_after": "1"})
        d = cwtest.start_daemon(procs, conf)

        db = cwtest.write_lock(os.path.join(site, "var", "camwatch.db"))
        try:
            camera.settimeout(cwtest.POLL_DEADLINE_S)  # a guard against hangs
            probe, _ = camera.accept()  # the probe's connection, then reset: down
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            probe.close()
            camera.close()
            cwtest.wait_for("the camera judged down",
                            lambda: "camera=C00001 unknown->down" in d.stderr_text(), proc=d)
            kept = db.execute("SELECT count(*) FROM event WHERE camera_id = 'C00001'").fetchone()
            self.assertEqual(kept[0], 0, "the change is kept in memory, not in the store yet")
            os.kill(d.pid, signal.SIGTERM)

            def waiting_or_gone():
                if d.popen.poll() is not None:
                    return "exited"
                if "stopping" in d.stderr_text() and cwtest.main_thread_sleeping(d.pid):
                    return "waiting"
                return None
            seen = cwtest.wait_for("the stop waiting for the lock, or its end", waiting_or_gone,
                                   interval=0.001)
            gone = cwtest.poll(lambda: d.popen.poll() is not None, bool, HOLD_S, 0.01)
        finally:
            if db.in_transaction:
                db.rollback()
            db.close()
        rc = d.popen.wait(EXIT_WAIT_S)
        err = d.stderr_text()
        self.assertEqual(seen, "waiting", "the daemon exited without waiting for the lock")
        self.assertFalse(gone, "the daemon gave up while the lock was held:\n" + err[-2000:])
        self.assertEqual(rc, 0, err[-2000:])
        self.assertNotIn("lost", err)
        con = sqlite3.connect(os.path.join(site, "var", "camwatch.db"))
        try:
            rows = con.execute("SELECT from_state, to_state FROM event WHERE camera_id = "
                               "'C00001'").fetchall()
        finally:
            con.close()
        self.assertIn(("unknown", "down"), rows)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
