#!/usr/bin/python3
"""What a test starts ends when the test process dies, however it dies: a test SIGKILLed
(no tearDown runs) leaves no fixture and no camwatchd behind. They run in sessions of their
own (so a tearDown can kill a whole group), so nothing else would stop them: a camwatchd left
behind goes on probing the fixture left beside it for good (orphaned fleets were found at
8 GB).

    /usr/bin/python3 tests/integration/test_die_with_test.py --build build [-v]

A child test process (this file with --child) starts a fixture with cwtest.Procs and a
camwatchd probing it, prints their pids and sleeps; it is SIGKILLed, and both must end.
Deadlines only guard against hangs; nothing asserts on time."""
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()  # takes --build DIR out of sys.argv
END_WAIT_S = 60  # guard while waiting for the orphans to end
START_WAIT_S = 180  # guard while the child test starts its fixture and camwatchd


def child(tmp):
    procs = cwtest.Procs(tmp)
    gst = procs.fixture("gst_rtsp_server.py", "--mount", "/live:320x180@5")
    conf = cwtest.write_config(os.path.join(tmp, "site"),
                               [cwtest.camera("A", cwtest.rtsp_url(gst.port, "/live"))])
    d = cwtest.start_daemon(procs, conf)
    print("PIDS %d %d" % (gst.popen.pid, d.popen.pid), flush=True)
    time.sleep(3600)  # until killed


class DieWithTestTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.procs = self.enterContext(cwtest.fixtures("cw-orphan-"))
        self.pids = []

    def tearDown(self):
        for pid in self.pids:  # a failed run's leftovers
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def test_fixture_and_daemon_end_with_a_killed_test(self):
        runner = self.procs.start([cwtest.PYTHON, os.path.abspath(__file__), "--child",
                                   self.tmp, "--build", BUILD], name="runner")
        line = runner._read_line(b"PIDS ", START_WAIT_S)
        self.assertIsNotNone(line, "the child test never started its processes:\n"
                             + runner.stderr_text()[-3000:])
        line = line.decode()
        self.pids = [int(x) for x in line.split()[1:]]
        self.assertEqual(len(self.pids), 2, line)
        self.assertTrue(all(cwtest.alive(p) for p in self.pids), line)
        os.kill(runner.popen.pid, signal.SIGKILL)  # the test process alone, as a hang's kill
        runner.popen.wait()
        cwtest.poll(lambda: not any(cwtest.alive(p) for p in self.pids), bool, END_WAIT_S,
                    cwtest.POLL_INTERVAL_S)
        self.assertEqual([p for p in self.pids if cwtest.alive(p)], [],
                         "left running after the test process was killed")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        unittest.main()
