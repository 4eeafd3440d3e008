"""A refused reload is seen everywhere, not only in the journal. The real daemon starts on a
good site; cameras.csv is then broken (camera B's lat out of range, line 3) and the daemon sent
SIGHUP: it keeps the old inventory, and the API's daemon document (GET /api/v1/daemon),
`camwatch status --daemon --json`, the `camwatch status` table (one line, with what to do),
`camwatch status --json` (the line on stderr, the cameras on stdout), systemd's status line
(sd_notify STATUS, what `systemctl status` shows), /metrics (the reload
gauges, promtool clean) and the dashboard (a banner, in headless Chromium) all say the reload
was refused and name cameras.csv, line 3 and lat. The sheet fixed and SIGHUP again: all say ok,
the banner gone. A bad tokens file refuses a reload as well, named by file and line. The banner's screenshot is kept in <build>/test-artifacts/reload/ (or
$CW_ARTIFACTS). Waits are polls for a condition with a generous deadline, never assertions
about time."""
import os
import signal
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
import cwtest  # noqa: E402

PROMTOOL = "/usr/bin/promtool"
BAD_LAT = "91.5"
REFUSED = "RELOAD REFUSED"
HOLD_S = 0.3  # how long the test keeps the lock once the reload waits for it


def metric(text, name):
    """The value of the sample of name (no labels) in the exposition text."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("no %s in /metrics:\n%s" % (name, text[-3000:]))


class ReloadVisibleTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-reload-"

    @classmethod
    def start(cls):
        closed = cwtest.closed_port()
        cls.cams = [cwtest.camera("A", cwtest.rtsp_url(closed, "/a")),
                    cwtest.camera("B", cwtest.rtsp_url(closed, "/b"))]
        cls.port = cwtest.free_port()
        cls.site = os.path.join(cls.tmp, "site")
        cls.conf = cwtest.write_config(cls.site, cls.cams, http_listen="127.0.0.1:%d" % cls.port)
        cls.token = cwtest.add_token(cls.conf, "it-officer", "viewer")
        cls.notify = cwtest.Notify(cls.tmp)
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf],
                                     name="camwatchd",
                                     env=dict(os.environ, NOTIFY_SOCKET=cls.notify.path))
        cwtest.wait_http(cls.port, cls.token, cls.daemon)

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()  # the daemon first: it may be sending
        if getattr(cls, "notify", None) is not None:
            cls.notify.close()
        super().tearDownClass()

    def write_cameras(self, lat_b):
        cams = [dict(c) for c in self.cams]
        cams[1]["lat"] = lat_b
        cwtest.write_config(self.site, cams, http_listen="127.0.0.1:%d" % self.port)

    def daemon_doc(self):
        r = cwtest.http(self.port, "GET", "/api/v1/daemon", self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def metrics(self):
        r = cwtest.http(self.port, "GET", "/metrics", self.token)
        self.assertEqual(r.status, 200, r)
        body = r.body
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                           timeout=cwtest.RUN_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, (p.stdout, p.stderr))
        self.assertEqual(p.stdout + p.stderr, b"", "promtool has no complaint, not even a lint")
        return body.decode()

    def reload_until(self, ok, after_ms):
        """SIGHUP, then the API's daemon document once its config says ok (True/False) for a
        load made after after_ms."""
        os.kill(self.daemon.pid, signal.SIGHUP)

        def done():
            c = self.daemon_doc()["config"]
            return c if c["ok"] is ok and c["at_ms"] > after_ms else None
        return cwtest.wait_for("the reload's outcome ok=%s" % ok, done, proc=self.daemon)

    def assert_names_the_problem(self, problem):
        self.assertTrue(problem["file"].endswith("/cameras.csv"), problem)
        self.assertEqual(problem["line"], 3)
        self.assertEqual(problem["field"], "lat")
        self.assertIn(BAD_LAT, problem["message"])

    def cli_json(self, *args):
        r = cwtest.camwatch(self.conf, "status", "--json", *args)
        self.assertEqual(r.rc, 0, r)
        return r

    def banner(self, b):
        """The dashboard's reload banner text, or None while hidden."""
        return b.js("const e = document.getElementById('reload');"
                    "return e && !e.hidden ? e.textContent : null;")

    @unittest.skipUnless(os.access(PROMTOOL, os.X_OK) and browser.available(),
                         "promtool (prometheus) or chromium-driver is not installed")
    def test_a_refused_reload_shows_in_the_api_cli_metrics_and_dashboard_until_a_good_one(self):
        b = browser.Browser(self.procs, self.tmp)
        try:
            self.run_through(b)
        finally:
            b.quit()

    @unittest.skipUnless(cwtest.can_see_syscalls(), "needs x86_64 and /proc/PID/task/TID/syscall")
    def test_b_a_reload_beside_another_writer_waits_for_its_lock(self):
        """A reload while another connection holds the store's write lock (the CLI's footage
        scan between its slices, an admin's sqlite3 shell) waits for it as the CLI would, and is
        taken. The loop's own few-ms wait is for the batch, which keeps its writes and tries
        again; a reload refused for "database is locked" would tell the officer a good sheet was
        not taken. The lock is let go a moment after the daemon has logged the reload and its
        loop sleeps in SQLite's busy handler; with the batch's few ms it gives up first."""
        before = self.daemon_doc()["config"]
        reloads = self.daemon.stderr_text().count("daemon: reloading")
        cams = [dict(c) for c in self.cams]
        cams[0]["name"] = "Cổng chợ Lai Vung"  # a change the store must write
        cwtest.write_config(self.site, cams, http_listen="127.0.0.1:%d" % self.port)
        db = cwtest.write_lock(os.path.join(self.site, "var", "camwatch.db"))
        try:
            os.kill(self.daemon.pid, signal.SIGHUP)

            def waiting_or_done():
                err = self.daemon.stderr_text()
                if err.count("daemon: reloading") <= reloads:
                    return None
                after = err.split("daemon: reloading")[-1]
                if "reload failed" in after or "reloaded" in after:
                    return "done: " + after
                return "waiting" if cwtest.main_thread_sleeping(self.daemon.pid) else None
            seen = cwtest.wait_for("the reload waiting for the lock, or its outcome",
                                   waiting_or_done, proc=self.daemon, interval=0.001)
            # Held a little longer than the batch's few ms (a reload that waited only that
            # long has given up by then), far less than the reload's seconds. Not a timed
            # assertion: nothing is measured, and only a stall of seconds here could upset it.
            held = cwtest.poll(lambda: (waiting_or_done() or "").startswith("done"), bool,
                               HOLD_S, 0.01)
        finally:
            if db.in_transaction:
                db.rollback()
            db.close()
        self.assertEqual(seen, "waiting", "the reload gave up on the lock at once")
        self.assertFalse(held, "the reload gave up while the lock was held")

        def outcome():
            c = self.daemon_doc()["config"]
            return c if c["at_ms"] > before["at_ms"] else None
        c = cwtest.wait_for("the reload's outcome", outcome, proc=self.daemon)
        self.assertIs(c["ok"], True, c)
        self.assertEqual(c["problems"], [])
        shown = {o["id"]: o["name"] for o in cwtest._json(cwtest.camwatch(self.conf, "status",
                                                                          "--json"))}
        self.assertEqual(shown["A"], "Cổng chợ Lai Vung")

    def run_through(self, b):
        # Good start: ok everywhere.
        start = self.daemon_doc()["config"]
        self.assertIs(start["ok"], True, start)
        self.assertEqual(start["kind"], "start")
        self.assertEqual(start["problems"], [])
        running_on = {os.path.basename(f["file"]): f for f in start["files"]}
        self.assertIn("cameras.csv", running_on)
        self.assertIsNotNone(running_on["cameras.csv"]["mtime"])
        text = self.metrics()
        self.assertEqual(metric(text, "camwatch_config_last_reload_successful"), 1)
        self.assertEqual(metric(text, "camwatch_config_last_reload_success_timestamp_seconds"),
                         start["ok_ms"] / 1000)
        table = cwtest.camwatch(self.conf, "status")
        self.assertEqual(table.rc, 0, table)
        self.assertNotIn(REFUSED, table.out)
        b.login("http://127.0.0.1:%d/" % self.port, self.token)
        b.wait_js("the daemon's document loaded", "return app.daemon && app.daemon.config.ok;")
        self.assertIsNone(self.banner(b))

        # cameras.csv broken, SIGHUP: refused, the old inventory kept, and every view says so.
        self.write_cameras(BAD_LAT)
        refused = self.reload_until(False, start["at_ms"])
        self.assertEqual(refused["kind"], "reload")
        self.assertEqual(refused["ok_ms"], start["ok_ms"], "it runs on the start's files")
        self.assertEqual(refused["more"], 0)
        self.assertEqual(len(refused["problems"]), 1, refused)
        self.assert_names_the_problem(refused["problems"][0])
        kept = {os.path.basename(f["file"]): f for f in refused["files"]}
        self.assertEqual(kept["cameras.csv"]["mtime_ms"], running_on["cameras.csv"]["mtime_ms"])
        self.assertIn("refused", self.daemon.stderr_text())
        status = cwtest.wait_for("systemd's status line of the refusal",
                                 lambda: "REFUSED" in (self.notify.last("STATUS") or "")
                                 and self.notify.last("STATUS"), proc=self.daemon)
        self.assertIn("2 cameras: ", status)
        self.assertIn("; last reload REFUSED: ", status)
        self.assertIn("cameras.csv:3: lat: ", status)

        cli = cwtest._json(cwtest.camwatch(self.conf, "status", "--daemon", "--json"))
        self.assertEqual(cli["config"], refused, "the CLI and the API give one document")
        r = self.cli_json()
        self.assertEqual(sorted(o["id"] for o in cwtest._json(r)), ["A", "B"])
        self.assertIn(REFUSED, r.err)
        self.assertIn("cameras.csv:3: lat: ", r.err)
        table = cwtest.camwatch(self.conf, "status")
        self.assertEqual(table.rc, 0, table)
        last = table.out.rstrip("\n").splitlines()[-1]
        print("\n" + last, file=sys.stderr)
        self.assertIn(REFUSED, last)
        self.assertIn("cameras.csv:3: lat: ", last)
        self.assertIn("--check-config", last)
        self.assertIn("reload", last.split(REFUSED, 1)[1])
        daemon_table = cwtest.camwatch(self.conf, "status", "--daemon")
        self.assertIn("cameras.csv:3: lat: ", daemon_table.out)

        text = self.metrics()
        self.assertEqual(metric(text, "camwatch_config_last_reload_successful"), 0)
        self.assertEqual(metric(text, "camwatch_config_last_reload_success_timestamp_seconds"),
                         start["ok_ms"] / 1000)

        shown = b.wait_js("the dashboard's banner", "const e = document.getElementById('reload');"
                          "return e && !e.hidden ? e.textContent : null;")
        self.assertIn("refused", shown)
        self.assertIn("cameras.csv:3: lat: ", shown)
        self.assertIn(BAD_LAT, shown)
        self.assertIn("--check-config", shown)
        b.screenshot(os.path.join(browser.artifacts("reload"), "refused.png"))

        # Fixed, SIGHUP: ok again everywhere, the banner gone.
        self.write_cameras("10.31")
        fixed = self.reload_until(True, refused["at_ms"])
        self.assertEqual(fixed["kind"], "reload")
        self.assertEqual(fixed["problems"], [])
        self.assertEqual(fixed["ok_ms"], fixed["at_ms"])
        self.assertGreater(fixed["ok_ms"], start["ok_ms"])
        cli = cwtest._json(cwtest.camwatch(self.conf, "status", "--daemon", "--json"))
        self.assertIs(cli["config"]["ok"], True)
        cwtest.wait_for("systemd's status line without the refusal",
                        lambda: "REFUSED" not in self.notify.last("STATUS"), proc=self.daemon)
        r = self.cli_json()
        self.assertNotIn(REFUSED, r.err)
        table = cwtest.camwatch(self.conf, "status")
        self.assertNotIn(REFUSED, table.out)
        text = self.metrics()
        self.assertEqual(metric(text, "camwatch_config_last_reload_successful"), 1)
        self.assertEqual(metric(text, "camwatch_config_last_reload_success_timestamp_seconds"),
                         fixed["ok_ms"] / 1000)
        b.wait_js("the banner gone", "const e = document.getElementById('reload');"
                  "return e && e.hidden;")

        # The tokens file is part of it too, as --check-config has it: a bad role refuses the
        # reload (the tokens in use stay, so this token still asks), named by file and line.
        tokens = os.path.join(self.site, "tokens.ini")
        with open(tokens, encoding="utf-8") as f:
            good = f.read()
        with open(tokens, "a", encoding="utf-8") as f:
            f.write("\n[amy]\nrole = boss\n")
        bad_line = good.count("\n") + 3
        refused = self.reload_until(False, fixed["at_ms"])
        p = refused["problems"][0]
        self.assertEqual((p["file"], p["line"], p["field"]), (tokens, bad_line, "role"), refused)
        with open(tokens, "w", encoding="utf-8") as f:
            f.write(good)
        self.reload_until(True, refused["at_ms"])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
