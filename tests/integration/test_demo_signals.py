#!/usr/bin/python3
"""scripts/demo stops when told to: SIGTERM, SIGINT or SIGHUP sent to it stops everything it
started and it exits, without going on to run `camwatch status` against nothing; killed
(SIGKILL), it leaves nothing running either.

    /usr/bin/python3 tests/integration/test_demo_signals.py --build build [-v]

It runs the demo in a network namespace of its own, as a copy in a temporary tree, on the
programs already built (tests/integration/demosite.py says how).

Pinned: signalled while it waits for the first sweep (SIGTERM) and while it sleeps between
status rounds (SIGINT, sent to the script alone as `kill -INT` does; SIGHUP, as when its
terminal closes), the demo exits with 128 + the signal, says it stops, prints no status after
the signal, and every process it started (the fleet, the fixtures, camwatchd, its sleep) is
gone. SIGKILLed while it waits for the first sweep (no trap runs), every process it started
ends all the same: a fleet and a camwatchd left behind would probe each other for good,
growing with every killed run. Deadlines only guard against hangs; nothing asserts on time.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from demosite import STATUS_HEAD, demo_env, demo_tree, descendants, running_in  # noqa: E402
import demosite  # noqa: E402

INSIDE = cwtest.take_inside_flag()
BUILD = cwtest.build_dir()  # takes --build DIR out of sys.argv
EXIT_WAIT_S = 60               # guard while waiting for the demo to exit
START_WAIT_S = 180             # guard while waiting for it to reach a point


class DemoSignalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cw-demo-")
        self.script = demo_tree(self.tmp)
        self.out = open(os.path.join(self.tmp, "demo.out"), "w+")
        # Its own session, so that whatever happens the tearDown can reach what it left.
        self.demo = subprocess.Popen(cwtest.DIE_WITH_TEST + ["bash", self.script, "--sweeps", "0"],
                                     env=demo_env(BUILD), stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def tearDown(self):
        demosite.kill_group(self.demo)  # the script may be gone, what it started not
        demosite.kill_left(self.tmp)
        self.out.close()
        # the demo keeps its logs in a folder of its own, named in its output
        demosite.remove_logs(self.output_file())
        cwtest.remove_tmp(self.tmp)

    def output_file(self):
        with open(self.out.name) as f:
            return f.read()

    def output(self):
        self.out.flush()
        return self.output_file()

    def wait_output(self, needle):
        cwtest.wait_for("demo to print %r" % needle,
                        lambda: needle in self.output() or self.demo.poll() is not None,
                        deadline_s=START_WAIT_S)
        self.assertIsNone(self.demo.poll(), "the demo ended early:\n" + self.output())
        self.assertIn(needle, self.output())

    def stop_and_check(self, sig):
        started = descendants(self.demo.pid)
        # the fleet, the slow fixture, the ONVIF devices and camwatchd at least
        self.assertGreaterEqual(len(started), 4, self.output())
        before = self.output()
        os.kill(self.demo.pid, sig)  # the script alone, not its group
        try:
            rc = self.demo.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self.fail("the demo did not exit after signal %d:\n%s" % (sig, self.output()))
        self.assertEqual(rc, 128 + sig, self.output())
        after = self.output()[len(before):]
        self.assertIn("demo: stopping", after)
        self.assertIsNone(STATUS_HEAD.search(after), "a status after the signal:\n" + after)
        # Its children were waited for before it exited: none is left, none reparented.
        cwtest.wait_for("the demo's processes to end",
                        lambda: not any(cwtest.alive(p) for p in started) and not running_in(self.tmp),
                        deadline_s=EXIT_WAIT_S)
        self.assertEqual([p for p in started if cwtest.alive(p)], [])
        self.assertEqual(running_in(self.tmp), [])

    def test_sigterm_while_waiting_for_the_first_sweep_stops_everything(self):
        self.wait_output("demo: camwatchd started")
        time.sleep(1)  # into its wait for the first sweep: not a timing assertion
        self.stop_and_check(signal.SIGTERM)

    def test_sigint_between_status_rounds_stops_everything(self):
        self.wait_output("Ctrl-C stops the demo")  # it now sleeps until the next round
        self.assertEqual(len(STATUS_HEAD.findall(self.output())), 1, self.output())
        self.stop_and_check(signal.SIGINT)

    def test_sighup_between_status_rounds_stops_everything(self):
        self.wait_output("Ctrl-C stops the demo")
        self.stop_and_check(signal.SIGHUP)

    def test_sigkill_leaves_nothing_running(self):
        self.wait_output("demo: camwatchd started")
        started = descendants(self.demo.pid)
        # the fleet, the slow fixture, the ONVIF devices and camwatchd at least
        self.assertGreaterEqual(len(started), 4, self.output())
        os.kill(self.demo.pid, signal.SIGKILL)  # the script alone, not its group
        self.assertEqual(self.demo.wait(timeout=EXIT_WAIT_S), -signal.SIGKILL)
        cwtest.wait_for("the killed demo's processes to end",
                        lambda: not any(cwtest.alive(p) for p in started) and not running_in(self.tmp),
                        deadline_s=EXIT_WAIT_S)
        self.assertEqual([p for p in started if cwtest.alive(p)], [])
        self.assertEqual(running_in(self.tmp), [])


if __name__ == "__main__":
    if not INSIDE:
        demosite.enter_netns(__file__)
    demosite.setup_netns("test_demo_signals")
    unittest.main()
