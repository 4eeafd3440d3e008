"""camwatchd as a long-running daemon: sd_notify READY/STATUS/WATCHDOG, maintenance set by
the CLI beside it, SIGHUP reloads (a good inventory is taken, a bad one refused; the stream
sample workers follow [probe.stream] workers), SIGTERM exits 0 with the writes done, and a
restart resumes each camera's state and `since`, and the run of verdicts its hysteresis
counts (up_after = 3 honoured over restarts, --once runs and a daemon alike), shown as
recovering in status.

Waits here are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took."""
import datetime
import json
import os
import signal
import sys
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402


class DaemonLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.procs = self.enterContext(cwtest.fixtures("cw-life-"))
        self.fault = self.procs.fixture("rtsp_fault.py")
        self.notify = cwtest.Notify(self.tmp)
        self.addCleanup(self.notify.close)
        self.refused = cwtest.closed_port()
        self.probe = {"interval": "1s", "timeout": "900ms", "slow": "800ms", "down_after": "2",
                      "up_after": "1"}

    def url(self, path):
        return cwtest.rtsp_url(self.fault.port, path)

    def write(self, cameras):
        return cwtest.write_config(os.path.join(self.tmp, "site"), cameras, probe=self.probe,
                                   sections={"probe.stream": {"workers": "0"}})

    def start_daemon(self, conf):
        env = dict(os.environ, NOTIFY_SOCKET=self.notify.path, WATCHDOG_USEC="400000")
        env.pop("WATCHDOG_PID", None)
        return self.procs.start([cwtest.program("camwatchd"), "-v", "-c", conf], name="camwatchd",
                                env=env)

    def state_is(self, conf, cam, state, reason=""):
        def check():
            st = cwtest.status(conf)
            return cam in st and st[cam]["state"] == state and reason in st[cam]["reason"] and st
        try:
            return cwtest.wait_for("%s %s %r" % (cam, state, reason), check)
        except AssertionError as e:
            raise AssertionError("%s\ndaemon log:\n%s" % (e, self.daemon.stderr_text()[-4000:]))

    def test_daemon_lifecycle(self):
        cams = [cwtest.camera("A", self.url("/ok")), cwtest.camera("B", self.url("/notfound")),
                cwtest.camera("C", cwtest.rtsp_url(self.refused, "/x"))]
        conf = self.write(cams)
        d = self.daemon = self.start_daemon(conf)

        cwtest.wait_for("READY=1", lambda: self.notify.seen("READY=1"))
        self.state_is(conf, "A", "up")
        self.state_is(conf, "B", "down", "not found")
        st = self.state_is(conf, "C", "down", "connection refused")
        cwtest.wait_for("STATUS with the summary",
                        lambda: self.notify.seen("STATUS=3 cameras: 1 up"))
        cwtest.wait_for("WATCHDOG pings from the loop", lambda: self.notify.seen("WATCHDOG=1"))
        b_since = st["B"]["since_ms"]

        # Maintenance on A from the CLI, beside the running daemon.
        r = cwtest.camwatch(conf, "maintenance", "A", "on", "--note", "thay ống kính")
        self.assertEqual(r.rc, 0, r)
        self.state_is(conf, "A", "maintenance", "thay ống kính")

        # SIGHUP: A now fails, C leaves the inventory, D joins. A stays in maintenance.
        cams = [cwtest.camera("A", self.url("/notfound")), cams[1],
                cwtest.camera("D", self.url("/ok"))]
        self.write(cams)
        os.kill(d.pid, signal.SIGHUP)
        self.state_is(conf, "D", "up")
        cwtest.wait_for("C retired", lambda: "C" not in cwtest.status(conf))
        n_a = len(cwtest.events(conf, "--camera", "A", "--since", "-1d"))
        st = cwtest.status(conf)
        self.assertEqual(st["A"]["state"], "maintenance")
        self.assertEqual(st["B"]["since_ms"], b_since, "reload kept B's state and since")

        # Maintenance off: the probes decide again, and find A failing.
        r = cwtest.camwatch(conf, "maintenance", "A", "off", "--note", "xong")
        self.assertEqual(r.rc, 0, r)
        self.state_is(conf, "A", "down", "not found")
        self.assertGreater(len(cwtest.events(conf, "--camera", "A", "--since", "-1d")), n_a)

        # A bad inventory is refused on SIGHUP and the daemon carries on with the old one.
        with open(os.path.join(self.tmp, "site", "cameras.csv"), "a", encoding="utf-8") as f:
            f.write("D,dup,CAH,x,district,,,,,rtsp://127.0.0.1:1/x,,,,,,\n")
        os.kill(d.pid, signal.SIGHUP)
        cwtest.wait_for("the refusal logged",
                        lambda: "new configuration refused" in d.stderr_text())
        self.assertIn("cameras.csv:5: id: duplicate id 'D'", d.stderr_text())
        self.assertIsNone(d.popen.poll(), "daemon still running")
        self.write(cams)  # the CLI reads the inventory too: mend it before asking
        self.assertEqual(sorted(cwtest.status(conf)), ["A", "B", "D"])
        for args in ((), ("--json",)):
            r = cwtest.camwatch(conf, "status", *args)
            self.assertEqual(r.rc, 0, r)
            self.assertNotIn("not running", r.err)

        # SIGTERM: clean exit 0.
        os.kill(d.pid, signal.SIGTERM)
        rc = d.popen.wait(60)
        self.assertEqual(rc, 0, d.stderr_text()[-2000:])
        before = cwtest.status(conf)

        # Without the daemon the stored states may be stale: status says so on stderr, as
        # `status --daemon` says NOT RUNNING; the table and the document are as they were.
        r = cwtest.camwatch(conf, "status", "--daemon")
        self.assertIn("camwatchd: NOT RUNNING", r.out)
        stopped = {}
        for args in ((), ("--json",)):
            r = stopped[args] = cwtest.camwatch(conf, "status", *args)
            self.assertEqual(r.rc, 0, r)
            self.assertRegex(r.err, r"(?m)^camwatch: warning: camwatchd is not running "
                             r"\(last seen \d{4}-\d\d-\d\d [^)]*\): these states are as of its "
                             r"last probes$")
            self.assertEqual(r.err.count("not running"), 1, r.err)
        self.assertIn("3 cameras: ", stopped[()].out)  # the table, as with the daemon
        self.assertEqual({o["id"]: o for o in cwtest._json(stopped[("--json",)])}, before)  # the document as stored

        # A restart resumes state and since: one more sweep changes neither for B and D.
        r = cwtest.camwatchd(conf, "--once")
        self.assertEqual(r.rc, 0, r)
        after = cwtest.status(conf)
        for cam in ("B", "D"):
            self.assertEqual(after[cam]["state"], before[cam]["state"], cam)
            self.assertEqual(after[cam]["since_ms"], before[cam]["since_ms"], cam)

    def test_status_warns_after_a_killed_daemon_or_a_day_old_once_run_not_a_fresh_one(self):
        # A --once run from a timer is a way to run camwatchd: when it has finished there is
        # no daemon to miss, and status says nothing of one; --daemon says when it ran. Once
        # that run is over a day old, status says when it was.
        conf = self.write([cwtest.camera("A", self.url("/ok"))])
        r = cwtest.camwatchd(conf, "--once")
        self.assertEqual(r.rc, 0, r)
        for args in ((), ("--json",)):
            r = cwtest.camwatch(conf, "status", *args)
            self.assertEqual((r.rc, r.err), (0, ""), r)
        r = cwtest.camwatch(conf, "status", "--daemon")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"(?m)^camwatchd: last --once run at \d{4}-\d\d-\d\d [^(]*"
                         r"\(pid \d+, started [^)]*\); no daemon runs")
        self.assertNotIn("NOT RUNNING", r.out)
        self.assertNotIn("STALE", r.out)
        doc = cwtest._json(cwtest.camwatch(conf, "status", "--daemon", "--json"))
        self.assertIs(doc["running"], False)
        self.assertIs(doc["once"], True)
        self.assertGreaterEqual(doc["once_finished_ms"], doc["started_ms"])
        self.assertRegex(doc["once_finished"], r"^\d{4}-\d\d-\d\dT")
        self.assertIs(doc["once_stale"], False)

        # That run two days old (its timer stopped, or later runs failed before they wrote):
        # no run has finished since, and status says when the last one did.
        vitals = os.path.join(self.tmp, "site", "var", "camwatch.db.daemon.json")
        with open(vitals, encoding="utf-8") as f:
            o = json.load(f)
        aged = (int(time.time()) - 2 * 86400) * 1000
        o["once_finished_ms"] = o["written_ms"] = aged
        with open(vitals, "w", encoding="utf-8") as f:
            json.dump(o, f)
        at = datetime.datetime.fromtimestamp(aged / 1000, zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
        for args in ((), ("--json",)):
            r = cwtest.camwatch(conf, "status", *args)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(r.err, "camwatch: warning: the last camwatchd --once run finished "
                             "at %s: these states are as of it\n"
                             % at.strftime("%Y-%m-%d %H:%M:%S"), r)
        doc = cwtest._json(cwtest.camwatch(conf, "status", "--daemon", "--json"))
        self.assertEqual((doc["running"], doc["once_stale"]), (False, True))
        r = cwtest.camwatch(conf, "status", "--daemon")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"(?m)^camwatchd: last --once run at %s \(pid \d+, started "
                         r"[^)]*\); no daemon runs, the figures are that run's: STALE, over a "
                         r"day old; no --once run has finished since$"
                         % at.strftime("%Y-%m-%d %H:%M:%S"))

        # A daemon killed where it stood is not running, whatever ran before it: it warns.
        d = self.daemon = self.start_daemon(conf)
        cwtest.wait_for("READY=1", lambda: self.notify.seen("READY=1"), proc=d)
        r = cwtest.camwatch(conf, "status", "--daemon", "--json")
        self.assertIs(cwtest._json(r)["running"], True)
        os.kill(d.pid, signal.SIGKILL)
        d.popen.wait(60)
        for args in ((), ("--json",)):
            r = cwtest.camwatch(conf, "status", *args)
            self.assertEqual(r.rc, 0, r)
            self.assertRegex(r.err, r"\Acamwatch: warning: camwatchd is not running \(last seen "
                             r"[^)]*\): these states are as of its last probes\n\Z")
        r = cwtest.camwatch(conf, "status", "--daemon")
        self.assertIn("camwatchd: NOT RUNNING", r.out)
        doc = cwtest._json(cwtest.camwatch(conf, "status", "--daemon", "--json"))
        self.assertEqual((doc["running"], doc["once"], doc["once_finished_ms"]),
                         (False, False, None))

    def threads(self, d):
        return len(os.listdir("/proc/%d/task" % d.pid))

    def test_sighup_resizes_the_stream_workers(self):
        # The daemon's threads: one per sample worker, and a number of others (the loop, the
        # HTTP API's) that a reload does not change; no sample is in flight with a 10 min
        # interval after the first.
        stream = {"workers": "1", "interval": "10m", "timeout": "5s", "sample": "1s"}
        conf = cwtest.write_config(os.path.join(self.tmp, "site"),
                                   [cwtest.camera("A", self.url("/ok"))],
                                   probe={"interval": "2s", "timeout": "1s"},
                                   sections={"probe.stream": stream})

        def reload(workers):
            stream["workers"] = str(workers)
            cwtest.write_config(os.path.join(self.tmp, "site"),
                                [cwtest.camera("A", self.url("/ok"))],
                                probe={"interval": "2s", "timeout": "1s"},
                                sections={"probe.stream": stream})
            os.kill(d.pid, signal.SIGHUP)

        d = self.daemon = self.start_daemon(conf)
        cwtest.wait_for("READY=1", lambda: self.notify.seen("READY=1"))
        self.state_is(conf, "A", "up")
        # The first sample is over (its thumbnail or its error is in): the count is still.
        cwtest.wait_for("A's first sample", lambda: cwtest.status(conf)["A"]["last_sample_ms"])
        others = self.threads(d) - 1
        for was, now in ((1, 3), (3, 0), (0, 2)):
            reload(now)
            cwtest.wait_for("workers %d -> %d logged" % (was, now),
                            lambda: "stream sample workers %d -> %d" % (was, now)
                            in d.stderr_text())
            cwtest.wait_for("%d worker threads" % now,
                            lambda: self.threads(d) == others + now)
        self.assertIsNone(d.popen.poll(), "daemon still running")
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.popen.wait(60), 0, d.stderr_text()[-2000:])

    def test_restart_between_probes_keeps_each_cameras_counters(self):
        back_port = cwtest.free_port()  # X's camera: nothing listens there yet
        self.probe = {"interval": "1h", "timeout": "5s", "slow": "1s", "down_after": "3",
                      "up_after": "3"}
        slow = self.procs.fixture("rtsp_fault.py", "--slow-ms", "1500")
        site = os.path.join(self.tmp, "site")

        def write(y_path):
            return cwtest.write_config(site, [
                cwtest.camera("X", cwtest.rtsp_url(back_port, "/ok")),
                cwtest.camera("Y", cwtest.rtsp_url(slow.port, y_path))],
                probe=self.probe, sections={"probe.stream": {"workers": "0"}})

        def once():
            r = cwtest.camwatchd(conf, "--once")
            self.assertEqual(r.rc, 0, r)
            return cwtest.status(conf)

        conf = write("/ok")
        st = once()
        self.assertEqual(st["X"]["state"], "down")  # a first verdict decides at once
        self.assertEqual(st["Y"]["state"], "up")
        self.procs.fixture("rtsp_fault.py", "--port", str(back_port))  # X answers again
        conf = write("/slow")  # Y now answers in 1.5 s, over its 1 s limit

        # Two restarts of the daemon: each run probes X and Y once and stops.
        for good in (1, 2):
            st = once()
            self.assertEqual(st["X"]["state"], "down", st["X"])
            self.assertEqual(st["X"]["recovering"], {"good": good, "needed": 3}, st["X"])
            self.assertIn("connection refused", st["X"]["reason"])
            self.assertEqual(st["Y"]["state"], "up", st["Y"])
            self.assertIsNone(st["Y"]["recovering"], st["Y"])
        r = cwtest.camwatch(conf, "status")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"X .*recovering: 2 of 3 answers; connection refused")

        # The third good answer, and Y's third slow one, in a daemon this time.
        d = self.daemon = self.start_daemon(conf)
        self.state_is(conf, "X", "up")
        self.state_is(conf, "Y", "degraded", "slow answer")
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.popen.wait(60), 0, d.stderr_text()[-2000:])
        ev = [e for e in cwtest.events(conf, "--camera", "X", "--since", "-1d")
              if e.get("kind", "state") == "state"]
        self.assertEqual([e["to"] for e in ev], ["down", "up"], ev)
        self.assertEqual(ev[-1]["reason"], "recovered after 3 successes")
        self.assertIsNone(cwtest.status(conf)["X"]["recovering"])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
