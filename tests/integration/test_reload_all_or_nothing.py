"""A reload is all or nothing: one the store refuses half-way leaves the store on the old
inventory, as the running daemon is, instead of new cameras in the store that are never
probed and gone ones shown retired while still probed.

The real daemon starts on cameras A (recorder nvrA, a dir recorder it scans) and B. The sheet
then drops B, adds C and drops [recorder nvrA]; the store refuses the write that marks nvrA
removed (the second step of the reload's store sync, after the cameras'): a trigger of the
test's own, standing for what refuses a write there for real (another writer's lock held past
the reload's wait, a full disk). The reload is refused (the daemon's document says so and names
the store's answer), and the store still holds A and B, no C, B not retired, nvrA configured.
The trigger dropped and SIGHUP again: taken, and the store says the new inventory. Waits are
polls for a condition with a generous deadline, never assertions about time."""
import os
import signal
import sqlite3
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from dirsite import PATTERN  # noqa: E402

FAULT = "test fault: the store refuses this write"
TRIGGER = ("CREATE TRIGGER test_fault BEFORE UPDATE OF removed_ms ON recorder "
           "WHEN NEW.removed_ms IS NOT NULL BEGIN SELECT RAISE(ABORT, '%s'); END" % FAULT)


class ReloadAllOrNothingTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-reload-aon-"

    @classmethod
    def start(cls):
        closed = cwtest.closed_port()
        cls.url = lambda path: cwtest.rtsp_url(closed, path)
        cls.nvr = os.path.join(cls.tmp, "nvrA")
        os.makedirs(cls.nvr)
        cls.port = cwtest.free_port()
        cls.site = os.path.join(cls.tmp, "site")
        cls.conf = cls.write_site(["A", "B"], with_recorder=True)
        cls.token = cwtest.add_token(cls.conf, "it-officer", "viewer")
        cls.db = os.path.join(cls.site, "var", "camwatch.db")
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf],
                                     name="camwatchd")
        cwtest.wait_http(cls.port, cls.token, cls.daemon)

    @classmethod
    def write_site(cls, ids, with_recorder):
        cams = [cwtest.camera(i, cls.url("/" + i.lower()),
                              recorder="nvrA" if with_recorder and i == "A" else "")
                for i in ids]
        sections = {"probe.stream": {"workers": "0"}}
        if with_recorder:
            sections["recorder nvrA"] = {"kind": "dir", "path": cls.nvr, "pattern": PATTERN}
        return cwtest.write_config(cls.site, cams, http_listen="127.0.0.1:%d" % cls.port,
                                   sections=sections)

    def query(self, sql):
        db = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=30)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def inventory(self):
        """{camera id: retired} and {recorder: removed} as the store holds them."""
        cams = dict(self.query("SELECT id, retired_ms IS NOT NULL FROM camera"))
        recs = dict(self.query("SELECT name, removed_ms IS NOT NULL FROM recorder"))
        return cams, recs

    def write(self, sql):
        db = sqlite3.connect(self.db, timeout=30, isolation_level=None)
        try:
            db.execute(sql)
        finally:
            db.close()

    def config_doc(self):
        r = cwtest.http(self.port, "GET", "/api/v1/daemon", self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()["config"]

    def reload(self, after_ms):
        os.kill(self.daemon.pid, signal.SIGHUP)

        def done():
            c = self.config_doc()
            return c if c["at_ms"] > after_ms else None
        return cwtest.wait_for("the reload's outcome", done, proc=self.daemon)

    def reload_log(self):
        """The daemon's log from its last reload on."""
        log = self.daemon.stderr_text()
        at = log.rfind("daemon: reloading ")
        self.assertGreaterEqual(at, 0, log[-2000:])
        return log[at:]

    def test_a_reload_the_store_refuses_half_way_leaves_the_old_inventory(self):
        cwtest.wait_for("the daemon's first scan of nvrA in the store",
                        lambda: self.inventory()[1] == {"nvrA": 0}, proc=self.daemon)
        start = self.config_doc()
        self.assertIs(start["ok"], True, start)
        self.assertEqual(self.inventory(), ({"A": 0, "B": 0}, {"nvrA": 0}))

        self.write_site(["A", "C"], with_recorder=False)
        self.write(TRIGGER)
        try:
            refused = self.reload(start["at_ms"])
        finally:
            self.write("DROP TRIGGER IF EXISTS test_fault")
        self.assertIs(refused["ok"], False, refused)
        self.assertEqual(refused["kind"], "reload")
        self.assertEqual(refused["ok_ms"], start["ok_ms"], "it runs on the start's files")
        self.assertIn(FAULT, " ".join(p["message"] for p in refused["problems"]), refused)
        log = self.reload_log()
        self.assertIn("reload failed, keeping the old inventory", log)
        # The log claims no change the store did not keep: no inventory line (B retired, C new)
        # for the sync that was rolled back.
        self.assertNotIn("store: inventory of", log)
        # The store as the daemon runs: A and B, B not retired, no C, nvrA still configured.
        self.assertEqual(self.inventory(), ({"A": 0, "B": 0}, {"nvrA": 0}))
        shown = sorted(o["id"] for o in cwtest._json(cwtest.camwatch(self.conf, "status",
                                                                     "--json")))
        self.assertEqual(shown, ["A", "B"])

        # The store writable again: the same sheet is taken, in the store and the daemon.
        taken = self.reload(refused["at_ms"])
        self.assertIs(taken["ok"], True, taken)
        # The same line as ever, once the sync that made it is committed.
        self.assertIn("store: inventory of 2 cameras: 1 new, 1 changed, 0 back, 1 retired",
                      self.reload_log())
        self.assertEqual(self.inventory(), ({"A": 0, "B": 1, "C": 0}, {"nvrA": 1}))
        shown = sorted(o["id"] for o in cwtest._json(cwtest.camwatch(self.conf, "status",
                                                                     "--json")))
        self.assertEqual(shown, ["A", "C"])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
