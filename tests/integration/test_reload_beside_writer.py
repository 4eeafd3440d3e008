"""A reload beside another program's write lock does not stop the daemon's loop.

A reload writes the new cameras and recorders to the store in one transaction. It used to wait
for another connection's write lock (the CLI's maintenance, ticket, footage scan, request; an
admin's sqlite3 shell) in SQLite's busy handler on the loop, up to 5 s: every camera's probes,
the HTTP API and the timers stood still meanwhile, and then the reload was refused with
"database is locked". Now the prepared configuration is kept pending beside the running one and
tried again on a timer, each try with the batch's few ms; the old configuration runs meanwhile,
and the reload is taken once the lock is let go.

The real daemon runs camera A (a closed port) with its HTTP API. The test holds the store's
write lock with python's sqlite3 (BEGIN IMMEDIATE) and sends SIGHUP for a sheet of A and B:
  - once the daemon has begun the reload (its log says so), the API answers while the test
    still holds the lock, and its document has no outcome of that reload yet (on the old code
    the answer came only after the wait, with the reload refused); the log says it waits;
  - while it waits, `camwatch status --daemon` (--json, the table) and the API's daemon
    document show the reload pending: since when, waiting for the store's write lock, held by
    this test's process (its pid and name); the new configuration not in force yet;
  - a second SIGHUP (sheet A and C) replaces the one pending (pending since then);
  - the lock let go: the reload is taken, A and C in the daemon and the store, B never; no
    reload pending in the document or the table any more;
  - the lock held again, a sheet with D, SIGHUP, then SIGTERM while it is pending: the pending
    reload is dropped, the daemon exits 0 (in the ASan build: nothing leaked), D never stored,
    its last vitals with no reload pending;
  - (another daemon) the lock held past a minute: the reload is refused, its message naming the
    store's write lock, the old configuration kept, no reload pending any more;
  - (another daemon, its NOTIFY_SOCKET a datagram socket the test binds, as systemd does) while
    a reload waits, `camwatch status` says so under its table (on stderr beside --json) and
    systemd's status line (sd_notify STATUS) after the cameras' counts, both in the words of
    `status --daemon`; a bad sheet reloaded meanwhile replaces it and is refused (REFUSED said,
    pending not); a good one waits again (both said); the lock let go, it is taken and neither
    says a reload is pending or refused;
  - (another daemon, headless Chromium) the dashboard shows a banner while a reload waits,
    gone once it is taken.

    /usr/bin/python3 tests/integration/test_reload_beside_writer.py --build build [-v]

Waits are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took."""
import contextlib
import os
import signal
import sqlite3
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
import cwtest  # noqa: E402

WAITING = "daemon: reload waiting for the store's write lock (held by another program)"
REPLACED = "daemon: reload dropped (it waited for the store's write lock); a new one replaces it"
DROPPED = "daemon: reload dropped (it waited for the store's write lock): stopping"
EXIT_WAIT_S = 60  # a guard against a daemon that never exits
REFUSAL_WAIT_S = 180  # the daemon refuses after a minute; a guard against one that never does
NOT_YET = "; the new configuration is not in force yet"


class ReloadBesideWriterTest(unittest.TestCase):
    def write_site(self, ids):
        cams = [cwtest.camera(i, cwtest.rtsp_url(self.closed, "/" + i.lower())) for i in ids]
        return cwtest.write_config(self.site, cams, http_listen="127.0.0.1:%d" % self.port,
                                   sections={"probe.stream": {"workers": "0"}})

    def config_doc(self):
        r = cwtest.http(self.port, "GET", "/api/v1/daemon", self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()["config"]

    def stored(self):
        """{camera id: retired} as the store holds them."""
        db = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=30)
        try:
            return dict(db.execute("SELECT id, retired_ms IS NOT NULL FROM camera").fetchall())
        finally:
            db.close()

    def daemon_status(self):
        """`camwatch status --daemon` as (its --json document, its table)."""
        doc = cwtest._json(cwtest.camwatch(self.conf, "status", "--daemon", "--json"))
        r = cwtest.camwatch(self.conf, "status", "--daemon")
        self.assertEqual(r.rc, 0, r)
        return doc, r.out

    def assert_pending(self, after_ms):
        """status --daemon and the API show a reload pending since after_ms or later, waiting for
        the lock this process holds; the configuration in force the one at start. Returns its
        since_ms."""
        with open("/proc/self/comm", encoding="utf-8") as f:
            me = f.read().strip()
        doc, table = self.daemon_status()
        self.assertIs(doc["running"], True, doc)
        pending = doc["config"]["pending"]
        self.assertIsInstance(pending, dict, doc["config"])
        self.assertEqual(pending["waiting_for"], "store_write_lock", pending)
        self.assertEqual(pending["holder"], {"pid": os.getpid(), "name": me}, pending)
        self.assertGreaterEqual(pending["since_ms"], after_ms, pending)
        self.assertRegex(pending["since"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", pending)
        self.assertEqual(self.config_doc()["pending"], pending, "the API's document")
        self.assertRegex(table, r"(?m)^reload:   pending since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, "
                         r"waiting for another writer's lock on the store \(held by %s, pid %d\); "
                         r"the new configuration is not in force yet$" % (me, os.getpid()))
        self.assertRegex(table, r"(?m)^config:   loaded at .* \(at start\)")
        return pending["since_ms"]

    def assert_none_pending(self, doc, table):
        self.assertIsNone(doc["config"]["pending"], doc["config"])
        self.assertNotIn("reload:", table)
        self.assertNotIn("not in force", table)

    def shown(self):
        return sorted(o["id"] for o in cwtest._json(cwtest.camwatch(self.conf, "status",
                                                                    "--json")))

    def me(self):
        """This process's name as the kernel has it (the lock's holder the daemon names)."""
        with open("/proc/self/comm", encoding="utf-8") as f:
            return f.read().strip()

    def waits_words(self):
        """A regex of the words for a reload waiting for this process's lock, after "pending
        since" and before the end: as `status --daemon` says it."""
        return (r"pending since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, waiting for another writer's lock "
                r"on the store \(held by %s, pid %d\)%s$" % (self.me(), os.getpid(), NOT_YET))

    def start_site(self, prefix, notify=False):
        """A site of camera A, its daemon started with the API up: the daemon. notify: its
        NOTIFY_SOCKET is self.notify's."""
        self.tmp, self.procs = self.enterContext(cwtest.fixtures(prefix))
        self.closed = cwtest.closed_port()
        self.port = cwtest.free_port()
        self.site = os.path.join(self.tmp, "site")
        self.conf = self.write_site(["A"])
        self.token = cwtest.add_token(self.conf, "it-officer", "viewer")
        self.db = os.path.join(self.site, "var", "camwatch.db")
        env = None
        if notify:
            self.notify = cwtest.Notify(self.tmp)
            env = dict(os.environ, NOTIFY_SOCKET=self.notify.path)
            # Closed before the daemon stops (cleanups run last first): its sd_notify then fails
            # at once (nobody bound), it never blocks.
            self.addCleanup(self.notify.close)
        self.daemon = cwtest.start_daemon(self.procs, self.conf, env=env)
        cwtest.wait_http(self.port, self.token, self.daemon)
        return self.daemon

    @contextlib.contextmanager
    def reload_waiting(self, d, ids):
        """A sheet of ids written, the store's write lock held by the test and SIGHUP sent:
        the reload waits (camwatchd's log says so). The lock, rolled back and closed after."""
        self.write_site(ids)
        lock = cwtest.write_lock(self.db)
        try:
            self.sighup_seen(1)
            cwtest.wait_for("the log saying the reload waits",
                            lambda: WAITING in d.stderr_text(), proc=d)
            yield lock
        finally:
            lock.rollback()
            lock.close()

    def sighup_seen(self, n):
        """SIGHUP, and wait until the daemon has begun its n-th reload (it logs it first)."""
        os.kill(self.daemon.pid, signal.SIGHUP)
        cwtest.wait_for("reload %d begun" % n,
                        lambda: self.daemon.stderr_text().count("daemon: reloading ") >= n,
                        proc=self.daemon, interval=0.01)

    def test_a_reload_beside_a_held_write_lock_waits_off_the_loop(self):
        d = self.start_site("cw-reload-busy-")
        start = self.config_doc()
        self.assertIs(start["ok"], True, start)

        # (a) The lock held, a reload begun: the loop answers, the reload not ended.
        self.assertIsNone(start["pending"], start)
        self.assert_none_pending(*self.daemon_status())
        self.write_site(["A", "B"])
        lock = cwtest.write_lock(self.db)
        try:
            asked_ms = int(time.time() * 1000)
            self.sighup_seen(1)
            during = self.config_doc()
            self.assertTrue(lock.in_transaction)
            self.assertEqual(during["at_ms"], start["at_ms"],
                             "the API answered only once the reload had ended: %r" % during)
            self.assertIs(during["ok"], True, during)
            cwtest.wait_for("the log saying the reload waits",
                            lambda: WAITING in d.stderr_text(), proc=d)
            # Written before that line: status --daemon shows the reload pending, whose lock.
            first_ms = self.assert_pending(asked_ms)
            self.assertTrue(lock.in_transaction)

            # A new SIGHUP replaces the one pending.
            self.write_site(["A", "C"])
            self.sighup_seen(2)
            cwtest.wait_for("the pending reload replaced",
                            lambda: d.stderr_text().count(WAITING) >= 2, proc=d)
            self.assertIn(REPLACED, d.stderr_text())
            during = self.config_doc()
            self.assertTrue(lock.in_transaction)
            self.assertEqual(during["at_ms"], start["at_ms"], during)
            self.assertEqual(self.shown(), ["A"], "the old configuration runs meanwhile")
            self.assert_pending(first_ms)  # the new one's, since its SIGHUP
            self.assertTrue(lock.in_transaction)
        finally:
            released_ms = int(time.time() * 1000)
            lock.rollback()
            lock.close()

        # (b) The lock let go: the last reload asked for is taken, the replaced one never.
        taken = cwtest.wait_for("the reload taken",
                                lambda: (lambda c: c if c["at_ms"] > start["at_ms"] else None)(
                                    self.config_doc()), proc=d)
        self.assertIs(taken["ok"], True, taken)
        log = d.stderr_text()
        self.assertIn("daemon: reloaded, 2 cameras", log)
        self.assertNotIn("reload failed", log)
        self.assertEqual(self.shown(), ["A", "C"])
        self.assertEqual(self.stored(), {"A": 0, "C": 0})
        self.assertIsNone(taken["pending"], taken)
        doc, table = self.daemon_status()
        self.assert_none_pending(doc, table)
        self.assertRegex(table, r"(?m)^config:   loaded at .* \(a reload\)")
        # C, prepared while the lock was held, is unknown since the reload was taken, not since
        # it was prepared: its row is written then, and the daemon resumes it from the row.
        since = cwtest.status(self.conf)["C"]["since_ms"]
        self.assertGreaterEqual(since, released_ms)

        # (c) SIGTERM while a reload is pending: dropped, a clean exit, D never stored.
        self.write_site(["A", "C", "D"])
        lock = cwtest.write_lock(self.db)
        try:
            self.sighup_seen(3)
            cwtest.wait_for("the third reload waiting",
                            lambda: d.stderr_text().count(WAITING) >= 3, proc=d)
            os.kill(d.pid, signal.SIGTERM)
            cwtest.wait_for("the pending reload dropped at the stop",
                            lambda: DROPPED in d.stderr_text() or d.popen.poll() is not None,
                            proc=d, interval=0.01)
        finally:
            lock.rollback()
            lock.close()
        rc = d.popen.wait(EXIT_WAIT_S)
        log = d.stderr_text()
        self.assertIn(DROPPED, log)
        self.assertEqual(rc, 0, log[-3000:])
        self.assertEqual(log.count("daemon: reloaded, "), 1, log[-3000:])
        self.assertEqual(self.stored(), {"A": 0, "C": 0})
        doc, table = self.daemon_status()  # the last vitals, written at the stop
        self.assertIs(doc["running"], False, doc)
        self.assert_none_pending(doc, table)

    def test_a_lock_held_past_a_minute_refuses_the_reload_naming_the_stores_lock(self):
        d = self.start_site("cw-reload-refused-")
        self.write_site(["A", "B"])
        lock = cwtest.write_lock(self.db)
        try:
            self.sighup_seen(1)
            cwtest.wait_for("the reload refused after a minute",
                            lambda: "daemon: reload failed" in d.stderr_text(), proc=d,
                            deadline_s=REFUSAL_WAIT_S)
        finally:
            lock.rollback()
            lock.close()
        self.assertRegex(d.stderr_text(), r"daemon: reload failed, keeping the old inventory: "
                         r"the store's write lock held by another program for \d+ s: "
                         r"database is locked")
        refused = self.config_doc()
        self.assertIs(refused["ok"], False, refused)
        self.assertIsNone(refused["pending"], refused)
        doc, table = self.daemon_status()
        self.assert_none_pending(doc, table)
        self.assertIn("camwatchd: RELOAD REFUSED at ", table)
        self.assertRegex(refused["problems"][0]["message"], r"^the store's write lock held by "
                         r"another program for \d+ s: database is locked$")
        self.assertEqual(self.shown(), ["A"])
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.popen.wait(EXIT_WAIT_S), 0, d.stderr_text()[-3000:])

    def write_site_lat(self, ids, lat_last):
        """write_site, the last camera's lat lat_last (out of range: the sheet is refused)."""
        cams = [cwtest.camera(i, cwtest.rtsp_url(self.closed, "/" + i.lower())) for i in ids]
        cams[-1]["lat"] = lat_last
        return cwtest.write_config(self.site, cams, http_listen="127.0.0.1:%d" % self.port,
                                   sections={"probe.stream": {"workers": "0"}})

    def status_line(self, what, pred):
        """systemd's status line (the last STATUS= sent) once pred(it) holds."""
        return cwtest.wait_for("systemd's status line " + what,
                               lambda: (lambda s: s if s is not None and pred(s) else None)(
                                   self.notify.last("STATUS")), proc=self.daemon)

    def status_table_last(self):
        """`camwatch status`'s table: its last line."""
        r = cwtest.camwatch(self.conf, "status")
        self.assertEqual(r.rc, 0, r)
        return r.out.rstrip("\n").splitlines()[-1]

    def test_b_a_pending_reload_shows_in_camwatch_status_and_systemds_status_line(self):
        d = self.start_site("cw-reload-notify-", notify=True)
        start = self.config_doc()
        first = self.status_line("at start", lambda s: s.startswith("1 cameras: "))
        self.assertNotIn("pending", first)
        self.assertNotIn("pending", self.status_table_last())
        waits = self.waits_words()

        with self.reload_waiting(d, ["A", "B"]) as lock:
            status = self.status_line("saying the reload waits", lambda s: "pending" in s)
            print("\nSTATUS=" + status, file=sys.stderr)
            self.assertRegex(status, r"^1 cameras: .*; reload " + waits)
            self.assertNotIn("REFUSED", status)
            last = self.status_table_last()
            print(last, file=sys.stderr)
            self.assertRegex(last, r"^camwatchd: reload " + waits)
            r = cwtest.camwatch(self.conf, "status", "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual([o["id"] for o in cwtest._json(r)], ["A"], "the old one runs")
            self.assertRegex(r.err, r"(?m)^camwatchd: reload " + waits)
            self.assertTrue(lock.in_transaction)

            # A bad sheet replaces it and is refused: pending no more, REFUSED instead.
            self.write_site_lat(["A", "B"], "91.5")
            self.sighup_seen(2)
            status = self.status_line("saying the reload was refused", lambda s: "REFUSED" in s)
            self.assertNotIn("pending", status)
            self.assertIn("; last reload REFUSED: ", status)
            last = self.status_table_last()
            self.assertIn("RELOAD REFUSED", last)
            self.assertNotIn("pending", last)

            # A good one waits again: the refusal (the last outcome) and the wait both said.
            self.write_site(["A", "C"])
            self.sighup_seen(3)
            status = self.status_line("saying the new reload waits", lambda s: "pending" in s)
            self.assertRegex(status, r"; last reload REFUSED: .*; reload " + waits)
            self.assertRegex(self.status_table_last(), r"^camwatchd: reload " + waits)
            self.assertTrue(lock.in_transaction)

        taken = cwtest.wait_for("the reload taken",
                                lambda: (lambda c: c if c["ok"] and c["at_ms"] > start["at_ms"]
                                         else None)(self.config_doc()), proc=d)
        self.assertIsNone(taken["pending"], taken)
        status = self.status_line("once the reload is taken",
                                  lambda s: "pending" not in s and "REFUSED" not in s)
        self.assertTrue(status.startswith("2 cameras: "), status)
        self.assertNotIn("not in force", status)
        table = cwtest.camwatch(self.conf, "status")
        self.assertNotIn("reload pending", table.out)
        self.assertNotIn("REFUSED", table.out)
        self.assertEqual(self.shown(), ["A", "C"])

    @unittest.skipUnless(browser.available(), "chromium-driver is not installed")
    def test_c_the_dashboard_shows_a_pending_reload_until_it_is_taken(self):
        d = self.start_site("cw-reload-web-")
        start = self.config_doc()
        b = browser.Browser(self.procs, self.tmp)
        self.addCleanup(b.quit)
        b.login("http://127.0.0.1:%d/" % self.port, self.token)
        b.wait_js("the daemon's document loaded", "return app.daemon && app.daemon.config.ok;")
        self.assertTrue(b.js("return document.getElementById('reload-pending').hidden;"))

        with self.reload_waiting(d, ["A", "B"]) as lock:
            shown = b.wait_js("the dashboard's pending banner",
                              "const e = document.getElementById('reload-pending');"
                              "return e && !e.hidden ? e.textContent : null;")
            print("\n" + shown, file=sys.stderr)
            self.assertRegex(shown, r"^Configuration reload pending since \d{4}-\d\d-\d\d "
                             r"\d\d:\d\d \(.* ago\), waiting for another writer's lock on the "
                             r"store \(held by %s, pid %d\)%s\.$"
                             % (self.me(), os.getpid(), NOT_YET))
            self.assertTrue(b.js("return document.getElementById('reload').hidden;"),
                            "not the refusal's banner")
            b.screenshot(os.path.join(browser.artifacts("reload"), "pending.png"))
            self.assertTrue(lock.in_transaction)
        cwtest.wait_for("the reload taken",
                        lambda: self.config_doc()["at_ms"] > start["at_ms"], proc=d)
        b.wait_js("the pending banner gone",
                  "const e = document.getElementById('reload-pending');"
                  "return e && e.hidden;")


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
