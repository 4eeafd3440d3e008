#!/usr/bin/python3
"""What scripts/demo shows a new user, run after run, and how it fails.

    /usr/bin/python3 tests/integration/test_demo_runs.py --build build [-v]

It runs the demo in a network namespace of its own, as a copy in a temporary tree, on the
programs already built (tests/integration/demosite.py says how).

Pinned:
- A second run, on the store the first left, shows the states of a round of probes of its
  own camwatchd: when its status is printed, every camera was probed since that daemon
  started (the first run's states, all set, are no news). Each run prints the dashboard's
  address and a viewer token made for it, which the API takes (`whoami`: the demo, a
  viewer), kept in the example's var/tokens.ini (the one of the run before removed), not
  beside camwatch.conf in the source tree; and where its logs are, at start and at stop.
- `[http] listen` taken by a listening socket: the demo exits 1 naming the port before it
  starts anything. Taken by a socket bound but not listening (a connect finds nothing
  there, camwatchd's bind fails): the demo exits 1 with camwatchd's own error from its log,
  and shows no status.
- Either way nothing it started is left running.
Deadlines only guard against hangs; nothing asserts on time. The tests that take the port run
first (by name): one after the API was asked would find the daemon's side of that connection
in TIME_WAIT on it.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
import demosite  # noqa: E402
from demosite import STATUS_HEAD, demo_env, demo_tree, running_in  # noqa: E402

INSIDE = cwtest.take_inside_flag()
BUILD = cwtest.build_dir()  # takes --build DIR out of sys.argv
RUN_WAIT_S = 300               # guard for one whole run of the demo
START_WAIT_S = 180             # guard while waiting for it to reach a point
EXIT_WAIT_S = 60               # guard while waiting for it to exit after a signal
DASHBOARD = re.compile(r"(?m)^demo: dashboard: (http://[^ ]+) .*\n +(cw_\S+)$")
ROUND_DONE = "demo: camwatchd has probed every camera since it started"


class DemoRunsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cw-demo-")
        self.script = demo_tree(self.tmp)
        self.example = os.path.join(self.tmp, demosite.EXAMPLE)
        self.conf = os.path.join(self.example, "camwatch.conf")
        with open(self.conf, encoding="utf-8") as f:
            m = re.search(r"(?ms)^\[http\]$.*?^listen = ([\d.]+):(\d+)", f.read())
        self.api = (m.group(1), int(m.group(2)))
        self.outputs = []
        self.started = []

    def tearDown(self):
        for p in self.started:
            demosite.kill_group(p)
        demosite.kill_left(self.tmp)
        demosite.remove_logs("".join(self.outputs))
        cwtest.remove_tmp(self.tmp)

    def start(self, sweeps):
        """The demo started with --sweeps N in a session of its own, output to a file."""
        out = open(os.path.join(self.tmp, "demo-%d.out" % len(self.outputs)), "w+")
        self.addCleanup(out.close)
        p = subprocess.Popen(cwtest.DIE_WITH_TEST + ["bash", self.script, "--sweeps", str(sweeps)],
                             env=demo_env(BUILD), stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(p)
        self.outputs.append("")

        def output():
            out.flush()
            with open(out.name) as f:
                self.outputs[-1] = f.read()
            return self.outputs[-1]
        return p, output

    def finish(self, p, output, timeout=RUN_WAIT_S):
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            demosite.kill_group(p)
            self.fail("the demo did not exit:\n" + output())
        text = output()
        cwtest.wait_for("the demo's processes to end", lambda: not running_in(self.tmp),
                        deadline_s=EXIT_WAIT_S)
        self.assertEqual(running_in(self.tmp), [], text)
        return rc, text

    def run_demo(self, sweeps=1):
        return self.finish(*self.start(sweeps))

    def vitals(self):
        r = cwtest.camwatch(self.conf, "status", "--daemon", "--json")
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)

    def assert_logs_named(self, text):
        logs = demosite.LOG_DIR.findall(text)
        self.assertIn("demo: the logs of this run go to %s (kept when the demo stops)" % logs[0],
                      text)
        self.assertIn("demo: the logs of this run are kept in %s" % logs[0], text)
        self.assertTrue(os.path.isfile(os.path.join(logs[0], "camwatchd.log")), text)

    def test_3_a_second_run_shows_a_round_of_its_own_and_a_token_that_works(self):
        # The first run, on no store: kept running past its first status to ask the API.
        p, output = self.start(0)
        cwtest.wait_for("the first status", lambda: "Ctrl-C stops the demo" in output()
                        or p.poll() is not None, deadline_s=START_WAIT_S)
        self.assertIsNone(p.poll(), output())
        m = DASHBOARD.search(output())
        self.assertIsNotNone(m, output())
        url, token = m.group(1), m.group(2)
        self.assertEqual(url, "http://%s:%d/" % self.api)
        r = cwtest.http(self.api[1], "GET", "/api/v1/whoami", token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["name"], r.json()["role"]), ("demo", "viewer"), r)
        self.assertIn("-c config/examples/lai-vung/camwatch.conf status", output())
        os.kill(p.pid, signal.SIGTERM)
        rc, first = self.finish(p, output, timeout=EXIT_WAIT_S)
        self.assertEqual(rc, 128 + signal.SIGTERM, first)
        self.assert_logs_named(first)
        started_first = self.vitals()["started_ms"]

        # The second run, on the store the first left, where no camera is unknown.
        rc, second = self.run_demo(1)
        self.assertEqual(rc, 0, second)
        self.assertIn(ROUND_DONE, second)
        self.assertEqual(len(STATUS_HEAD.findall(second)), 1, second)
        self.assert_logs_named(second)
        vitals = self.vitals()  # the second daemon's, written as it stopped
        self.assertGreater(vitals["started_ms"], started_first)
        # It stopped right after its status: what the store holds is what that status read.
        late = {cid: s["last_probe_ms"] for cid, s in cwtest.status(self.conf).items()
                if (s["last_probe_ms"] or 0) < vitals["started_ms"]}
        self.assertEqual(late, {}, "cameras not probed since the second camwatchd started "
                         "(at %d):\n%s" % (vitals["started_ms"], second))

        # A token of its own; the first run's is gone. None beside camwatch.conf.
        m = DASHBOARD.search(second)
        self.assertIsNotNone(m, second)
        self.assertNotEqual(m.group(2), token)
        r = cwtest.camwatch(self.conf, "token", "list", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual([t["name"] for t in json.loads(r.out)["tokens"]], ["demo"], r)
        self.assertTrue(os.path.isfile(os.path.join(self.example, "var", "tokens.ini")))
        self.assertFalse(os.path.exists(os.path.join(self.example, "tokens.ini")))

    def test_1_api_port_taken_by_a_listener_is_named_before_anything_starts(self):
        with socket.socket() as s:
            s.bind(self.api)
            s.listen()
            rc, text = self.run_demo(1)
        self.assertEqual(rc, 1, text)
        self.assertIn("demo: port %d ([http] listen = %s:%d in config/examples/lai-vung/"
                      "camwatch.conf) is taken" % (self.api[1], self.api[0], self.api[1]), text)
        self.assertNotIn("camwatchd started", text)
        self.assertIsNone(STATUS_HEAD.search(text), text)

    def test_2_camwatchd_that_cannot_listen_fails_the_demo_with_its_error(self):
        with socket.socket() as s:
            s.bind(self.api)  # not listening: the demo's connect finds nothing there
            rc, text = self.run_demo(1)
        self.assertEqual(rc, 1, text)
        self.assertIn("demo: camwatchd exited (status 1)", text)
        self.assertIn("cannot listen on %s:%d: Address already in use" % self.api, text)
        self.assertIsNone(STATUS_HEAD.search(text), text)
        self.assertNotIn("demo: dashboard", text)
        self.assert_logs_named(text)


if __name__ == "__main__":
    if not INSIDE:
        demosite.enter_netns(__file__)
    demosite.setup_netns("test_demo_runs")
    unittest.main()
