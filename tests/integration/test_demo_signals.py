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
growing with every killed run. So does a demo killed between starting camwatchd and
camwatchd's setpriv setting that signal (held there by a setpriv of the test's, first in PATH,
until the demo is gone): camwatchd does not start. On a failure the message names each process
left, with its state. Deadlines only guard against hangs; nothing asserts on time.
"""
import os
import shutil
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


def leftovers(started, tmp):
    """(pid, command line, state, wait channel) of each process of started still running or
    running from tmp."""
    pids = sorted(set(p for p in started if cwtest.alive(p)) | set(p for p, _ in running_in(tmp)))
    out = []
    for p in pids:
        try:
            with open("/proc/%d/cmdline" % p, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            with open("/proc/%d/stat" % p) as f:
                stat = f.read()
            with open("/proc/%d/wchan" % p) as f:
                wchan = f.read()
        except OSError:
            continue  # it ended meanwhile
        out.append((p, cmd, stat[stat.rindex(")") + 2:].split()[0], wchan))
    return out


class DemoSignalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cw-demo-")
        self.script = demo_tree(self.tmp)
        self.out = open(os.path.join(self.tmp, "demo.out"), "w+")
        self.demo = None

    def start(self, env=None):
        """Start the demo (--sweeps 0), in its environment plus env."""
        # Its own session, so that whatever happens the tearDown can reach what it left.
        self.demo = subprocess.Popen(cwtest.DIE_WITH_TEST + ["bash", self.script, "--sweeps", "0"],
                                     env=dict(demo_env(BUILD), **(env or {})),
                                     stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def tearDown(self):
        if self.demo is not None:
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
        self.assert_all_ended(started)

    def assert_all_ended(self, started):
        """Every process in started and every one running from the demo's tree ends; on a
        failure, the message names each one left, with its state and what it waits in."""
        left = cwtest.poll(lambda: leftovers(started, self.tmp), lambda v: not v,
                           deadline_s=EXIT_WAIT_S)
        self.assertEqual(left, [], "processes left running:\n%s\n%s" % (
            "\n".join(map(str, left)), self.output()))

    def test_sigterm_while_waiting_for_the_first_sweep_stops_everything(self):
        self.start()
        self.wait_output("demo: camwatchd started")
        time.sleep(1)  # into its wait for the first sweep: not a timing assertion
        self.stop_and_check(signal.SIGTERM)

    def test_sigint_between_status_rounds_stops_everything(self):
        self.start()
        self.wait_output("Ctrl-C stops the demo")  # it now sleeps until the next round
        self.assertEqual(len(STATUS_HEAD.findall(self.output())), 1, self.output())
        self.stop_and_check(signal.SIGINT)

    def test_sighup_between_status_rounds_stops_everything(self):
        self.start()
        self.wait_output("Ctrl-C stops the demo")
        self.stop_and_check(signal.SIGHUP)

    def test_sigkill_leaves_nothing_running(self):
        self.start()
        self.wait_output("demo: camwatchd started")
        started = descendants(self.demo.pid)
        # the fleet, the slow fixture, the ONVIF devices and camwatchd at least
        self.assertGreaterEqual(len(started), 4, self.output())
        os.kill(self.demo.pid, signal.SIGKILL)  # the script alone, not its group
        self.assertEqual(self.demo.wait(timeout=EXIT_WAIT_S), -signal.SIGKILL)
        self.assert_all_ended(started)

    def test_sigkill_before_camwatchd_took_the_parent_death_signal_leaves_nothing_running(self):
        # setpriv sets the signal in the child the demo forked, some time after the fork: on a
        # loaded machine the demo can print "camwatchd started" and be killed before. A
        # setpriv first in PATH holds camwatchd's start there until the demo is gone.
        gate = os.path.join(self.tmp, "gate")
        bindir = os.path.join(self.tmp, "slow-bin")
        os.mkdir(bindir)
        with open(os.path.join(bindir, "setpriv"), "w") as f:
            f.write('#!/bin/sh\n'
                    'case "$*" in *camwatchd*)\n'
                    '  while [ ! -e "%s" ]; do sleep 0.1; done ;;\n'
                    'esac\n'
                    'exec %s "$@"\n' % (gate, shutil.which("setpriv")))
        os.chmod(os.path.join(bindir, "setpriv"), 0o755)
        self.start({"PATH": bindir + ":" + os.environ["PATH"]})
        self.wait_output("demo: camwatchd started")
        started = descendants(self.demo.pid)
        os.kill(self.demo.pid, signal.SIGKILL)
        self.assertEqual(self.demo.wait(timeout=EXIT_WAIT_S), -signal.SIGKILL)
        open(gate, "w").close()  # camwatchd's setpriv goes on, its parent gone
        self.assert_all_ended(started)


if __name__ == "__main__":
    if not INSIDE:
        demosite.enter_netns(__file__)
    demosite.setup_netns("test_demo_signals")
    unittest.main()
